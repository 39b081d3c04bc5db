import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { ConflictError, DuplicateError, NotFoundError, StoreUnavailableError } from '../errors.js';
import { instrumented } from '../instrument.js';
import type {
  HeadUpdate,
  LockoutPolicy,
  LoginReservation,
  MessageRecord,
  NewMessage,
  PublicUser,
  ScenarioRecord,
  SessionRecord,
  SessionSteering,
  SessionSummary,
  StoreCounts,
  Store,
  StoryState,
  SystemPromptRecord,
  UserRecord,
} from '../types.js';
import {
  choicesToText,
  messageFromRow,
  messageToRow,
  promptFromRow,
  scenarioFromRow,
  scenarioToRow,
  sessionFromRow,
  sessionToRow,
  steeringToColumns,
  toDate,
  toText,
  userFromRow,
  type Row,
} from './rows.js';
import { databaseFile } from './file.js';
import { MIGRATIONS, migrate, schemaVersion } from './schema.js';

export { DATABASE_FILE } from './file.js';
/** How long a write waits for another process's transaction before giving up. */
const BUSY_TIMEOUT_MS = 15_000;

/** The first 16 bytes of every SQLite 3 database. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
/** The tables of StoryOS's schema (version 1 on). */
const STORYOS_TABLES = ['users', 'scenarios', 'system_prompts', 'game_sessions', 'messages'];

/** How a file that is no StoryOS store is refused: what it is, then what to do, in one sentence. */
function foreignFile(file: string, what: string): StoreUnavailableError {
  return new StoreUnavailableError(
    `The database ${file} ${what}, so StoryOS will not open it and leaves it as it is: move it away (or delete it) to start a new store there, or set STORYOS_DATA_DIR to the folder that holds your storyos.db.`,
  );
}

/**
 * Whether the database file exists, after making sure it is StoryOS's: a zero-byte file, a file
 * that is not SQLite, an SQLite database with tables but not StoryOS's, or one from a newer
 * StoryOS is refused (StoreUnavailableError) with nothing written to it. An SQLite database with
 * no tables at all is taken as a new store.
 */
function checkExisting(file: string): boolean {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat) return false;
  if (!stat.isFile()) throw foreignFile(file, 'is not a file');
  if (stat.size === 0) throw foreignFile(file, 'is empty (0 bytes)');
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, header, 0, header.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (!header.equals(SQLITE_HEADER)) throw foreignFile(file, 'is not an SQLite database');
  const db = new Database(file, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  try {
    const version = schemaVersion(db);
    if (version > MIGRATIONS.length)
      throw new StoreUnavailableError(`The database ${file} was written by a newer StoryOS (schema ${version}); upgrade StoryOS to open it.`);
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name));
    const ours = version > 0 && STORYOS_TABLES.every((t) => tables.has(t));
    if (!ours && tables.size > 0) throw foreignFile(file, "is an SQLite database of another program (its tables are not StoryOS's)");
    if (!ours && version > 0) throw foreignFile(file, `is an SQLite database of another program (schema ${version} without StoryOS's tables)`);
  } catch (error) {
    if (error instanceof StoreUnavailableError) throw error;
    throw foreignFile(file, `cannot be read as an SQLite database (${(error as Error).message})`);
  } finally {
    db.close();
  }
  return true;
}

/**
 * Makes a new store: built beside the file, then linked into place only if no file is there, so
 * that storyos.db never exists half-made (a zero-byte file is refused, not taken for a new store)
 * and two first starts at once end with one store.
 */
function createDatabase(file: string): void {
  const temporary = `${file}.new-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    fs.closeSync(fs.openSync(temporary, 'wx', 0o600));
    const db = new Database(temporary);
    try {
      db.pragma('journal_mode = WAL');
      migrate(db);
    } finally {
      db.close();
    }
    try {
      fs.linkSync(temporary, file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return;
      // No hard links here: an exclusive copy does as well.
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
      try {
        fs.copyFileSync(temporary, file, fs.constants.COPYFILE_EXCL);
      } catch (copyError) {
        if ((copyError as NodeJS.ErrnoException).code !== 'EEXIST') throw copyError;
      }
    }
  } finally {
    for (const leftover of [temporary, `${temporary}-wal`, `${temporary}-shm`]) fs.rmSync(leftover, { force: true });
  }
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** The embedded store: one SQLite file in WAL mode, shared safely by several processes. */
export class SqliteStore implements Store {
  readonly engine = 'sqlite' as const;
  readonly location: string;
  private readonly db: Database.Database;

  private constructor(file: string) {
    this.location = file;
    this.db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  }

  static open(dataDir: string): SqliteStore {
    const file = databaseFile(dataDir);
    let store: SqliteStore;
    try {
      if (fs.statSync(dataDir, { throwIfNoEntry: false })?.isDirectory() === false) {
        throw new StoreUnavailableError(`STORYOS_DATA_DIR (${dataDir}) is a file, not a folder: point it at a folder for the database.`);
      }
      // Only its owner reads the folder and the file (password hashes); SQLite gives the WAL
      // files the database file's permissions.
      fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      // A file that is not StoryOS's is refused before anything is written to it.
      if (!checkExisting(file)) createDatabase(file);
      store = new SqliteStore(file);
      store.db.pragma('journal_mode = WAL');
      store.db.pragma('synchronous = FULL');
      store.db.pragma('foreign_keys = ON');
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      throw new StoreUnavailableError(`Cannot open the database ${file}: ${(error as Error).message} (check STORYOS_DATA_DIR and its permissions).`);
    }
    migrate(store.db);
    return store;
  }

  private op<T>(operation: string, run: () => T, context?: Record<string, string | number>): Promise<T> {
    return instrumented('sqlite', operation, run, context);
  }

  private write<T>(run: () => T): T {
    return this.db.transaction(run).immediate();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  counts(): Promise<StoreCounts> {
    return this.op('counts', () => {
      const count = (table: string) => (this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      return {
        users: count('users'),
        scenarios: count('scenarios'),
        system_prompts: count('system_prompts'),
        game_sessions: count('game_sessions'),
        messages: count('messages'),
      };
    });
  }

  schemaVersion(): number {
    return schemaVersion(this.db);
  }

  countUsers(): Promise<number> {
    return this.op('count_users', () => (this.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n);
  }

  private insertUser(user: UserRecord): void {
    this.db
      .prepare(
        `INSERT INTO users (username, username_lower, password_hash, role, created_at, last_login_at, failed_attempts, locked_until)
         VALUES (@username, @username_lower, @password_hash, @role, @created_at, @last_login_at, @failed_attempts, @locked_until)`,
      )
      .run({ ...user, created_at: toText(user.created_at), last_login_at: toText(user.last_login_at), locked_until: toText(user.locked_until) });
  }

  createUser(user: UserRecord): Promise<void> {
    return this.op(
      'create_user',
      () => {
        try {
          this.insertUser(user);
        } catch (error) {
          if (isUniqueViolation(error)) throw new DuplicateError(`The username ${user.username} is taken.`);
          throw error;
        }
      },
      { rows: 1 },
    );
  }

  findUser(usernameLower: string): Promise<UserRecord | null> {
    return this.op('find_user', () => {
      const row = this.db.prepare('SELECT * FROM users WHERE username_lower = ?').get(usernameLower) as Row | undefined;
      return row ? userFromRow(row) : null;
    });
  }

  listUsers(): Promise<PublicUser[]> {
    return this.op('list_users', () =>
      (this.db.prepare('SELECT * FROM users ORDER BY username_lower').all() as Row[]).map((r) => {
        const { password_hash: _hash, ...user } = userFromRow(r);
        return user;
      }),
    );
  }

  updateLoginState(usernameLower: string, state: Pick<UserRecord, 'failed_attempts' | 'locked_until' | 'last_login_at'>): Promise<void> {
    return this.op(
      'update_login_state',
      () => {
        this.db
          .prepare('UPDATE users SET failed_attempts = ?, locked_until = ?, last_login_at = ? WHERE username_lower = ?')
          .run(state.failed_attempts, toText(state.locked_until), toText(state.last_login_at), usernameLower);
      },
      { rows: 1 },
    );
  }

  reserveLoginAttempt(usernameLower: string, now: Date, policy: LockoutPolicy): Promise<LoginReservation | null> {
    return this.op('reserve_login_attempt', () =>
      this.write(() => {
        const row = this.db.prepare('SELECT failed_attempts, locked_until FROM users WHERE username_lower = ?').get(usernameLower) as Row | undefined;
        if (!row) return null;
        const lockedUntil = toDate(row.locked_until as string | null);
        const count = row.failed_attempts as number;
        if (lockedUntil !== null && lockedUntil > now) return { granted: false, failed_attempts: count, locked_until: lockedUntil };
        const base = lockedUntil !== null ? 0 : count;
        if (base >= policy.maxFailures) return { granted: false, failed_attempts: count, locked_until: lockedUntil };
        const failed = base + 1;
        const locked = failed >= policy.maxFailures ? new Date(now.getTime() + policy.lockMs) : null;
        this.db.prepare('UPDATE users SET failed_attempts = ?, locked_until = ? WHERE username_lower = ?').run(failed, toText(locked), usernameLower);
        return { granted: true, failed_attempts: failed, locked_until: locked };
      }),
    );
  }

  completeLogin(usernameLower: string, lockedUntil: Date | null, at: Date): Promise<boolean> {
    return this.op(
      'complete_login',
      () =>
        this.db
          .prepare(
            'UPDATE users SET failed_attempts = 0, locked_until = NULL, last_login_at = ? WHERE username_lower = ? AND (locked_until IS NULL OR locked_until = ?)',
          )
          .run(toText(at), usernameLower, toText(lockedUntil)).changes > 0,
      { rows: 1 },
    );
  }

  createFirstUser(user: UserRecord): Promise<boolean> {
    return this.op('create_first_user', () =>
      this.write(() => {
        if ((this.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n > 0) return false;
        this.insertUser(user);
        return true;
      }),
    );
  }

  saveScenario(scenario: ScenarioRecord): Promise<void> {
    return this.op(
      'save_scenario',
      () => {
        this.db
          .prepare(
            `INSERT INTO scenarios (scenario_id, name, author, version, description, setting, player_name, role, initial_location, dungeon_master_behaviour, world_info, created_by, created_at, updated_at)
             VALUES (@scenario_id, @name, @author, @version, @description, @setting, @player_name, @role, @initial_location, @dungeon_master_behaviour, @world_info, @created_by, @created_at, @updated_at)
             ON CONFLICT (scenario_id) DO UPDATE SET name = excluded.name, author = excluded.author, version = excluded.version, description = excluded.description,
               setting = excluded.setting, player_name = excluded.player_name, role = excluded.role, initial_location = excluded.initial_location,
               dungeon_master_behaviour = excluded.dungeon_master_behaviour, world_info = excluded.world_info, updated_at = excluded.updated_at`,
          )
          .run(scenarioToRow(scenario));
      },
      { scenario_id: scenario.scenario_id },
    );
  }

  getScenario(scenarioId: string): Promise<ScenarioRecord | null> {
    return this.op('get_scenario', () => {
      const row = this.db.prepare('SELECT * FROM scenarios WHERE scenario_id = ?').get(scenarioId) as Row | undefined;
      return row ? scenarioFromRow(row) : null;
    });
  }

  listScenarios(): Promise<ScenarioRecord[]> {
    return this.op('list_scenarios', () => (this.db.prepare('SELECT * FROM scenarios ORDER BY name, scenario_id').all() as Row[]).map(scenarioFromRow));
  }

  deleteScenario(scenarioId: string): Promise<boolean> {
    return this.op('delete_scenario', () => this.db.prepare('DELETE FROM scenarios WHERE scenario_id = ?').run(scenarioId).changes > 0);
  }

  addSystemPrompt(name: string, content: string, createdBy: string, at: Date): Promise<SystemPromptRecord> {
    return this.op('add_system_prompt', () =>
      this.write(() => {
        const { latest } = this.db.prepare('SELECT coalesce(max(version), 0) AS latest FROM system_prompts WHERE name = ?').get(name) as { latest: number };
        this.db.prepare('UPDATE system_prompts SET active = 0 WHERE name = ?').run(name);
        const record: SystemPromptRecord = { name, version: latest + 1, content, active: true, created_at: at, created_by: createdBy };
        this.db
          .prepare('INSERT INTO system_prompts (name, version, content, active, created_at, created_by) VALUES (?, ?, ?, 1, ?, ?)')
          .run(name, record.version, content, toText(at), createdBy);
        return record;
      }),
    );
  }

  importSystemPrompt(prompt: SystemPromptRecord): Promise<boolean> {
    return this.op(
      'import_system_prompt',
      () =>
        this.db
          .prepare('INSERT OR IGNORE INTO system_prompts (name, version, content, active, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)')
          .run(prompt.name, prompt.version, prompt.content, prompt.active ? 1 : 0, toText(prompt.created_at), prompt.created_by).changes > 0,
    );
  }

  getActiveSystemPrompt(name: string): Promise<SystemPromptRecord | null> {
    return this.op('get_active_system_prompt', () => {
      const row = this.db.prepare('SELECT * FROM system_prompts WHERE name = ? AND active = 1').get(name) as Row | undefined;
      return row ? promptFromRow(row) : null;
    });
  }

  listSystemPrompts(name: string): Promise<SystemPromptRecord[]> {
    return this.op('list_system_prompts', () =>
      (this.db.prepare('SELECT * FROM system_prompts WHERE name = ? ORDER BY version').all(name) as Row[]).map(promptFromRow),
    );
  }

  activateSystemPrompt(name: string, version: number): Promise<boolean> {
    return this.op('activate_system_prompt', () =>
      this.write(() => {
        if (!this.db.prepare('SELECT 1 FROM system_prompts WHERE name = ? AND version = ?').get(name, version)) return false;
        this.db.prepare('UPDATE system_prompts SET active = (version = ?) WHERE name = ?').run(version, name);
        return true;
      }),
    );
  }

  private insertSession(session: SessionRecord): void {
    this.db
      .prepare(
        `INSERT INTO game_sessions (id, user, scenario_id, scenario_name, created_at, updated_at, head, turn_count, tokens_in, tokens_out, state, choices, memory, note, settings, lore)
         VALUES (@id, @user, @scenario_id, @scenario_name, @created_at, @updated_at, @head, @turn_count, @tokens_in, @tokens_out, @state, @choices, @memory, @note, @settings, @lore)`,
      )
      .run(sessionToRow(session));
  }

  /** Inside a write transaction: each message gets the next `seq` of its session, in the order given. */
  private insertMessages(sessionId: string, messages: NewMessage[]): void {
    const { last } = this.db.prepare('SELECT coalesce(max(seq), 0) AS last FROM messages WHERE session_id = ?').get(sessionId) as { last: number };
    const insert = this.db.prepare(
      'INSERT INTO messages (id, session_id, parent_id, sender, content, created_at, narration, state, seq) VALUES (@id, @session_id, @parent_id, @sender, @content, @created_at, @narration, @state, @seq)',
    );
    messages.forEach((message, i) => {
      insert.run({ ...messageToRow(sessionId, message), seq: last + i + 1 });
    });
  }

  createSession(session: SessionRecord): Promise<void> {
    return this.op(
      'create_session',
      () => {
        this.insertSession(session);
      },
      { session: session.id },
    );
  }

  getSession(id: string): Promise<SessionRecord | null> {
    return this.op(
      'get_session',
      () => {
        const row = this.db.prepare('SELECT * FROM game_sessions WHERE id = ?').get(id) as Row | undefined;
        return row ? sessionFromRow(row) : null;
      },
      { session: id },
    );
  }

  updateSteering(sessionId: string, steering: SessionSteering, expected?: SessionSteering): Promise<boolean> {
    return this.op(
      'update_steering',
      () => {
        const columns = steeringToColumns(steering);
        const names = Object.keys(columns);
        const exists = () => this.db.prepare('SELECT 1 FROM game_sessions WHERE id = ?').get(sessionId) !== undefined;
        if (names.length === 0) {
          if (!exists()) throw new NotFoundError(`No game session ${sessionId}.`);
          return true;
        }
        const was = expected ? steeringToColumns(expected) : {};
        const unchanged = expected ? names.map((n) => ` AND ${n} IS @was_${n}`).join('') : '';
        const params = { ...columns, ...Object.fromEntries(names.map((n) => [`was_${n}`, was[n] ?? null])), id: sessionId };
        const sql = `UPDATE game_sessions SET ${names.map((n) => `${n} = @${n}`).join(', ')} WHERE id = @id${expected ? unchanged : ''}`;
        if (this.db.prepare(sql).run(expected ? params : { ...columns, id: sessionId }).changes > 0) return true;
        if (!exists()) throw new NotFoundError(`No game session ${sessionId}.`);
        return false;
      },
      { session: sessionId, rows: 1 },
    );
  }

  listSessions(user: string | null): Promise<SessionSummary[]> {
    return this.op('get_user_game_sessions', () => {
      const sql = `SELECT id, user, scenario_id, scenario_name, created_at, updated_at, turn_count, json_extract(state, '$.last_scene') AS last_scene
                   FROM game_sessions ${user === null ? '' : 'WHERE user = ?'} ORDER BY updated_at DESC, rowid DESC`;
      const rows = (user === null ? this.db.prepare(sql).all() : this.db.prepare(sql).all(user)) as Row[];
      return rows.map((r) => ({
        id: r.id as string,
        user: r.user as string,
        scenario_id: r.scenario_id as string,
        scenario_name: r.scenario_name as string,
        created_at: new Date(r.created_at as string),
        updated_at: new Date(r.updated_at as string),
        turn_count: r.turn_count as number,
        last_scene: (r.last_scene as string | null) ?? '',
      }));
    });
  }

  deleteSession(id: string): Promise<boolean> {
    return this.op('delete_session', () => this.write(() => this.db.prepare('DELETE FROM game_sessions WHERE id = ?').run(id).changes > 0), { session: id });
  }

  private updateHead(sessionId: string, head: string, update: HeadUpdate, expectedHead?: string | null): void {
    const values = [
      head,
      update.turn_count,
      update.usage.tokens_in,
      update.usage.tokens_out,
      JSON.stringify(update.state),
      toText(update.updated_at),
      ...(update.choices === undefined ? [] : [choicesToText(update.choices)]),
      sessionId,
    ];
    const sql = `UPDATE game_sessions SET head = ?, turn_count = ?, tokens_in = ?, tokens_out = ?, state = ?, updated_at = ?${update.choices === undefined ? '' : ', choices = ?'} WHERE id = ?`;
    const changed =
      expectedHead === undefined ? this.db.prepare(sql).run(...values).changes : this.db.prepare(`${sql} AND head IS ?`).run(...values, expectedHead).changes;
    if (changed > 0) return;
    if (!this.db.prepare('SELECT 1 FROM game_sessions WHERE id = ?').get(sessionId)) throw new NotFoundError(`No game session ${sessionId}.`);
    throw new ConflictError(`Game session ${sessionId} was played elsewhere meanwhile.`);
  }

  appendMessages(sessionId: string, messages: NewMessage[], update: HeadUpdate, expectedHead?: string | null): Promise<void> {
    return this.op(
      'append_messages',
      () =>
        this.write(() => {
          this.insertMessages(sessionId, messages);
          this.updateHead(sessionId, (messages[messages.length - 1] as NewMessage).id, update, expectedHead);
        }),
      { session: sessionId, rows: messages.length },
    );
  }

  setHead(sessionId: string, messageId: string, update: HeadUpdate, expectedHead?: string | null): Promise<void> {
    return this.op(
      'set_head',
      () =>
        this.write(() => {
          if (!this.db.prepare('SELECT 1 FROM messages WHERE id = ? AND session_id = ?').get(messageId, sessionId)) {
            throw new NotFoundError(`No message ${messageId} in game session ${sessionId}.`);
          }
          this.updateHead(sessionId, messageId, update, expectedHead);
        }),
      { session: sessionId, rows: 1 },
    );
  }

  updateMessageState(sessionId: string, messageId: string, state: StoryState): Promise<void> {
    return this.op(
      'update_message_state',
      () =>
        this.write(() => {
          const text = JSON.stringify(state);
          if (this.db.prepare('UPDATE messages SET state = ? WHERE id = ? AND session_id = ?').run(text, messageId, sessionId).changes === 0) {
            throw new NotFoundError(`No message ${messageId} in game session ${sessionId}.`);
          }
          this.db.prepare('UPDATE game_sessions SET state = ? WHERE id = ? AND head = ?').run(text, sessionId, messageId);
        }),
      { session: sessionId, rows: 1 },
    );
  }

  getMessage(id: string): Promise<MessageRecord | null> {
    return this.op('get_message', () => {
      const row = this.db.prepare('SELECT * FROM messages WHERE id = ?').get(id) as Row | undefined;
      return row ? messageFromRow(row) : null;
    });
  }

  getBranch(sessionId: string, headId: string, limit: number): Promise<MessageRecord[]> {
    return this.op(
      'get_branch',
      () =>
        (
          this.db
            .prepare(
              `WITH RECURSIVE branch (id, parent_id, depth) AS (
                 SELECT id, parent_id, 0 FROM messages WHERE id = ? AND session_id = ?
                 UNION ALL
                 SELECT m.id, m.parent_id, b.depth + 1 FROM messages m JOIN branch b ON m.id = b.parent_id WHERE b.depth + 1 < ?
               )
               SELECT m.* FROM branch b JOIN messages m ON m.id = b.id ORDER BY b.depth DESC`,
            )
            .all(headId, sessionId, limit) as Row[]
        ).map(messageFromRow),
      { session: sessionId, limit },
    );
  }

  getChildren(sessionId: string, parentId: string | null): Promise<MessageRecord[]> {
    return this.op('get_children', () =>
      (
        this.db
          // By the parent index: ordered by seq, SQLite would otherwise walk every message of the session.
          .prepare(
            `SELECT * FROM messages INDEXED BY messages_by_parent WHERE session_id = ? AND parent_id ${parentId === null ? 'IS NULL' : '= ?'} ORDER BY seq`,
          )
          .all(...(parentId === null ? [sessionId] : [sessionId, parentId])) as Row[]
      ).map(messageFromRow),
    );
  }

  getChildrenOf(sessionId: string, parentIds: Array<string | null>): Promise<MessageRecord[]> {
    const ids = parentIds.filter((id): id is string => id !== null);
    return this.op(
      'get_children',
      () =>
        (
          this.db
            .prepare(
              // Each part by the parent index (an OR, or ORDER BY seq alone, would walk every message of the session).
              `SELECT * FROM messages INDEXED BY messages_by_parent WHERE session_id = @session AND parent_id IN (SELECT value FROM json_each(@ids))${
                parentIds.includes(null)
                  ? ' UNION ALL SELECT * FROM messages INDEXED BY messages_by_parent WHERE session_id = @session AND parent_id IS NULL'
                  : ''
              } ORDER BY seq`,
            )
            .all({ session: sessionId, ids: JSON.stringify(ids) }) as Row[]
        ).map(messageFromRow),
      { session: sessionId },
    );
  }

  listMessages(sessionId: string): Promise<MessageRecord[]> {
    return this.op(
      'list_messages',
      () => (this.db.prepare('SELECT * FROM messages WHERE session_id = ? ORDER BY seq').all(sessionId) as Row[]).map(messageFromRow),
      {
        session: sessionId,
      },
    );
  }

  importSession(session: SessionRecord, messages: MessageRecord[]): Promise<boolean> {
    return this.op(
      'import_session',
      () =>
        this.write(() => {
          if (this.db.prepare('SELECT 1 FROM game_sessions WHERE id = ?').get(session.id)) return false;
          this.insertSession(session);
          this.insertMessages(session.id, messages);
          return true;
        }),
      { session: session.id },
    );
  }
}
