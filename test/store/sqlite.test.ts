import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/store/errors.js';
import { MIGRATIONS } from '../../src/store/sqlite/schema.js';
import { DATABASE_FILE, SqliteStore } from '../../src/store/sqlite/store.js';
import { logInto, readLog } from '../support/logging.js';
import { tempDir } from '../support/temp.js';
import type { SessionRecord } from '../../src/store/types.js';
import { headUpdate, LORE, scenario, session, STEERING, state, storeContract, turn, user } from './contract.js';

storeContract('SQLite', async () => SqliteStore.open(tempDir()));

describe('the SQLite file', () => {
  it('lives in STORYOS_DATA_DIR, in WAL mode, at the current schema version', async () => {
    const dir = path.join(tempDir(), 'nested', 'data');
    const store = SqliteStore.open(dir);
    await store.close();
    const db = new Database(path.join(dir, DATABASE_FILE), { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });

  it('reopens with its data, migrating nothing twice', async () => {
    const dir = tempDir();
    const first = SqliteStore.open(dir);
    await first.createSession(session('alice', 'kept'));
    await first.close();
    const again = SqliteStore.open(dir);
    expect((await again.getSession('kept'))?.user).toBe('alice');
    await again.close();
  });

  it('opens a database from before the choices with none, then keeps them', async () => {
    const dir = tempDir();
    const old = new Database(path.join(dir, DATABASE_FILE));
    old.exec(MIGRATIONS[0] as string);
    old.exec(MIGRATIONS[1] as string);
    old.pragma('user_version = 2');
    const when = '2024-01-15T11:00:00.000Z';
    old
      .prepare(
        `INSERT INTO game_sessions (id, user, scenario_id, scenario_name, created_at, updated_at, head, state) VALUES ('old', 'alice', 'x', 'X', ?, ?, 'n1', ?)`,
      )
      .run(when, when, JSON.stringify(state(1)));
    old
      .prepare(`INSERT INTO messages (id, session_id, parent_id, sender, content, created_at, seq) VALUES ('n1', 'old', NULL, 'StoryOS', 'n1', ?, 1)`)
      .run(when);
    old.close();
    const store = SqliteStore.open(dir);
    expect(store.schemaVersion()).toBe(MIGRATIONS.length);
    const before = (await store.getSession('old')) as SessionRecord;
    expect('choices' in before).toBe(false);
    await store.setHead('old', 'n1', { ...headUpdate(1), choices: [{ parent: null, child: 'n1' }] });
    expect((await store.getSession('old'))?.choices).toEqual([{ parent: null, child: 'n1' }]);
    await store.close();
  });

  it('opens a database from before the steering with none (sessions and scenarios), then keeps them', async () => {
    const dir = tempDir();
    const old = new Database(path.join(dir, DATABASE_FILE));
    for (const migration of MIGRATIONS.slice(0, 3)) old.exec(migration);
    old.pragma('user_version = 3');
    const when = '2024-01-15T11:00:00.000Z';
    old
      .prepare(
        `INSERT INTO game_sessions (id, user, scenario_id, scenario_name, created_at, updated_at, head, state) VALUES ('old', 'alice', 'x', 'X', ?, ?, NULL, ?)`,
      )
      .run(when, when, JSON.stringify(state(1)));
    const { world_info: _none, ...fields } = { ...scenario('x'), created_at: '2024-01-15T10:00:00.000Z', updated_at: '2024-01-15T10:00:00.000Z' };
    old
      .prepare(
        `INSERT INTO scenarios (${Object.keys(fields).join(', ')}) VALUES (${Object.keys(fields)
          .map((k) => `@${k}`)
          .join(', ')})`,
      )
      .run(fields);
    old.close();
    const store = SqliteStore.open(dir);
    expect(store.schemaVersion()).toBe(MIGRATIONS.length);
    const before = (await store.getSession('old')) as SessionRecord;
    for (const key of ['memory', 'note', 'settings', 'lore']) expect(key in before, key).toBe(false);
    expect(await store.getScenario('x')).toEqual(scenario('x'));
    await store.updateSteering('old', STEERING);
    expect(await store.getSession('old')).toEqual({ ...before, ...STEERING });
    await store.saveScenario({ ...scenario('x'), world_info: LORE });
    expect((await store.getScenario('x'))?.world_info).toEqual(LORE);
    await store.close();
  });

  it('numbers the messages of a database from before the message order by insertion, then appends after them', async () => {
    const dir = tempDir();
    const old = new Database(path.join(dir, DATABASE_FILE));
    old.exec(MIGRATIONS[0] as string);
    old.pragma('user_version = 1');
    const insertSession = old.prepare(
      `INSERT INTO game_sessions (id, user, scenario_id, scenario_name, created_at, updated_at, head, state) VALUES (?, 'alice', 'x', 'X', ?, ?, ?, '{}')`,
    );
    const insertMessage = old.prepare(`INSERT INTO messages (id, session_id, parent_id, sender, content, created_at) VALUES (?, ?, ?, ?, ?, ?)`);
    const when = '2024-01-15T11:00:00.000Z';
    insertSession.run('one', when, when, 'n2');
    insertSession.run('two', when, when, 'b1');
    // Interleaved sessions, one created_at, ids against the order: only the order of insertion tells.
    for (const [id, sessionId, parent, sender] of [
      ['z1', 'one', null, 'player'],
      ['a1', 'two', null, 'player'],
      ['y1', 'one', 'z1', 'StoryOS'],
      ['b1', 'two', 'a1', 'StoryOS'],
      ['n2', 'one', 'z1', 'StoryOS'],
    ] as const) {
      insertMessage.run(id, sessionId, parent, sender, id, when);
    }
    old.close();

    const store = SqliteStore.open(dir);
    expect(store.schemaVersion()).toBe(MIGRATIONS.length);
    expect((await store.listMessages('one')).map((m) => m.id)).toEqual(['z1', 'y1', 'n2']);
    expect((await store.getChildren('one', 'z1')).map((m) => m.id)).toEqual(['y1', 'n2']);
    const next = turn('n2', 3);
    await store.appendMessages('one', next, headUpdate(3));
    expect((await store.listMessages('one')).map((m) => m.id)).toEqual(['z1', 'y1', 'n2', ...next.map((m) => m.id)]);
    await store.close();
    const db = new Database(path.join(dir, DATABASE_FILE));
    expect(db.prepare('SELECT session_id, seq FROM messages ORDER BY session_id, seq').all()).toEqual([
      { session_id: 'one', seq: 1 },
      { session_id: 'one', seq: 2 },
      { session_id: 'one', seq: 3 },
      { session_id: 'one', seq: 4 },
      { session_id: 'one', seq: 5 },
      { session_id: 'two', seq: 1 },
      { session_id: 'two', seq: 2 },
    ]);
    expect(() =>
      db.prepare("INSERT INTO messages (id, session_id, sender, content, created_at, seq) VALUES ('dup', 'two', 'player', '', '', 2)").run(),
    ).toThrow(/UNIQUE constraint failed: messages\.session_id, messages\.seq/);
    db.close();
  });

  it('refuses a database from a newer StoryOS with one clear sentence', () => {
    const dir = tempDir();
    const db = new Database(path.join(dir, DATABASE_FILE));
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => SqliteStore.open(dir)).toThrow(StoreUnavailableError);
    expect(() => SqliteStore.open(dir)).toThrow(/was written by a newer StoryOS \(schema \d+\); upgrade StoryOS to open it\.$/);
  });

  it('explains a data directory it cannot use', () => {
    const file = path.join(tempDir(), 'not-a-dir');
    fs.writeFileSync(file, '');
    expect(() => SqliteStore.open(file)).toThrow(`STORYOS_DATA_DIR (${file}) is a file, not a folder: point it at a folder for the database.`);
    expect(() => SqliteStore.open(path.join(file, 'data'))).toThrow(/^Cannot open the database .*: .* \(check STORYOS_DATA_DIR and its permissions\)\.$/);
  });

  it('lets only its owner read the folder and the database, write-ahead log included', async () => {
    const dir = path.join(tempDir(), 'data');
    const store = SqliteStore.open(dir);
    await store.countUsers();
    const mode = (file: string) => fs.statSync(file).mode & 0o777;
    expect([mode(dir), mode(path.join(dir, DATABASE_FILE)), mode(path.join(dir, `${DATABASE_FILE}-wal`))]).toEqual([0o700, 0o600, 0o600]);
    await store.close();
  });

  it('logs each operation’s timing at DEBUG, refusals at WARN and failures at ERROR under db_utils', async () => {
    const logs = tempDir();
    logInto(logs, { STORYOS_LOG_LEVEL: 'DEBUG' });
    const store = SqliteStore.open(tempDir());
    await store.listSessions('alice');
    await store.createUser(user('alice'));
    await expect(store.createUser(user('ALICE'))).rejects.toThrow('is taken');
    await expect(
      store.setHead('nope', 'nothing', { turn_count: 0, usage: { tokens_in: 0, tokens_out: 0 }, state: session('a').state, updated_at: new Date() }),
    ).rejects.toThrow();
    await store.close();
    await expect(store.listSessions('alice')).rejects.toThrow();
    const text = readLog(logs);
    expect(text).toMatch(/\[DEBUG\] \[db_utils\] Database query executed: get_user_game_sessions \(rows: 0, duration: \d+\.\d\ds, engine: sqlite\)/);
    expect(text).toMatch(/\[DEBUG\] \[db_utils\] Database query executed: create_user \(rows: 1, duration: \d+\.\d\ds, engine: sqlite\)/);
    expect(text).toMatch(/\[WARN\] \[db_utils\] Database operation refused: create_user \(engine: sqlite, reason: The username ALICE is taken\.\)\n/);
    expect(text).toMatch(
      /\[WARN\] \[db_utils\] Database operation refused: set_head \(engine: sqlite, reason: No message nothing in game session nope\., session: nope\)\n\[/,
    );
    expect(text).toMatch(
      /\[ERROR\] \[db_utils\] Database operation failed: get_user_game_sessions \(operation: get_user_game_sessions, engine: sqlite, duration: \d+\.\d\ds, error: .*open.*\)\n {4}TypeError/,
    );
  });
});

describe('a storyos.db that is not a StoryOS store', () => {
  const sentence = (file: string, what: string) =>
    `The database ${file} ${what}, so StoryOS will not open it and leaves it as it is: move it away (or delete it) to start a new store there, or set STORYOS_DATA_DIR to the folder that holds your storyos.db.`;

  /** Opens `dir` expecting one refusal sentence, and checks that the file is byte for byte what it was, with nothing beside it. */
  function refused(dir: string, what: string | RegExp): void {
    const file = path.join(dir, DATABASE_FILE);
    const before = fs.readFileSync(file);
    const listing = fs.readdirSync(dir).sort();
    let error: unknown;
    try {
      SqliteStore.open(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreUnavailableError);
    const message = (error as Error).message;
    if (typeof what === 'string') expect(message).toBe(sentence(file, what));
    else expect(message).toMatch(what);
    expect(message).not.toMatch(/\n/);
    expect((error as StoreUnavailableError).exitCode).toBe(1);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(listing);
  }

  it('refuses a zero-byte file, leaving it empty', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, DATABASE_FILE), '');
    refused(dir, 'is empty (0 bytes)');
  });

  it('refuses a text file, and a file shorter than an SQLite header', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, DATABASE_FILE), 'my notes, not a database\n'.repeat(50));
    refused(dir, 'is not an SQLite database');
    fs.writeFileSync(path.join(dir, DATABASE_FILE), 'SQLite');
    refused(dir, 'is not an SQLite database');
  });

  it('refuses an SQLite database of another program, with tables or with a schema version of its own', () => {
    const dir = tempDir();
    const other = new Database(path.join(dir, DATABASE_FILE));
    other.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (12.5);');
    other.close();
    refused(dir, "is an SQLite database of another program (its tables are not StoryOS's)");
    const versioned = tempDir();
    const another = new Database(path.join(versioned, DATABASE_FILE));
    another.exec('CREATE TABLE users (id INTEGER PRIMARY KEY)');
    another.pragma('user_version = 1');
    another.close();
    refused(versioned, "is an SQLite database of another program (its tables are not StoryOS's)");
  });

  it('refuses a database from a newer StoryOS before writing anything to it', () => {
    const dir = tempDir();
    const store = SqliteStore.open(dir);
    void store.close();
    const db = new Database(path.join(dir, DATABASE_FILE));
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.pragma('journal_mode = DELETE');
    db.close();
    refused(dir, /^The database .* was written by a newer StoryOS \(schema \d+\); upgrade StoryOS to open it\.$/);
  });

  it('takes an SQLite database with no tables at all for a new store', async () => {
    const dir = tempDir();
    const empty = new Database(path.join(dir, DATABASE_FILE));
    empty.exec('CREATE TABLE t (x); DROP TABLE t;');
    empty.close();
    expect(fs.statSync(path.join(dir, DATABASE_FILE)).size).toBeGreaterThan(0);
    const store = SqliteStore.open(dir);
    expect(await store.countUsers()).toBe(0);
    await store.close();
  });

  it('makes one store for two first starts at once, owner-only, with nothing left beside it (a new store is built beside storyos.db and linked into place)', async () => {
    const dir = path.join(tempDir(), 'data');
    const [a, b] = [SqliteStore.open(dir), SqliteStore.open(dir)];
    await a.createUser(user('alice'));
    expect(await b.findUser('alice')).not.toBeNull();
    await a.close();
    await b.close();
    expect(fs.readdirSync(dir).filter((f) => f.includes('.new-'))).toEqual([]);
    expect(fs.statSync(path.join(dir, DATABASE_FILE)).mode & 0o777).toBe(0o600);
  });
});
