/** The records of SPEC §6 and the one interface both stores implement. */

export type Role = 'admin' | 'user';
export type Sender = 'player' | 'StoryOS';

export interface UserRecord {
  username: string;
  username_lower: string;
  password_hash: string;
  role: Role;
  created_at: Date;
  last_login_at: Date | null;
  failed_attempts: number;
  locked_until: Date | null;
}

/** A user as shown to anyone: never the hash. */
export type PublicUser = Omit<UserRecord, 'password_hash'>;

export interface LockoutPolicy {
  maxFailures: number;
  lockMs: number;
}

/** The answer of `Store.reserveLoginAttempt`: whether the password may be checked, and the count after it. */
export interface LoginReservation {
  granted: boolean;
  failed_attempts: number;
  locked_until: Date | null;
}

export interface ScenarioFields {
  scenario_id: string;
  name: string;
  author: string;
  version: string;
  description: string;
  setting: string;
  player_name: string;
  role: string;
  initial_location: string;
  dungeon_master_behaviour: string;
  /** The scenario's world-info entries, shared by every game of it; absent when it has none. */
  world_info?: WorldInfoEntry[];
}

/** The fields of a scenario that are one text each (every field but its world info). */
export type ScenarioTextKey = Exclude<keyof ScenarioFields, 'world_info'>;

/**
 * A world-info (lorebook) entry: its content enters the narrator's prompt when one of its keys
 * appears in the recent story or the action (SPEC §12).
 */
export interface WorldInfoEntry {
  /** Words or phrases (matched whole, whatever their case), or `/regex/flags`. */
  keys: string[];
  content: string;
  /** Higher first when the budget is short (default 100). */
  order: number;
  /** In every prompt, whatever the story says. */
  always: boolean;
}

/** The author's note: an instruction inserted `depth` messages before the end of the history. */
export interface AuthorNote {
  text: string;
  depth: number;
}

/** A game's own narrator settings; what is not set comes from the configuration. */
export interface NarratorSettings {
  model?: string;
  temperature?: number;
  /** `max_tokens` of a narration. */
  max_tokens?: number;
}

/** What the player sets to steer the narrator of one game (SPEC §12); absent on games made before it. */
export interface SessionSteering {
  /** Facts the narrator must not forget, always in the prompt after the scenario. */
  memory?: string;
  note?: AuthorNote;
  settings?: NarratorSettings;
  /** World-info entries the player added to this game (the scenario's are shared). */
  lore?: WorldInfoEntry[];
}

export interface ScenarioRecord extends ScenarioFields {
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

export interface SystemPromptRecord {
  name: string;
  version: number;
  content: string;
  active: boolean;
  created_at: Date;
  created_by: string;
}

export interface TimelineEvent {
  title: string;
  description: string;
  characters: string[];
}

/**
 * The story state after a narrator message. The timeline is not repeated on every message:
 * each narrator message keeps its own turn's event, and the timeline of a branch is the
 * events along it (so a 5,000-turn story stores 5,000 events, not 5,000 timelines).
 */
export interface StoryState {
  world_state: string;
  last_scene: string;
  location: string;
  synopsis: string;
  characters: Record<string, string>;
  event: TimelineEvent | null;
}

export interface TokenUsage {
  tokens_in: number;
  tokens_out: number;
}

export interface SessionRecord extends SessionSteering {
  id: string;
  user: string;
  scenario_id: string;
  scenario_name: string;
  created_at: Date;
  updated_at: Date;
  /** The current message; null only before the opening is saved. */
  head: string | null;
  turn_count: number;
  usage: TokenUsage;
  /** The state of the head message's branch. */
  state: StoryState;
  /**
   * Which child was last shown at the branch points where it is not the default one (the latest
   * child that leads to a narration): /redo and a jump follow them. Absent when there is none.
   */
  choices?: BranchChoice[];
}

/** At a branch point, the child last shown: `parent` is a message id (null for the session's first messages). */
export interface BranchChoice {
  parent: string | null;
  child: string;
}

/**
 * How a narration ended: the server's `finish_reason` (`stop` is the only complete ending;
 * `length`, `content_filter`, … are the server's own), `cut` when the stream ended without one
 * (a closed connection, a reset, a proxy), `cancelled` when the player stopped it.
 */
export type FinishReason = 'stop' | 'length' | 'content_filter' | 'cut' | 'cancelled' | (string & {});

export interface NarrationMeta {
  model: string;
  usage: TokenUsage;
  ttft_ms: number | null;
  duration_ms: number;
  /** True for every ending but `stop`. */
  interrupted: boolean;
  finish_reason: FinishReason;
  /** For a narration the player wrote over another (/edit): the id of the narration it was edited from. */
  edited_from?: string;
  /** The prompt's token estimate, beside `usage.tokens_in` (the endpoint's count): /context is calibrated by the two. */
  prompt_tokens_estimate?: number;
}

/** Narration metadata as stored; records written before `finish_reason` existed get one from `interrupted`. */
export function narrationFromStored(meta: (Omit<NarrationMeta, 'finish_reason'> & { finish_reason?: FinishReason }) | null): NarrationMeta | null {
  if (!meta) return null;
  return { ...meta, finish_reason: meta.finish_reason ?? (meta.interrupted ? 'cut' : 'stop') };
}

export interface MessageRecord {
  id: string;
  session_id: string;
  parent_id: string | null;
  sender: Sender;
  content: string;
  created_at: Date;
  /** Narrator messages only. */
  narration: NarrationMeta | null;
  /** Narrator messages only: the story state after this message. */
  state: StoryState | null;
}

/** A message to append: its session is given by the call. */
export type NewMessage = Omit<MessageRecord, 'session_id'>;

/** A session as listed: its record's identity and progress, and the last scene. */
export type SessionSummary = Pick<SessionRecord, 'id' | 'user' | 'scenario_id' | 'scenario_name' | 'created_at' | 'updated_at' | 'turn_count'> & {
  last_scene: string;
};

/** What `appendMessages` changes on the session, in the same atomic step. */
export interface HeadUpdate {
  turn_count: number;
  usage: TokenUsage;
  state: StoryState;
  updated_at: Date;
  /** Replaces the session's choices when given (an empty list clears them); left as they are otherwise. */
  choices?: BranchChoice[];
}

export interface StoreCounts {
  users: number;
  scenarios: number;
  system_prompts: number;
  game_sessions: number;
  messages: number;
}

export type StoreEngine = 'sqlite' | 'mongodb';

export interface Store {
  readonly engine: StoreEngine;
  /** Where it lives, for `db status` (a file path, or a URI without credentials). */
  readonly location: string;
  close(): Promise<void>;
  counts(): Promise<StoreCounts>;

  countUsers(): Promise<number>;
  /** Throws DuplicateError when the name is taken, whatever its case. */
  createUser(user: UserRecord): Promise<void>;
  findUser(usernameLower: string): Promise<UserRecord | null>;
  listUsers(): Promise<PublicUser[]>;
  updateLoginState(usernameLower: string, state: Pick<UserRecord, 'failed_attempts' | 'locked_until' | 'last_login_at'>): Promise<void>;
  /**
   * Reserves one password check, before it is made, in one atomic step (parallel attempts each
   * take their own place): refused (`granted: false`, nothing changed) while the account is
   * locked or once `policy.maxFailures` attempts are counted; otherwise the attempt is counted
   * as a failure (an expired lock starts the count again), and the one that reaches
   * `policy.maxFailures` also locks until `now + policy.lockMs` (returned as `locked_until`).
   * null: no such user. A check that fails leaves its attempt counted.
   */
  reserveLoginAttempt(usernameLower: string, now: Date, policy: LockoutPolicy): Promise<LoginReservation | null>;
  /**
   * After a right password: clears the count and the lock and records the login, only if no lock
   * was set since the reservation (`lockedUntil` is the reservation's: null, or the lock that
   * attempt set itself). False, changing nothing, when another attempt locked the account meanwhile.
   */
  completeLogin(usernameLower: string, lockedUntil: Date | null, at: Date): Promise<boolean>;
  /** Creates the first account only while there is none (two first runs at once make one). */
  createFirstUser(user: UserRecord): Promise<boolean>;

  /** Inserts or replaces by scenario_id. */
  saveScenario(scenario: ScenarioRecord): Promise<void>;
  getScenario(scenarioId: string): Promise<ScenarioRecord | null>;
  listScenarios(): Promise<ScenarioRecord[]>;
  deleteScenario(scenarioId: string): Promise<boolean>;

  /** Adds a new version (one more than the latest) and makes it the active one. */
  addSystemPrompt(name: string, content: string, createdBy: string, at: Date): Promise<SystemPromptRecord>;
  /** Inserts a version exactly as given (migration); a version already there is left alone (false). */
  importSystemPrompt(prompt: SystemPromptRecord): Promise<boolean>;
  getActiveSystemPrompt(name: string): Promise<SystemPromptRecord | null>;
  listSystemPrompts(name: string): Promise<SystemPromptRecord[]>;
  activateSystemPrompt(name: string, version: number): Promise<boolean>;

  createSession(session: SessionRecord): Promise<void>;
  /** The session with its steering fields (memory, note, settings, lore), each absent when never set. */
  getSession(id: string): Promise<SessionRecord | null>;
  /**
   * Sets exactly the steering fields given (a field given as undefined is not given), leaving the
   * others as they are, in one atomic write; the session's updated_at is not changed. An empty
   * text or list is kept as given (that is how a player clears one). NotFoundError when there is
   * no such session. With `expected` (those fields as they were read; absent: never set), the write
   * is made only if each still holds that value: false, writing nothing, when another window
   * changed one meanwhile (so that two windows adding lore never lose an entry).
   */
  updateSteering(sessionId: string, steering: SessionSteering, expected?: SessionSteering): Promise<boolean>;
  listSessions(user: string | null): Promise<SessionSummary[]>;
  deleteSession(id: string): Promise<boolean>;

  /**
   * Saves messages (a player action and its narration, say) and moves the session's head to the
   * last of them, atomically: the head never points at a message that is not saved. They take
   * the next places in the session's order, in the order given (a turn's messages share one
   * created_at; the order does not depend on it). With `expectedHead`, refuses (ConflictError)
   * when the head has moved since, saving nothing (on MongoDB, unless it moves during the call:
   * then unreachable messages stay): two processes playing one game never silently bury each
   * other's turns.
   */
  appendMessages(sessionId: string, messages: NewMessage[], update: HeadUpdate, expectedHead?: string | null): Promise<void>;
  /**
   * Moves the head to an existing message of the session (undo, choosing a branch), atomically with
   * `update`. With `expectedHead`, refuses (ConflictError) when the head has moved since, changing nothing.
   */
  setHead(sessionId: string, messageId: string, update: HeadUpdate, expectedHead?: string | null): Promise<void>;
  /** Replaces a narrator message's story state, and the session's when it is the head. */
  updateMessageState(sessionId: string, messageId: string, state: StoryState): Promise<void>;
  getMessage(id: string): Promise<MessageRecord | null>;
  /** The last `limit` messages of the branch ending at `headId`, oldest first. */
  getBranch(sessionId: string, headId: string, limit: number): Promise<MessageRecord[]>;
  /** The children of a message (the session's first messages for null), in the order they were appended. */
  getChildren(sessionId: string, parentId: string | null): Promise<MessageRecord[]>;
  /** The children of any of these messages (null: the session's first messages), all in the one order they were appended. */
  getChildrenOf(sessionId: string, parentIds: Array<string | null>): Promise<MessageRecord[]>;
  /** Every message of the session, in the order they were appended (export, migration). */
  listMessages(sessionId: string): Promise<MessageRecord[]>;
  /** Inserts a session with its messages exactly as given, in that order (migration); an existing one is left alone. */
  importSession(session: SessionRecord, messages: MessageRecord[]): Promise<boolean>;
}

export const EMPTY_STATE: StoryState = { world_state: '', last_scene: '', location: '', synopsis: '', characters: {}, event: null };
