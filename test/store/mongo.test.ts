import { randomBytes } from 'node:crypto';
import { MongoClient, MongoNetworkError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { secretValues } from '../../src/config/env.js';
import { setKnownSecrets } from '../../src/logging/redact.js';
import { StoreUnavailableError } from '../../src/store/errors.js';
import { FIRST_USER_CLAIM_MS, MongoStore } from '../../src/store/mongo/store.js';
import { LORE, STEERING, scenario, session, storeContract, user } from './contract.js';
import { sessionToDoc } from '../../src/store/mongo/docs.js';
import { NotFoundError } from '../../src/store/errors.js';
import { storeOverFakes } from './fake-mongo.js';

const uri = process.env.STORYOS_TEST_MONGODB_URI;

/** A store on a database of its own, dropped when the store is closed. */
async function openFresh(serverUri: string): Promise<MongoStore> {
  const database = `storyos_test_${randomBytes(6).toString('hex')}`;
  const store = await MongoStore.open(serverUri, database);
  const close = store.close.bind(store);
  store.close = async () => {
    const admin = new MongoClient(serverUri);
    try {
      await admin.db(database).dropDatabase();
    } finally {
      await admin.close();
      await close();
    }
  };
  return store;
}

if (uri) {
  storeContract('MongoDB', () => openFresh(uri));
} else {
  describe.skip('MongoDB store contract (set STORYOS_TEST_MONGODB_URI to a MongoDB server to run it)', () => {
    it('needs a server', () => {});
  });
}

describe('MongoDB unreachable', () => {
  it('fails within the server selection timeout with one clear sentence naming the host, without the password, even with the log redactor primed from MONGODB_URI as the CLI and the game prime it', async () => {
    const uri = 'mongodb://storyos:s3cretpass@127.0.0.1:1/?directConnection=true';
    setKnownSecrets(secretValues({ MONGODB_URI: uri }));
    try {
      const started = Date.now();
      const error = await MongoStore.open(uri, 'games').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toMatch(
        /^Cannot reach MongoDB at mongodb:\/\/storyos:\[REDACTED\]@127\.0\.0\.1:1\/\?directConnection=true \(database games\): .* \(check MONGODB_URI and that the server is running\)\.$/,
      );
      expect((error as Error).message).not.toContain('s3cretpass');
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      setKnownSecrets([]);
    }
  });

  it('refuses a connection string the driver refuses in one sentence (db migrate --to, before any connection)', async () => {
    const error = await MongoStore.open('mongodb://storyos:s3cretpass@127.0.0.1:99999/', 'games').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toBe(
      'Cannot use the MongoDB connection string mongodb://storyos:[REDACTED]@127.0.0.1:99999/ (database games): the port of 127.0.0.1:99999 is not a number from 1 to 65535.',
    );
  });
});

describe('the first-user claim on MongoDB (over fake collections: no server here)', () => {
  it('is given up when the user insert fails, so the next first run succeeds', async () => {
    const { store, users, meta } = storeOverFakes();
    users.failNext.insertOne = new MongoNetworkError('connection reset');
    await expect(store.createFirstUser(user('root1', 'admin'))).rejects.toThrow('connection reset');
    expect(meta.docs).toEqual([]);
    expect(await store.createFirstUser(user('root2', 'admin'))).toBe(true);
    expect(users.docs.map((u) => u.username)).toEqual(['root2']);
    expect(await store.createFirstUser(user('root3', 'admin'))).toBe(false);
  });

  it('is taken over once stale when a crash left it without its user, and held while fresh', async () => {
    const { store, users, meta } = storeOverFakes();
    meta.docs.push({ _id: 'first_user', username: 'crashed', at: new Date(Date.now() - 5_000), claim: 'c1' });
    expect(await store.createFirstUser(user('root1', 'admin'))).toBe(false);
    expect(users.docs).toEqual([]);
    (meta.docs[0] as { at: Date }).at = new Date(Date.now() - FIRST_USER_CLAIM_MS - 1_000);
    expect(await store.createFirstUser(user('root1', 'admin'))).toBe(true);
    expect(users.docs.map((u) => u.username)).toEqual(['root1']);
    expect(meta.docs).toMatchObject([{ _id: 'first_user', username: 'root1' }]);
  });

  it('takes over a claim written before claims had ids (left behind by the earlier code)', async () => {
    const { store, users, meta } = storeOverFakes();
    meta.docs.push({ _id: 'first_user', username: 'old', at: new Date('2024-01-15T10:00:00.000Z') });
    expect(await store.createFirstUser(user('root1', 'admin'))).toBe(true);
    expect(users.docs.map((u) => u.username)).toEqual(['root1']);
  });

  it('is given up, even when its removal fails, to be taken over once stale; and two first runs at once make one account', async () => {
    const { store, users, meta } = storeOverFakes();
    users.failNext.insertOne = new MongoNetworkError('connection reset');
    meta.failNext.deleteOne = new MongoNetworkError('connection reset');
    await expect(store.createFirstUser(user('root1', 'admin'))).rejects.toThrow('connection reset');
    expect(meta.docs).toHaveLength(1);
    (meta.docs[0] as { at: Date }).at = new Date(Date.now() - FIRST_USER_CLAIM_MS - 1_000);
    const results = await Promise.all([store.createFirstUser(user('root2', 'admin')), store.createFirstUser(user('root3', 'admin'))]);
    expect(results.sort()).toEqual([false, true]);
    expect(users.docs).toHaveLength(1);
  });
});

describe('steering and world info on MongoDB (over fake collections: no server here)', () => {
  it('updates only the steering fields given, in one updateOne, and reads them back', async () => {
    const { store, sessions } = storeOverFakes();
    const s = session('alice');
    sessions.docs.push({ ...sessionToDoc(s) });
    await store.updateSteering(s.id, { note: STEERING.note, memory: undefined });
    expect(sessions.updates).toEqual([{ filter: { _id: s.id }, update: { $set: { note: STEERING.note } } }]);
    await store.updateSteering(s.id, { lore: LORE, settings: STEERING.settings });
    expect(sessions.updates[1]?.update).toEqual({ $set: { settings: STEERING.settings, lore: LORE } });
    expect(await store.getSession(s.id)).toEqual({ ...s, note: STEERING.note, settings: STEERING.settings, lore: LORE });
    await expect(store.updateSteering('missing', { memory: 'x' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('writes over the values read only: each of them in the filter, null for one never set', async () => {
    const { store, sessions } = storeOverFakes();
    const s = session('alice');
    sessions.docs.push({ ...sessionToDoc(s) });
    await store.updateSteering(s.id, { lore: LORE, memory: 'm' }, { lore: STEERING.lore, memory: undefined });
    expect(sessions.updates.at(-1)).toEqual({ filter: { _id: s.id, memory: null, lore: STEERING.lore }, update: { $set: { memory: 'm', lore: LORE } } });
  });

  it("removes a scenario's world info when it is saved without it", async () => {
    const { store, scenarios } = storeOverFakes();
    await store.saveScenario({ ...scenario('x'), world_info: LORE });
    expect(scenarios.docs[0]?.world_info).toEqual(LORE);
    await store.saveScenario(scenario('x'));
    expect('world_info' in (scenarios.docs[0] as object)).toBe(false);
    expect(scenarios.updates[1]?.update.$unset).toEqual({ world_info: '' });
  });
});
