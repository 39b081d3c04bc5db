import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/env.js';
import { seedStore } from '../../src/game/seed.js';
import { openOnFirstUse } from '../../src/store/deferred.js';
import { StoreUnavailableError } from '../../src/store/errors.js';
import { looksNew, openStoreOnFirstUse } from '../../src/store/open.js';
import { DATABASE_FILE, SqliteStore } from '../../src/store/sqlite/store.js';
import type { Store } from '../../src/store/types.js';
import { tempDir } from '../support/temp.js';
import { storeContract, user } from './contract.js';

// The whole contract holds through the store that opens on first use.
storeContract('SQLite opened on first use', async () => {
  const dir = tempDir();
  return openOnFirstUse('sqlite', path.join(dir, DATABASE_FILE), async () => SqliteStore.open(dir));
});

/** A SQLite store behind openOnFirstUse, counting how often it is opened. */
function counted(open: () => Promise<Store> = async () => SqliteStore.open(tempDir())) {
  const opens = { count: 0 };
  const store = openOnFirstUse('sqlite', 'somewhere/storyos.db', () => {
    opens.count++;
    return open();
  });
  return { store, opens };
}

describe('a store opened on its first use', () => {
  it('tells its engine and location, is no promise, and opens nothing until asked', async () => {
    const { store, opens } = counted();
    expect([store.engine, store.location]).toEqual(['sqlite', 'somewhere/storyos.db']);
    expect(await store).toBe(store);
    await store.close();
    expect(opens.count).toBe(0);
  });

  it('opens once for calls that arrive together, and closes what it opened', async () => {
    const { store, opens } = counted();
    const [count, created] = await Promise.all([store.countUsers(), store.createUser(user('alice')), store.listScenarios()]);
    expect([count, created, opens.count]).toEqual([0, undefined, 1]);
    expect(await store.countUsers()).toBe(1);
    await store.close();
    await expect(store.countUsers()).rejects.toThrow('The store is closed.');
  });

  it('gives every caller the failure of its one open', async () => {
    const failure = new StoreUnavailableError('Cannot open the database here.');
    const { store, opens } = counted(async () => {
      throw failure;
    });
    const results = await Promise.allSettled([store.countUsers(), store.findUser('alice')]);
    expect(results).toEqual([
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: failure },
    ]);
    await expect(store.listUsers()).rejects.toBe(failure);
    await store.close();
    expect(opens.count).toBe(1);
  });

  it('takes no calls once closed, and opens nothing for them', async () => {
    const { store, opens } = counted();
    await store.close();
    await expect(store.countUsers()).rejects.toThrow('The store is closed.');
    expect(opens.count).toBe(0);
  });

  it('closed while it opens: waits for the open, tells it to stop short, and closes what it opened', async () => {
    let release = () => {};
    const connected = new Promise<void>((resolve) => (release = resolve));
    const real = SqliteStore.open(tempDir());
    const told: boolean[] = [];
    const store = openOnFirstUse('sqlite', real.location, async (closing) => {
      await connected;
      told.push(closing.aborted);
      return real;
    });
    const first = store.countUsers();
    const closed = store.close();
    release();
    await closed;
    expect(told).toEqual([true]);
    await expect(real.countUsers()).rejects.toThrow(/not open/);
    await first.catch(() => undefined);
  });

  it('refuses a method the store does not have', async () => {
    const { store } = counted();
    await expect((store as unknown as { dropEverything: () => Promise<void> }).dropEverything()).rejects.toThrow('The store has no method dropEverything.');
    await store.close();
  });
});

describe('the TUI store (openStoreOnFirstUse)', () => {
  it('seeds before the first call is answered, and a new data directory looks new until then', async () => {
    const dir = path.join(tempDir(), 'data');
    const config = parseConfig({ STORYOS_DATA_DIR: dir, STORYOS_LOG_DIR: dir }, dir);
    const store = openStoreOnFirstUse(config, seedStore);
    expect(looksNew(config)).toBe(true);
    expect((await store.listScenarios()).length).toBeGreaterThan(0);
    expect(looksNew(config)).toBe(false);
    expect(store.location).toBe(path.join(dir, DATABASE_FILE));
    await store.close();
  });

  it('does not take a zero-byte storyos.db for a first run: opening it is refused and it stays empty', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, DATABASE_FILE), '');
    const config = parseConfig({ STORYOS_DATA_DIR: dir, STORYOS_LOG_DIR: dir }, dir);
    expect(looksNew(config)).toBe(false);
    const store = openStoreOnFirstUse(config, seedStore);
    await expect(store.countUsers()).rejects.toThrow(/^The database .*storyos\.db is empty \(0 bytes\), so StoryOS will not open it/);
    expect(fs.statSync(path.join(dir, DATABASE_FILE)).size).toBe(0);
    await store.close();
  });

  it('seeds nothing when it is closed while it opens', async () => {
    const dir = tempDir();
    const config = parseConfig({ STORYOS_DATA_DIR: dir, STORYOS_LOG_DIR: dir }, dir);
    let seeded = 0;
    const store = openStoreOnFirstUse(config, async () => {
      seeded++;
    });
    const first = store.countUsers();
    await store.close();
    await expect(first).rejects.toThrow('The store was closed while it opened.');
    expect(seeded).toBe(0);
    expect(fs.existsSync(path.join(dir, `${DATABASE_FILE}-wal`))).toBe(false);
  });

  it('closes the store when seeding fails, and reports that failure', async () => {
    const dir = tempDir();
    const config = parseConfig({ STORYOS_DATA_DIR: dir, STORYOS_LOG_DIR: dir }, dir);
    const store = openStoreOnFirstUse(config, async () => {
      throw new Error('seed failed');
    });
    await expect(store.countUsers()).rejects.toThrow('seed failed');
    // SQLite removes the write-ahead log when the last connection to the file closes.
    expect(fs.existsSync(path.join(dir, DATABASE_FILE))).toBe(true);
    expect(fs.existsSync(path.join(dir, `${DATABASE_FILE}-wal`))).toBe(false);
  });
});
