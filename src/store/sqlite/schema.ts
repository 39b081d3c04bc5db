import type Database from 'better-sqlite3';

/**
 * Each migration moves the schema one version up; they run in order, in one IMMEDIATE
 * transaction, when a database is opened. Never edit a released migration: add one.
 */
export const MIGRATIONS: string[] = [
  `
  CREATE TABLE users (
    username TEXT NOT NULL,
    username_lower TEXT NOT NULL PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
    created_at TEXT NOT NULL,
    last_login_at TEXT,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT
  );
  CREATE TABLE scenarios (
    scenario_id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    author TEXT NOT NULL,
    version TEXT NOT NULL,
    description TEXT NOT NULL,
    setting TEXT NOT NULL,
    player_name TEXT NOT NULL,
    role TEXT NOT NULL,
    initial_location TEXT NOT NULL,
    dungeon_master_behaviour TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE system_prompts (
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    content TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (name, version)
  );
  CREATE TABLE game_sessions (
    id TEXT NOT NULL PRIMARY KEY,
    user TEXT NOT NULL,
    scenario_id TEXT NOT NULL,
    scenario_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    head TEXT,
    turn_count INTEGER NOT NULL DEFAULT 0,
    tokens_in INTEGER NOT NULL DEFAULT 0,
    tokens_out INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL
  );
  CREATE INDEX game_sessions_by_user ON game_sessions (user, updated_at);
  CREATE TABLE messages (
    id TEXT NOT NULL PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES game_sessions (id) ON DELETE CASCADE,
    parent_id TEXT,
    sender TEXT NOT NULL CHECK (sender IN ('player', 'StoryOS')),
    content TEXT NOT NULL,
    created_at TEXT NOT NULL,
    narration TEXT,
    state TEXT
  );
  CREATE INDEX messages_by_parent ON messages (session_id, parent_id);
  `,
  // 2: messages keep the order they were appended in (`seq`, from 1 in each session), which every
  // query sorts by: a turn's action and narration share one created_at. Rows already there are
  // numbered in the order they were inserted (rowid).
  `
  ALTER TABLE messages ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
  UPDATE messages SET seq = numbered.n
    FROM (SELECT rowid AS r, row_number() OVER (PARTITION BY session_id ORDER BY rowid) AS n FROM messages) AS numbered
    WHERE messages.rowid = numbered.r;
  CREATE UNIQUE INDEX messages_in_order ON messages (session_id, seq);
  `,
  // 3: a session remembers, at its branch points, which child was last shown (/redo, /tree), as a
  // JSON list of { parent, child }; null when there is none.
  `
  ALTER TABLE game_sessions ADD COLUMN choices TEXT;
  `,
  // 4: steering the narrator (SPEC §12). A scenario keeps its world info, a session its memory
  // (text), author's note, narrator settings and the player's own world info (JSON text); null
  // when never set.
  `
  ALTER TABLE scenarios ADD COLUMN world_info TEXT;
  ALTER TABLE game_sessions ADD COLUMN memory TEXT;
  ALTER TABLE game_sessions ADD COLUMN note TEXT;
  ALTER TABLE game_sessions ADD COLUMN settings TEXT;
  ALTER TABLE game_sessions ADD COLUMN lore TEXT;
  `,
];

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Brings the schema up to date; safe when two processes open a new database at once. */
export function migrate(db: Database.Database): void {
  const apply = db.transaction(() => {
    for (let version = schemaVersion(db); version < MIGRATIONS.length; version++) {
      db.exec(MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    }
  });
  if (schemaVersion(db) < MIGRATIONS.length) apply.immediate();
}
