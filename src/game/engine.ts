import { UserFacingError } from '../config/errors.js';
import { LlmError } from '../llm/errors.js';
import { sanitizeText } from '../llm/sanitize.js';
import { sleep } from '../llm/retry.js';
import type { LlmClient, RetryWait, StreamResult } from '../llm/types.js';
import { formatDuration } from '../logging/format.js';
import { currentLogContext, newTurnId, tallyOf, withLogContext } from '../logging/log-context.js';
import { getLogger, logError, logPerf, logUserAction } from '../logging/logger.js';
import { ConflictError, isTransientStoreError, NotFoundError } from '../store/errors.js';
import { newMessageId, newSessionId } from '../store/ids.js';
import { NARRATOR_PROMPT, DEFAULT_NARRATOR_PROMPT } from '../store/seed/prompts.js';
import {
  EMPTY_STATE,
  type AuthorNote,
  type BranchChoice,
  type FinishReason,
  type MessageRecord,
  type NarratorSettings,
  type NewMessage,
  type PublicUser,
  type ScenarioRecord,
  type SessionRecord,
  type SessionSteering,
  type Store,
  type StoryState,
  type TimelineEvent,
  type TokenUsage,
  type WorldInfoEntry,
} from '../store/types.js';
import {
  type BranchPoint,
  branchPoints,
  edgesOf,
  lineFrom,
  MessageTree,
  nextNarration,
  ONE_TELLING,
  type Telling,
  tellingIndex,
  tellingsOf,
  turnStartOf,
  withChoices,
} from './branches.js';
import { calibrated, type EstimateBasis, TokenCalibration } from './calibration.js';
import { assemblePrompt, DEFAULT_BUDGET, DEFAULT_NOTE_DEPTH, type AssembledPrompt, type PromptBudget, type PromptSection } from './prompt.js';
import { DEFAULT_WORLD_INFO_ORDER, DEFAULT_WORLD_INFO_WINDOW, keyProblem, type WorldInfoMatch } from './world-info.js';
import { SessionAccess } from './sessions.js';
import { applyStateUpdate, parseStateUpdate, STATE_UPDATE_SCHEMA, stateUpdateMessages, type TurnToSummarise } from './state-update.js';

const log = getLogger('game_logic');

/** Messages of the branch loaded for a turn: the prompt's history and recent timeline come from them. */
const BRANCH_WINDOW = 40;
export const MAX_ACTION_CHARS = 2000;
/** How often a steering change is tried again when another window changed the same field meanwhile. */
const STEERING_WRITE_TRIES = 5;
/** What /context shows where the next action will be. */
const NEXT_ACTION_PLACEHOLDER = '(your next action)';
/** The longest narration a player may write with /edit. */
export const MAX_NARRATION_EDIT_CHARS = 20_000;
/** The longest narration asked of the narrator by default (`max_tokens`). */
export const DEFAULT_NARRATION_MAX_TOKENS = 2048;
/** The longest a turn waits for the story-state update of the turn before it. */
export const STATE_UPDATE_WAIT_MS = 1000;
/** A failed story-state update is tried once more after this pause, in the background. */
const STATE_UPDATE_RETRY_MS = 500;
/** The most turns whose missed state updates one update catches up with (the window read is twice this, plus one: continuations have no action). */
const STATE_CATCH_UP_TURNS = 6;
/** Pauses between the tries of a save that failed on a busy database or a dropped connection. */
const STORE_RETRY_MS = [50, 200, 800];
/** How long a scenario read is used before it is read again (an admin may edit its world info meanwhile). */
const SCENARIO_CACHE_MS = 5000;
/** Narrator messages read to seed the calibration of a game's model when it is first played in a run. */
const CALIBRATION_SEED_MESSAGES = 20;

/** The longest memory, author's note and lore entry a player may write, and the most lore entries of one game. */
export const MAX_MEMORY_CHARS = 4000;
export const MAX_NOTE_CHARS = 1000;
export const MAX_LORE_ENTRY_CHARS = 2000;
export const MAX_GAME_LORE = 200;
export const MAX_NOTE_DEPTH = 100;
export const MAX_LORE_KEYS = 20;
export const MAX_LORE_KEY_CHARS = 100;
export const MAX_LORE_ORDER = 10_000;
/** A game's narrator settings: temperature and maximum narration length (tokens). */
export const TEMPERATURE_RANGE = { min: 0, max: 2 } as const;
export const MAX_TOKENS_RANGE = { min: 16, max: 32768 } as const;

export interface EngineOptions {
  store: Store;
  llm: LlmClient;
  narratorModel: string;
  summaryModel: string;
  budget?: PromptBudget;
  now?: () => Date;
  /** `max_tokens` of a narration (DEFAULT_NARRATION_MAX_TOKENS). */
  narrationMaxTokens?: number;
  /** The narrator's `temperature` for games that set none; unset: the endpoint's own default. */
  narratorTemperature?: number | undefined;
  /** World-info keys are looked for in this many last messages and the action (DEFAULT_WORLD_INFO_WINDOW). */
  worldInfoWindow?: number;
  /** Pauses between the tries of a failed save (tests shorten them). */
  storeRetryMs?: number[];
}

export interface PlayOptions {
  signal?: AbortSignal | undefined;
  onText?: ((text: string) => void) | undefined;
  /** Told before each wait between the narrator's attempts (rate limits, server errors, timeouts). */
  onWait?: ((wait: RetryWait) => void) | undefined;
}

export interface TurnResult {
  session: SessionRecord;
  message: MessageRecord;
  interrupted: boolean;
  finishReason: FinishReason;
  /** A sentence for the player when the narration was cut short (not when they stopped it). */
  notice: string | null;
  /** Of the attempt that answered. */
  ttftMs: number | null;
  durationMs: number;
  /** Spent on failed attempts and the waits between them, before the one that answered. */
  waitedMs: number;
  attempts: number;
  usage: TokenUsage;
  /** Which telling of its turn the narration is ("‹ 2/3 ›" after a second /retry). */
  telling: Telling;
  /** The prompt's size against its budget, for the status bar (null: no prompt was sent for it, e.g. a kept narration saved). */
  prompt: PromptGauge | null;
}

/** The last prompt's size against the whole budget, in the endpoint's tokens when they are known. */
export interface PromptGauge {
  /** The endpoint's own count when it reported one (`real`), else the (calibrated) estimate. */
  tokens: number;
  /** The whole prompt budget, calibrated like the estimate. */
  budget: number;
  real: boolean;
  model: string;
  estimate: EstimateBasis;
}

/** A game's narrator settings in effect: its own, and the configuration's for the rest. */
export interface EffectiveSettings {
  model: string;
  /** null: the endpoint's own default. */
  temperature: number | null;
  max_tokens: number;
  /** The ones the game sets itself (the rest are the defaults). */
  custom: NarratorSettings;
}

/** What steers a game's narrator, for /memory, /note, /settings and /lore. */
export interface SteeringView {
  /** '' when none. */
  memory: string;
  /** text '' when none; depth DEFAULT_NOTE_DEPTH when the game set none. */
  note: AuthorNote;
  settings: EffectiveSettings;
  /** The scenario's world info, shared by its games (admins edit it). */
  scenarioLore: WorldInfoEntry[];
  /** The game's own entries, as numbered by removeLore (1-based). */
  lore: WorldInfoEntry[];
}

/** A lore entry as a player adds it: order DEFAULT_WORLD_INFO_ORDER and not always on, unless given. */
export interface NewLoreEntry {
  keys: string[];
  content: string;
  order?: number;
  always?: boolean;
}

/** Settings to change: a value sets it, null goes back to the default, absent leaves it. */
export type NarratorSettingsChange = { [K in keyof NarratorSettings]?: NarratorSettings[K] | null };

/** /lore: the entries, and which fired and why. */
export interface LoreReport {
  scenario: WorldInfoEntry[];
  game: WorldInfoEntry[];
  /** `last`: in the last narration's prompt (this run); `next`: none was told since the game was opened, so what would fire for the next turn. */
  basis: 'last' | 'next';
  /** That, in one sentence. */
  about: string;
  match: WorldInfoMatch;
}

/** A section of /context, in the numbers shown (calibrated when the model's counts are known). */
export interface ShownSection extends PromptSection {
  /** The raw estimate (about 4 characters a token). */
  estimated: number;
}

/** /context: the exact next prompt, every section with its tokens and budget, and how the numbers were made. */
export interface ContextView extends AssembledPrompt {
  sections: ShownSection[];
  /** The sum of the sections' shown tokens. */
  totalTokens: number;
  /** The whole budget, in the same tokens. */
  budgetTokens: number;
  /** The raw estimate of the whole prompt. */
  estimatedTokens: number;
  model: string;
  estimate: EstimateBasis;
}

export type { BranchAlternative, BranchPoint, Telling } from './branches.js';

/** Where the head is after a move among the tellings and branches. */
export interface HeadMove {
  /** After the move. */
  session: SessionRecord;
  /** The message now at the head. */
  head: MessageRecord;
  /** Of the head narration ({index: 1, count: 1} when it has no alternatives). */
  telling: Telling;
}

export interface UndoResult extends HeadMove {
  /** The player's action taken back, if any (the front end puts it back in the input line). */
  undoneAction: string | null;
}

/** A turn that produced nothing: the player's typed action comes back with it, to try again. */
export class TurnError extends UserFacingError {
  constructor(
    /** What went wrong: an LlmError's kind, `conflict`, or `store` (the turn could not be saved). */
    readonly failure: { kind: string; message: string },
    readonly action: string | null,
    /** The narration the player read but that could not be saved: /retry saves it. */
    readonly unsavedNarration: string | null = null,
  ) {
    super(failure.message, 1);
  }
}

const PLAYED_ELSEWHERE = 'This game was played in another window meanwhile, so this narration was not kept; /retry plays your action on the latest story.';
const ACTION_NOT_SAVED = 'The game could not be saved, so your action was not played; /retry sends it again.';
const TURN_NOT_SAVED = 'The game could not be saved; your action and this narration are kept, and /retry saves them (no new narration is asked for).';
const OPENING_NOT_SAVED = 'The game could not be saved; it is in Load game, and its opening is told again when you open it.';
const STILL_UNSAVED = 'The last narration is still not saved, so this action was not played: /retry saves it, then send your action again.';
const NO_OPENING_YET = 'This game has no opening yet: /retry tells it.';
const UNANSWERED_FIRST = 'Your last action has no narration yet: /retry sends it, or /undo takes it back.';
const UNSAVED_FIRST = 'The last narration is not saved yet: /retry saves it, or /undo drops it.';
const MOVED_ELSEWHERE = 'This game was played in another window meanwhile, so nothing was changed; open it again to see the latest story.';
const NOTHING_TO_REDO = 'Nothing to redo: this is the latest turn of this line.';
const NO_ACTION_TO_EDIT = 'The last turn has no action of yours to edit; /edit changes the narration.';
const NO_NARRATION_TO_EDIT = 'Your last action has no narration to edit yet: /retry sends it, or /edit action changes it.';

/** A narration that streamed but could not be saved, kept for /retry. */
interface UnsavedTurn {
  kind: Kind;
  session: SessionRecord;
  turn: Turn;
  result: StreamResult;
  previousState: StoryState;
  summaryAction: string | null;
  started: number;
  /** Its id, the same on every try: a save whose answer was lost is recognised as done. */
  narrationId: string;
  /** The prompt's estimate, kept on the narration for the calibration. */
  promptEstimate: number;
  gauge: PromptGauge;
}

/** A saved narration, the session after it, and which telling of its turn it is. */
interface SavedNarration {
  session: SessionRecord;
  message: MessageRecord;
  telling: Telling;
}

/** What one narration is told after and about. */
interface Turn {
  /** The message the narration (or the player's action) follows; null for an opening. */
  parentId: string | null;
  action: string | null;
  /** The action's message when it is already in the store (an unanswered action). */
  actionId?: string | undefined;
  instruction: string;
  turnCount: number;
  /** For a retry: the message the replaced narration followed (null when it was the opening). */
  stateFrom?: MessageRecord | null;
}

export interface StoryView {
  synopsis: string;
  world_state: string;
  location: string;
  last_scene: string;
  characters: Record<string, string>;
  timeline: TimelineEvent[];
}

type Kind = 'opening' | 'turn' | 'retry' | 'continue';

/** The operation a narration's PERF line and its error line name (`logs stats` pairs them for an error rate). */
const perfOperation = (kind: Kind) => (kind === 'turn' ? 'process_player_input' : kind);

const OPENING_INSTRUCTION = (s: ScenarioRecord) =>
  `Begin the story. Open with the scene at ${s.initial_location}, introduce ${s.player_name} (${s.role}) through what they see and feel, and end at a moment that asks the player what they do.`;
const CONTINUE_INSTRUCTION = '(The player waits. Continue the story from where it left off, then stop at a moment that asks the player what they do.)';

/** A player's action as it is played: sanitised and trimmed; empty or too long is one sentence. */
function checkedAction(typed: string): string {
  const action = sanitizeText(typed).trim();
  if (!action) throw new UserFacingError('Type what you do, or /help for the commands.', 2);
  if (action.length > MAX_ACTION_CHARS)
    throw new UserFacingError(`An action can be at most ${MAX_ACTION_CHARS} characters (this one has ${action.length}).`, 2);
  return action;
}

function stateWithoutEvent(state: StoryState): StoryState {
  return { ...state, event: null };
}

/** The session with these choices, as the store gives it back (none: no `choices` at all). */
function withSessionChoices(session: SessionRecord, choices: BranchChoice[]): SessionRecord {
  const { choices: _old, ...rest } = session;
  return choices.length > 0 ? { ...rest, choices } : rest;
}

/**
 * The message a narration's turn starts from (see branches.turnStartOf): the one its action follows
 * (a turn), the one before the narration it replaces (a retry), or its parent (a continuation).
 */
function turnStartOfTurn(turn: Turn): string | null {
  if (turn.actionId) return turn.parentId;
  const from = turn.stateFrom;
  if (from === undefined) return turn.parentId;
  if (from === null) return null;
  return from.sender === 'player' ? from.parent_id : from.id;
}

/**
 * The game, without any UI: sessions, turns, retry, undo, continue, the story's memory and the
 * prompt. Callers (the TUI, headless play) pass callbacks for streamed text and a signal to cancel.
 */
export class GameEngine {
  private readonly store: Store;
  private readonly llm: LlmClient;
  private readonly access: SessionAccess;
  private readonly budget: PromptBudget;
  private readonly now: () => Date;
  /** Per session: settles when its story-state update has had its first answer (or failed). */
  private readonly pendingUpdates = new Map<string, Promise<void>>();
  /** Per session: settles when the update, its retry included, is done (tests and benchmarks wait on it). */
  private readonly runningUpdates = new Map<string, Promise<void>>();
  /** The last action whose turn failed, per session: /retry sends it again. */
  private readonly failedActions = new Map<string, string>();
  /** A narration that could not be saved, per session: /retry saves it. */
  private readonly unsaved = new Map<string, UnsavedTurn>();
  /** Real prompt tokens per estimated one, per model. */
  private readonly calibration = new TokenCalibration();
  /** Sessions whose stored narrations have seeded the calibration in this run. */
  private readonly seeded = new Set<string>();
  /** Per session: the world info of the last narration's prompt, and its size. */
  private readonly lastPrompts = new Map<string, { worldInfo: WorldInfoMatch; gauge: PromptGauge }>();

  constructor(private readonly options: EngineOptions) {
    this.store = options.store;
    this.llm = options.llm;
    this.access = new SessionAccess(options.store);
    this.budget = options.budget ?? DEFAULT_BUDGET;
    this.now = options.now ?? (() => new Date());
  }

  get offline(): boolean {
    return this.llm.offline;
  }

  get narratorLabel(): string {
    return this.llm.label;
  }

  /** Loads the narrator ahead of the first turn (the UI calls this once it is on screen). */
  warmUp(): void {
    this.llm.warm?.();
  }

  listSessions(user: PublicUser) {
    return this.access.list(user);
  }

  openSession(user: PublicUser, sessionId: string): Promise<SessionRecord> {
    return this.access.open(user, sessionId);
  }

  /** The failed action waiting for /retry, if any. */
  failedAction(sessionId: string): string | undefined {
    return this.failedActions.get(sessionId);
  }

  /** Whether a narration the player read is waiting to be saved (/retry saves it). */
  hasUnsavedTurn(sessionId: string): boolean {
    return this.unsaved.has(sessionId);
  }

  /** Resolves when the session's story-state update (if any), its retry included, is done. */
  async settled(sessionId?: string): Promise<void> {
    if (sessionId) await this.runningUpdates.get(sessionId);
    else await Promise.all(this.runningUpdates.values());
  }

  /**
   * What exit waits for: the first answer of each running story-state update, at most
   * STATE_UPDATE_WAIT_MS. A retry still running is left; the next update catches up with it.
   */
  async beforeExit(): Promise<void> {
    await Promise.race([Promise.all(this.pendingUpdates.values()), sleep(STATE_UPDATE_WAIT_MS)]);
  }

  /**
   * Runs a turn-like operation (the opening, a turn, a retry, a continuation, a move among the
   * tellings, an edit) in a log context of its own: every line written inside it, by any module
   * (the store's, the narrator's, the story-state update's that it starts in the background),
   * carries `session` and a new `turn` id (newTurnId). One called from another (a retry that tells
   * the opening) stays in the caller's turn. `storyos logs replay` groups a game's lines by it.
   */
  private inTurn<T>(sessionId: string, run: () => Promise<T>): Promise<T> {
    const outer = currentLogContext();
    if (outer?.turn !== undefined && outer.session === sessionId) return run();
    return withLogContext({ session: sessionId, turn: newTurnId() }, run);
  }

  /** The player's last action when it is saved without a narration (the process ended first). */
  async unansweredAction(user: PublicUser, sessionId: string): Promise<string | null> {
    const session = await this.access.open(user, sessionId);
    // Its narration is kept, waiting to be saved: /retry saves it, so the action is not offered again.
    if (this.unsaved.has(sessionId)) return null;
    const head = session.head ? await this.store.getMessage(session.head) : null;
    return head?.sender === 'player' ? head.content : null;
  }

  /** A game whose opening was never saved (its process ended while it was told). */
  async needsOpening(user: PublicUser, sessionId: string): Promise<boolean> {
    return (await this.access.open(user, sessionId)).head === null;
  }

  /** Tells the opening of a game that has none. */
  async tellOpening(user: PublicUser, sessionId: string, play: PlayOptions = {}): Promise<TurnResult> {
    return this.inTurn(sessionId, async () => {
      const session = await this.ready(user, sessionId);
      if (session.head !== null) throw new UserFacingError('This game has begun already.', 1);
      const scenario = await this.scenarioOf(session);
      logUserAction(log, 'opening_again', user.username, { session: sessionId });
      return this.narrate('opening', session, { parentId: null, action: null, instruction: OPENING_INSTRUCTION(scenario), turnCount: 0 }, play);
    });
  }

  async newSession(user: PublicUser, scenarioId: string, play: PlayOptions = {}): Promise<TurnResult> {
    const id = newSessionId();
    return this.inTurn(id, () => this.startSession(user, id, scenarioId, play));
  }

  private async startSession(user: PublicUser, id: string, scenarioId: string, play: PlayOptions): Promise<TurnResult> {
    const scenario = await this.store.getScenario(scenarioId);
    if (!scenario) throw new NotFoundError(`No scenario ${JSON.stringify(scenarioId)}.`);
    const now = this.now();
    const session: SessionRecord = {
      id,
      user: user.username,
      scenario_id: scenario.scenario_id,
      scenario_name: scenario.name,
      created_at: now,
      updated_at: now,
      head: null,
      turn_count: 0,
      usage: { tokens_in: 0, tokens_out: 0 },
      state: { ...EMPTY_STATE, location: scenario.initial_location },
    };
    await this.store.createSession(session);
    logUserAction(log, 'new_game', user.username, { session: session.id, scenario: scenario.scenario_id });
    try {
      return await this.narrate('opening', session, { parentId: null, action: null, instruction: OPENING_INSTRUCTION(scenario), turnCount: 0 }, play);
    } catch (error) {
      if (error instanceof TurnError && error.failure.kind === 'store') {
        // The game stays, without an opening: it is told again when the game is next opened.
        this.unsaved.delete(session.id);
        throw new TurnError({ kind: 'store', message: OPENING_NOT_SAVED }, null);
      }
      try {
        await this.store.deleteSession(session.id);
      } catch (cleanup) {
        logError(log, 'A game that could not start could not be removed; it opens with its opening told again', cleanup, {
          operation: 'delete_session',
          session: session.id,
        });
      }
      throw error;
    }
  }

  async takeTurn(user: PublicUser, sessionId: string, action: string, play: PlayOptions = {}): Promise<TurnResult> {
    return this.inTurn(sessionId, async () => {
      const text = checkedAction(action);
      const session = await this.ready(user, sessionId);
      logUserAction(log, 'take_turn', user.username, { session: sessionId, input_length: text.length });
      // The player's words, like prompts and narrations, only at DEBUG.
      if (log.isDebugEnabled()) log.debug('Player action', { text });
      if (session.head === null) throw new UserFacingError(NO_OPENING_YET, 1);
      const kept = this.unsaved.get(sessionId);
      if (!kept) return this.playAction(session, text, play);
      // The kept action typed again: its narration is there already, and only needs saving.
      if (kept.turn.action === text) return this.saveUnsaved(sessionId);
      // The narration kept after a failed save goes first: this action follows it.
      try {
        await this.saveUnsaved(sessionId);
      } catch (error) {
        if (error instanceof TurnError) throw new TurnError({ kind: 'store', message: STILL_UNSAVED }, text);
        throw error;
      }
      return this.playAction(await this.access.open(user, sessionId), text, play);
    });
  }

  /**
   * A turn for an action: after an unanswered action in the store, the same text answers it
   * and another replaces it (the unanswered one stays in the tree, off the branch).
   */
  private async playAction(session: SessionRecord, action: string, play: PlayOptions): Promise<TurnResult> {
    const head = session.head ? await this.store.getMessage(session.head) : null;
    const unanswered = head?.sender === 'player' ? head : null;
    const parentId = unanswered ? unanswered.parent_id : session.head;
    const actionId = unanswered?.content === action ? unanswered.id : undefined;
    const from = unanswered ? { ...session, state: await this.stateOfBranch(session) } : session;
    return this.narrate('turn', from, { parentId, action, actionId, instruction: action, turnCount: session.turn_count + 1 }, play);
  }

  /**
   * The story state of the branch shown. With an unanswered action at the head it is its
   * narration's: a state update that landed after the action was saved is there, not on the session.
   */
  private async stateOfBranch(session: SessionRecord): Promise<StoryState> {
    const head = session.head ? await this.store.getMessage(session.head) : null;
    if (head?.sender !== 'player' || !head.parent_id) return session.state;
    return (await this.store.getMessage(head.parent_id))?.state ?? session.state;
  }

  /** A new narration for the last turn, kept beside the old one; or the failed action sent again. */
  async retry(user: PublicUser, sessionId: string, play: PlayOptions = {}): Promise<TurnResult> {
    return this.inTurn(sessionId, async () => {
      const session = await this.ready(user, sessionId);
      const failed = this.failedActions.get(sessionId);
      logUserAction(log, 'retry', user.username, {
        session: sessionId,
        failed_action: failed !== undefined,
        unsaved: this.unsaved.has(sessionId) || undefined,
      });
      if (this.unsaved.has(sessionId)) return this.saveUnsaved(sessionId);
      if (session.head === null) return this.tellOpening(user, sessionId, play);
      if (failed !== undefined) return this.playAction(session, failed, play);
      const head = await this.headMessage(session);
      if (head.sender === 'player') return this.playAction(session, head.content, play);
      const parent = head.parent_id ? await this.store.getMessage(head.parent_id) : null;
      if (!parent) {
        const scenario = await this.scenarioOf(session);
        return this.narrate(
          'retry',
          session,
          { parentId: null, action: null, instruction: OPENING_INSTRUCTION(scenario), turnCount: session.turn_count, stateFrom: null },
          play,
        );
      }
      const instruction = parent.sender === 'player' ? parent.content : CONTINUE_INSTRUCTION;
      return this.narrate('retry', session, { parentId: parent.id, action: null, instruction, turnCount: session.turn_count, stateFrom: parent }, play);
    });
  }

  /**
   * Moves the head back one narration (a turn or a continuation); the state goes back with it. The
   * line undone is remembered (the choices), so /redo goes forward along it again.
   */
  async undo(user: PublicUser, sessionId: string): Promise<UndoResult> {
    return this.inTurn(sessionId, async () => {
      const started = performance.now();
      const session = await this.ready(user, sessionId);
      const head = await this.headMessage(session);
      const parent = head.parent_id ? await this.store.getMessage(head.parent_id) : null;
      // An unanswered action is taken back alone: the turn it began was never counted.
      const unanswered = head.sender === 'player';
      const targetId = unanswered ? head.parent_id : turnStartOf(head, parent);
      const target = targetId === null ? null : targetId === parent?.id ? parent : await this.store.getMessage(targetId);
      if (!target) throw new UserFacingError('Nothing to undo: this is the opening of the story.', 1);
      const turnCount = unanswered ? session.turn_count : Math.max(0, session.turn_count - 1);
      const undoneAction = unanswered ? head.content : parent?.sender === 'player' ? parent.content : null;
      let choices: BranchChoice[] | undefined;
      if (!unanswered) {
        const tree = await this.turnTree(sessionId, target.id);
        choices = withChoices(tree, session.choices ?? [], edgesOf(tree.pathTo(head.id)));
      }
      const moved = await this.moveHead('undo', session, target, turnCount, choices);
      logUserAction(log, 'undo', user.username, { session: sessionId });
      logPerf(log, 'undo', performance.now() - started, { session: sessionId, ...dbUse() });
      return { ...moved, telling: await this.tellingAt(sessionId, target), undoneAction };
    });
  }

  /** Which telling of its turn the head narration is ({1, 1} for an action, or a game with no opening yet). */
  async tellingOf(user: PublicUser, sessionId: string): Promise<Telling> {
    const session = await this.access.open(user, sessionId);
    const head = session.head ? await this.store.getMessage(session.head) : null;
    return head?.sender === 'StoryOS' ? this.tellingAt(sessionId, head) : ONE_TELLING;
  }

  /**
   * Moves the head to another telling of its turn: the previous, the next, or the Nth (1-based).
   * The state becomes that narration's; the turn count stays; the choice is saved (it is the head).
   */
  async swipe(user: PublicUser, sessionId: string, to: 'prev' | 'next' | number): Promise<HeadMove> {
    return this.inTurn(sessionId, async () => {
      const started = performance.now();
      const session = await this.ready(user, sessionId);
      logUserAction(log, 'swipe', user.username, { session: sessionId, to: String(to) });
      const head = await this.narrationAtHead(session);
      const parent = head.parent_id ? await this.store.getMessage(head.parent_id) : null;
      const start = turnStartOf(head, parent);
      const tree = await this.turnTree(sessionId, start);
      const tellings = tellingsOf(tree, start);
      const count = tellings.length;
      const at = Math.max(
        0,
        tellings.findIndex((m) => m.id === head.id),
      );
      if (count <= 1) throw new UserFacingError('This turn has one telling: /retry tells another.', 1);
      let index: number;
      if (to === 'prev') {
        if (at === 0) throw new UserFacingError(`This is the first telling of this turn (1/${count}).`, 1);
        index = at - 1;
      } else if (to === 'next') {
        if (at === count - 1) throw new UserFacingError(`This is the last telling of this turn (${count}/${count}).`, 1);
        index = at + 1;
      } else {
        if (!Number.isInteger(to) || to < 1 || to > count) throw new UserFacingError(`There is no telling ${to}: this turn has ${count}.`, 2);
        index = to - 1;
      }
      const target = tellings[index] as MessageRecord;
      const choices = withChoices(tree, session.choices ?? [], edgesOf(tree.pathTo(target.id)));
      const moved = await this.moveHead('swipe', session, target, session.turn_count, choices);
      logPerf(log, 'swipe', performance.now() - started, { session: sessionId, telling: `${index + 1}/${count}`, ...dbUse() });
      return { ...moved, telling: { index: index + 1, count } };
    });
  }

  /** After /undo: forward one turn, to the next narration along the child last shown (or the latest). */
  async redo(user: PublicUser, sessionId: string): Promise<HeadMove> {
    return this.inTurn(sessionId, async () => {
      const started = performance.now();
      const session = await this.ready(user, sessionId);
      logUserAction(log, 'redo', user.username, { session: sessionId });
      const head = await this.narrationAtHead(session);
      const tree = await this.turnTree(sessionId, head.id);
      const next = nextNarration(tree, session.choices ?? [], head.id);
      if (!next) throw new UserFacingError(NOTHING_TO_REDO, 1);
      const moved = await this.moveHead('redo', session, next, session.turn_count + 1, undefined);
      logPerf(log, 'redo', performance.now() - started, { session: sessionId, ...dbUse() });
      return { ...moved, telling: tellingIndex(tree, head.id, next.id) };
    });
  }

  /** The text /edit opens: the narration at the head (null when the head is an action, or there is none). */
  async lastNarration(user: PublicUser, sessionId: string): Promise<string | null> {
    const session = await this.access.open(user, sessionId);
    const head = session.head ? await this.store.getMessage(session.head) : null;
    return head?.sender === 'StoryOS' ? head.content : null;
  }

  /** The text /edit action opens: the player's last action on the branch (null after a continuation or the opening). */
  async lastAction(user: PublicUser, sessionId: string): Promise<string | null> {
    const session = await this.access.open(user, sessionId);
    return (await this.lastActionMessage(session))?.content ?? null;
  }

  /**
   * /edit: the player's text for the narration at the head, as a new narration beside it (the
   * original stays in the tree, and /swipe reaches both). The head moves to it; the story state
   * after it is worked out again.
   */
  async editNarration(user: PublicUser, sessionId: string, text: string): Promise<HeadMove> {
    return this.inTurn(sessionId, async () => {
      const started = performance.now();
      const content = sanitizeText(text).trim();
      if (!content) throw new UserFacingError('An edited narration needs some text; the narration is left as it is.', 2);
      if (content.length > MAX_NARRATION_EDIT_CHARS)
        throw new UserFacingError(`A narration can be at most ${MAX_NARRATION_EDIT_CHARS} characters (this one has ${content.length}).`, 2);
      const session = await this.ready(user, sessionId);
      logUserAction(log, 'edit_narration', user.username, { session: sessionId, input_length: content.length });
      if (this.unsaved.has(sessionId)) throw new UserFacingError(UNSAVED_FIRST, 1);
      const head = await this.headMessage(session);
      if (head.sender === 'player') throw new UserFacingError(NO_NARRATION_TO_EDIT, 1);
      const parent = head.parent_id ? await this.store.getMessage(head.parent_id) : null;
      const start = turnStartOf(head, parent);
      const startMessage = start === null ? null : start === parent?.id ? parent : await this.store.getMessage(start);
      const before = startMessage?.state ?? (start === null ? { ...EMPTY_STATE, location: (await this.scenarioOf(session)).initial_location } : EMPTY_STATE);
      const now = this.now();
      const message: MessageRecord = {
        id: newMessageId(),
        session_id: sessionId,
        parent_id: head.parent_id,
        sender: 'StoryOS',
        content,
        created_at: now,
        narration: {
          model: head.narration?.model ?? this.options.narratorModel,
          usage: { tokens_in: 0, tokens_out: 0 },
          ttft_ms: null,
          duration_ms: 0,
          interrupted: false,
          finish_reason: 'stop',
          edited_from: head.id,
        },
        state: stateWithoutEvent(before),
      };
      const tree = await this.turnTree(sessionId, start, [message]);
      const choices = withChoices(tree, session.choices ?? [], edgesOf(tree.pathTo(message.id)));
      const { session_id: _session, ...row } = message;
      const update = { turn_count: session.turn_count, usage: session.usage, state: message.state as StoryState, updated_at: now, choices };
      try {
        await this.withStoreRetries('edit_narration', sessionId, () => this.store.appendMessages(sessionId, [row], update, session.head));
      } catch (error) {
        if (!(await this.savedAsHead(sessionId, message.id))) throw this.moveFailed('edit_narration', sessionId, error);
      }
      this.failedActions.delete(sessionId);
      this.scheduleStateUpdate(sessionId, message, parent?.sender === 'player' ? parent.content : null);
      logPerf(log, 'edit_narration', performance.now() - started, { session: sessionId, input_length: content.length, ...dbUse() });
      return {
        session: withSessionChoices({ ...session, head: message.id, state: update.state, updated_at: now }, choices),
        head: message,
        telling: tellingIndex(tree, start, message.id),
      };
    });
  }

  /**
   * /edit action: the player's last action, changed, as a new action beside the old one (which
   * stays, with its narration), and a new narration told for it.
   */
  async editAction(user: PublicUser, sessionId: string, text: string, play: PlayOptions = {}): Promise<TurnResult> {
    return this.inTurn(sessionId, async () => {
      const started = performance.now();
      const action = checkedAction(text);
      const session = await this.ready(user, sessionId);
      logUserAction(log, 'edit_action', user.username, { session: sessionId, input_length: action.length });
      // The player's words, like prompts and narrations, only at DEBUG.
      if (log.isDebugEnabled()) log.debug('Player action', { text: action });
      if (session.head === null) throw new UserFacingError(NO_OPENING_YET, 1);
      const head = await this.headMessage(session);
      let result: TurnResult;
      if (head.sender === 'player' || this.failedActions.has(sessionId)) {
        // An unanswered action (in the store, or not even saved): the new one takes its place, and so
        // does its narration, if one is kept unsaved.
        this.failedActions.delete(sessionId);
        this.unsaved.delete(sessionId);
        result = await this.playAction(session, action, play);
      } else {
        const old = await this.lastActionMessage(session);
        if (!old) throw new UserFacingError(NO_ACTION_TO_EDIT, 1);
        this.unsaved.delete(sessionId);
        const before = old.parent_id ? await this.store.getMessage(old.parent_id) : null;
        const state = before?.state ?? { ...EMPTY_STATE, location: (await this.scenarioOf(session)).initial_location };
        result = await this.narrate(
          'turn',
          { ...session, state, turn_count: Math.max(0, session.turn_count - 1) },
          { parentId: old.parent_id, action, instruction: action, turnCount: session.turn_count },
          play,
        );
      }
      logPerf(log, 'edit_action', performance.now() - started, { session: sessionId, input_length: action.length, ...dbUse() });
      return result;
    });
  }

  /** The branch points of the story, oldest first: turns with two tellings or more, and which is shown. */
  async tree(user: PublicUser, sessionId: string): Promise<BranchPoint[]> {
    const session = await this.access.open(user, sessionId);
    return branchPoints(new MessageTree(await this.store.listMessages(sessionId)), session.head);
  }

  /**
   * Moves the head to a narration of the session and on to the end of its line (following the
   * children last shown, or the latest), stopping before an action with no narration.
   */
  async jump(user: PublicUser, sessionId: string, alternativeId: string): Promise<HeadMove> {
    return this.inTurn(sessionId, async () => {
      const started = performance.now();
      const session = await this.ready(user, sessionId);
      logUserAction(log, 'jump', user.username, { session: sessionId });
      if (this.unsaved.has(sessionId)) throw new UserFacingError(UNSAVED_FIRST, 1);
      const tree = new MessageTree(await this.store.listMessages(sessionId));
      if (tree.get(alternativeId)?.sender !== 'StoryOS')
        throw new UserFacingError('There is no such narration in this game; /tree lists the ones to jump to.', 2);
      const target = lineFrom(tree, session.choices ?? [], alternativeId).at(-1) as MessageRecord;
      const path = tree.pathTo(target.id);
      const turnCount = Math.max(0, path.filter((m) => m.sender === 'StoryOS').length - 1);
      const choices = withChoices(tree, session.choices ?? [], edgesOf(path));
      const moved = await this.moveHead('jump', session, target, turnCount, choices);
      const start = turnStartOf(target, tree.get(target.parent_id as string));
      logPerf(log, 'jump', performance.now() - started, { session: sessionId, turns: turnCount, ...dbUse() });
      return { ...moved, telling: tellingIndex(tree, start, target.id) };
    });
  }

  /** The head, which must be a narration for a move among tellings (not an action waiting for one). */
  private async narrationAtHead(session: SessionRecord): Promise<MessageRecord> {
    if (this.unsaved.has(session.id)) throw new UserFacingError(UNSAVED_FIRST, 1);
    const head = await this.headMessage(session);
    if (head.sender === 'player') throw new UserFacingError(UNANSWERED_FIRST, 1);
    return head;
  }

  /** The player's last action on the branch shown: the head, or the action the head narration answers. */
  private async lastActionMessage(session: SessionRecord): Promise<MessageRecord | null> {
    const head = session.head ? await this.store.getMessage(session.head) : null;
    if (!head || head.sender === 'player') return head;
    const parent = head.parent_id ? await this.store.getMessage(head.parent_id) : null;
    return parent?.sender === 'player' ? parent : null;
  }

  /**
   * The part of the tree a turn's tellings and line are decided by: the children of the message
   * it starts from (null: the story's start) and their children, in the order appended, with
   * `extra` (messages about to be appended) after them.
   */
  private async turnTree(sessionId: string, startId: string | null, extra: MessageRecord[] = []): Promise<MessageTree> {
    const children = await this.store.getChildren(sessionId, startId);
    const actions = children.filter((m) => m.sender === 'player').map((m) => m.id);
    const tree = new MessageTree(actions.length > 0 ? await this.store.getChildrenOf(sessionId, [startId, ...actions]) : children);
    for (const message of extra) tree.add(message);
    return tree;
  }

  /** Which telling of its turn a narration is. */
  private async tellingAt(sessionId: string, narration: MessageRecord): Promise<Telling> {
    const parent = narration.parent_id ? await this.store.getMessage(narration.parent_id) : null;
    const start = turnStartOf(narration, parent);
    return tellingIndex(await this.turnTree(sessionId, start), start, narration.id);
  }

  /** One atomic write: the head, the state of the message it moves to, the turn count and the choices. */
  private async moveHead(
    operation: string,
    session: SessionRecord,
    target: MessageRecord,
    turnCount: number,
    choices: BranchChoice[] | undefined,
  ): Promise<{ session: SessionRecord; head: MessageRecord }> {
    const now = this.now();
    const state = target.state ?? EMPTY_STATE;
    const update = { turn_count: turnCount, usage: session.usage, state, updated_at: now, ...(choices ? { choices } : {}) };
    try {
      await this.withStoreRetries(operation, session.id, () => this.store.setHead(session.id, target.id, update, session.head));
    } catch (error) {
      if (!(await this.savedAsHead(session.id, target.id))) throw this.moveFailed(operation, session.id, error);
    }
    // An action that failed, or a narration kept unsaved, belonged to where the head was: /retry does not send it from here.
    this.failedActions.delete(session.id);
    this.unsaved.delete(session.id);
    const landed = await this.stateLandedMeanwhile(session.id, target, state);
    const after = { ...session, head: target.id, turn_count: turnCount, state: landed ?? state, updated_at: now };
    return { session: choices ? withSessionChoices(after, choices) : after, head: landed ? { ...target, state: landed } : target };
  }

  /**
   * A story-state update of the target that landed between reading it and moving the head there
   * updated the message only (the head was elsewhere): the session is given it now. The write is
   * the store's own "state of the head" one, so it changes nothing if the head has moved on again.
   */
  private async stateLandedMeanwhile(sessionId: string, target: MessageRecord, written: StoryState): Promise<StoryState | null> {
    const fresh = (await this.store.getMessage(target.id))?.state;
    if (!fresh || JSON.stringify(fresh) === JSON.stringify(written)) return null;
    await this.store.updateMessageState(sessionId, target.id, fresh);
    return fresh;
  }

  /** What the player is told when a move could not be saved. */
  private moveFailed(operation: string, sessionId: string, error: unknown): Error {
    if (error instanceof ConflictError) {
      log.warn('Move refused: the game moved on in another process', { session: sessionId, operation });
      return new UserFacingError(MOVED_ELSEWHERE, 1);
    }
    return error as Error;
  }

  async continueStory(user: PublicUser, sessionId: string, play: PlayOptions = {}): Promise<TurnResult> {
    return this.inTurn(sessionId, async () => {
      const session = await this.ready(user, sessionId);
      logUserAction(log, 'continue', user.username, { session: sessionId });
      if (session.head === null) throw new UserFacingError(NO_OPENING_YET, 1);
      if (this.unsaved.has(sessionId) || this.failedActions.has(sessionId) || (await this.headMessage(session)).sender === 'player')
        throw new UserFacingError(UNANSWERED_FIRST, 1);
      return this.narrate(
        'continue',
        session,
        { parentId: session.head, action: null, instruction: CONTINUE_INSTRUCTION, turnCount: session.turn_count + 1 },
        play,
      );
    });
  }

  /**
   * The exact prompt the next turn would send (`/context`): every section with its tokens and
   * budget, the world-info entries that fire and why (and those dropped, and why), the total
   * against the whole budget; in the endpoint's tokens once its counts for the model are known
   * (`estimate` says which).
   */
  async nextPrompt(user: PublicUser, sessionId: string, action = NEXT_ACTION_PLACEHOLDER): Promise<ContextView> {
    const session = await this.ready(user, sessionId);
    const prompt = await this.upcomingPrompt(session, action);
    await this.seedCalibration(session);
    const model = this.settingsOf(session).model;
    const estimate = this.basisFor(model);
    const sections = prompt.sections.map((section) => ({
      ...section,
      estimated: section.tokens,
      tokens: calibrated(section.tokens, estimate),
      budget: calibrated(section.budget, estimate),
    }));
    return {
      ...prompt,
      sections,
      totalTokens: sections.reduce((n, section) => n + section.tokens, 0),
      budgetTokens: calibrated(prompt.budgetTokens, estimate),
      estimatedTokens: prompt.totalTokens,
      model,
      estimate,
    };
  }

  /** The prompt of the next turn: for the unanswered action at the head, or for `action`. */
  private async upcomingPrompt(session: SessionRecord, action: string): Promise<AssembledPrompt> {
    const head = session.head ? await this.store.getMessage(session.head) : null;
    if (head?.sender === 'player') return this.buildPrompt(session, head.parent_id, head.content, await this.stateOfBranch(session));
    // A placeholder of the next action is no words of the player's: no key is looked for in it.
    return this.buildPrompt(session, session.head, action, session.state, action === NEXT_ACTION_PLACEHOLDER ? '' : action);
  }

  /** The last prompt's size against the budget (the status bar); null before a narration in this run. */
  promptGauge(sessionId: string): PromptGauge | null {
    return this.lastPrompts.get(sessionId)?.gauge ?? null;
  }

  /** What steers the game's narrator: memory, note, settings in effect, the scenario's and the game's lore. */
  async steering(user: PublicUser, sessionId: string): Promise<SteeringView> {
    return this.steeringOf(await this.access.open(user, sessionId));
  }

  /** Pins text the narrator must not forget (always in the prompt, after the scenario); '' clears it. */
  async setMemory(user: PublicUser, sessionId: string, text: string): Promise<SteeringView> {
    const memory = sanitizeText(text).trim();
    if (memory.length > MAX_MEMORY_CHARS) throw new UserFacingError(`Memory can be at most ${MAX_MEMORY_CHARS} characters (this has ${memory.length}).`, 2);
    return this.writeSteering(user, sessionId, 'set_memory', () => ({ memory }), { input_length: memory.length });
  }

  /** The author's note: its text ('' clears it) and its depth (messages before the action), each left as it is when not given. */
  async setNote(user: PublicUser, sessionId: string, change: { text?: string; depth?: number }): Promise<SteeringView> {
    const text = change.text === undefined ? undefined : sanitizeText(change.text).trim();
    if (text !== undefined && text.length > MAX_NOTE_CHARS)
      throw new UserFacingError(`An author's note can be at most ${MAX_NOTE_CHARS} characters (this one has ${text.length}).`, 2);
    const depth = change.depth;
    if (depth !== undefined && (!Number.isInteger(depth) || depth < 0 || depth > MAX_NOTE_DEPTH))
      throw new UserFacingError(`The note's depth is a whole number of messages from 0 to ${MAX_NOTE_DEPTH} (not ${depth}).`, 2);
    return this.writeSteering(
      user,
      sessionId,
      'set_note',
      (session) => ({ note: { text: text ?? session.note?.text ?? '', depth: depth ?? session.note?.depth ?? DEFAULT_NOTE_DEPTH } }),
      { input_length: text?.length, depth },
    );
  }

  /** The game's narrator model, temperature and longest narration: a value sets one, null goes back to the default. */
  async setSettings(user: PublicUser, sessionId: string, change: NarratorSettingsChange): Promise<SteeringView> {
    const { model, temperature, max_tokens } = change;
    const name = typeof model === 'string' ? sanitizeText(model).trim() : model;
    if (name !== undefined && name !== null && (name === '' || /\s/.test(name) || name.length > 200))
      throw new UserFacingError('A model is a name without spaces, like grok-4-fast-reasoning.', 2);
    if (
      temperature !== undefined &&
      temperature !== null &&
      !(Number.isFinite(temperature) && temperature >= TEMPERATURE_RANGE.min && temperature <= TEMPERATURE_RANGE.max)
    )
      throw new UserFacingError(`The temperature goes from ${TEMPERATURE_RANGE.min} to ${TEMPERATURE_RANGE.max} (not ${temperature}).`, 2);
    if (
      max_tokens !== undefined &&
      max_tokens !== null &&
      !(Number.isInteger(max_tokens) && max_tokens >= MAX_TOKENS_RANGE.min && max_tokens <= MAX_TOKENS_RANGE.max)
    )
      throw new UserFacingError(
        `The longest narration is a whole number of tokens from ${MAX_TOKENS_RANGE.min} to ${MAX_TOKENS_RANGE.max} (not ${max_tokens}).`,
        2,
      );
    return this.writeSteering(
      user,
      sessionId,
      'set_settings',
      (session) => {
        const settings: NarratorSettings = { ...(session.settings ?? {}) };
        const apply = <K extends keyof NarratorSettings>(key: K, value: NarratorSettings[K] | null | undefined) => {
          if (value === null) delete settings[key];
          else if (value !== undefined) settings[key] = value;
        };
        apply('model', name);
        apply('temperature', temperature);
        apply('max_tokens', max_tokens);
        return { settings };
      },
      { model: name ?? undefined, temperature: temperature ?? undefined, max_tokens: max_tokens ?? undefined },
    );
  }

  /** Adds a lore entry to the game (after its others); `index` is its number (1-based) among them. */
  async addLore(user: PublicUser, sessionId: string, entry: NewLoreEntry): Promise<SteeringView & { added: WorldInfoEntry; index: number }> {
    const added = checkedLoreEntry(entry);
    let index = 0;
    const view = await this.writeSteering(
      user,
      sessionId,
      'add_lore',
      (session) => {
        const lore = session.lore ?? [];
        if (lore.length >= MAX_GAME_LORE)
          throw new UserFacingError(`A game can have at most ${MAX_GAME_LORE} lore entries of its own; remove one to add another.`, 1);
        index = lore.length + 1;
        return { lore: [...lore, added] };
      },
      { keys: added.keys.length, input_length: added.content.length },
    );
    return { ...view, added, index };
  }

  /** Removes the game's lore entry numbered `index` (1-based, as `steering().lore` and /lore list them). */
  async removeLore(user: PublicUser, sessionId: string, index: number): Promise<SteeringView & { removed: WorldInfoEntry }> {
    let removed: WorldInfoEntry | undefined;
    const view = await this.writeSteering(
      user,
      sessionId,
      'remove_lore',
      (session) => {
        const lore = session.lore ?? [];
        if (lore.length === 0) throw new UserFacingError("This game has no lore entries of its own (the scenario's are edited by an admin).", 1);
        if (!Number.isInteger(index) || index < 1 || index > lore.length)
          throw new UserFacingError(
            `There is no lore entry ${index} of this game: it has ${lore.length === 1 ? 'one' : `${lore.length}, numbered 1 to ${lore.length}`}.`,
            2,
          );
        removed = lore[index - 1];
        return { lore: lore.filter((_, i) => i !== index - 1) };
      },
      { index },
    );
    return { ...view, removed: removed as WorldInfoEntry };
  }

  /**
   * /lore: the scenario's and the game's entries, and which fired in the last narration's prompt and
   * why; when none was told in this run (after a restart), what would fire for the next turn.
   */
  async loreReport(user: PublicUser, sessionId: string): Promise<LoreReport> {
    const session = await this.access.open(user, sessionId);
    const { scenarioLore, lore } = await this.steeringOf(session);
    const last = this.lastPrompts.get(sessionId);
    if (last) return { scenario: scenarioLore, game: lore, basis: 'last', about: "What fired in the last narration's prompt.", match: last.worldInfo };
    const prompt = await this.upcomingPrompt(session, '');
    return {
      scenario: scenarioLore,
      game: lore,
      basis: 'next',
      about: 'No narration was told since the game was opened: this is what would fire for the next turn, before your action.',
      match: prompt.worldInfo,
    };
  }

  /** The settings a game's narrations use: its own, then the configuration's. */
  private settingsOf(session: SessionRecord): EffectiveSettings {
    const custom = { ...(session.settings ?? {}) };
    return {
      model: custom.model ?? this.options.narratorModel,
      temperature: custom.temperature ?? this.options.narratorTemperature ?? null,
      max_tokens: custom.max_tokens ?? this.options.narrationMaxTokens ?? DEFAULT_NARRATION_MAX_TOKENS,
      custom,
    };
  }

  private async steeringOf(session: SessionRecord): Promise<SteeringView> {
    const scenario = await this.scenarioOf(session);
    return {
      memory: session.memory ?? '',
      note: { text: session.note?.text ?? '', depth: session.note?.depth ?? DEFAULT_NOTE_DEPTH },
      settings: this.settingsOf(session),
      scenarioLore: scenario.world_info ?? [],
      lore: session.lore ?? [],
    };
  }

  /** One steering write through the store (only the fields `change` gives), and the steering after it. */
  private async writeSteering(
    user: PublicUser,
    sessionId: string,
    action: string,
    change: (session: SessionRecord) => SessionSteering,
    fields: Record<string, unknown>,
  ): Promise<SteeringView> {
    // Read, change, and write only if no other window changed those fields meanwhile (else again, from what it wrote).
    for (let attempt = 1; ; attempt++) {
      const session = await this.access.open(user, sessionId);
      const steering = change(session);
      const read = Object.fromEntries(Object.keys(steering).map((field) => [field, session[field as keyof SessionSteering]]));
      const written = await this.withStoreRetries(action, sessionId, () => this.store.updateSteering(sessionId, steering, read as SessionSteering));
      if (written) {
        logUserAction(log, action, user.username, { session: sessionId, ...fields });
        return this.steeringOf({ ...session, ...steering });
      }
      if (attempt >= STEERING_WRITE_TRIES) throw new UserFacingError(MOVED_ELSEWHERE, 1);
    }
  }

  /** After a narration: its prompt's firing and size kept for /lore and the status bar, and the calibration fed. */
  private promptTold(sessionId: string, prompt: AssembledPrompt, result: StreamResult, model: string): PromptGauge {
    if (!this.llm.offline) this.calibration.record(model, prompt.totalTokens, result.usage.tokens_in);
    const estimate = this.basisFor(model);
    const real = !this.llm.offline && result.usage.tokens_in > 0;
    const gauge: PromptGauge = {
      tokens: real ? result.usage.tokens_in : calibrated(prompt.totalTokens, estimate),
      budget: calibrated(prompt.budgetTokens, estimate),
      real,
      model,
      estimate,
    };
    this.lastPrompts.set(sessionId, { worldInfo: prompt.worldInfo, gauge });
    return gauge;
  }

  private basisFor(model: string): EstimateBasis {
    if (this.llm.offline) return { calibrated: false, model, ratio: 1, turns: 0, label: 'estimated (the offline narrator reports no real counts)' };
    return this.calibration.basis(model);
  }

  /**
   * The first time a game is played or looked at in this run: its last narrations' estimates and
   * real counts calibrate their models, for models not calibrated yet.
   */
  private async seedCalibration(session: SessionRecord): Promise<void> {
    if (this.seeded.has(session.id) || !session.head || this.llm.offline) return;
    this.seeded.add(session.id);
    try {
      const branch = await this.store.getBranch(session.id, session.head, CALIBRATION_SEED_MESSAGES);
      const uncalibrated = new Set<string>();
      for (const m of branch) {
        const meta = m.narration;
        if (!meta?.prompt_tokens_estimate || meta.usage.tokens_in <= 0) continue;
        if (!uncalibrated.has(meta.model) && this.calibration.of(meta.model)) continue;
        uncalibrated.add(meta.model);
        this.calibration.record(meta.model, meta.prompt_tokens_estimate, meta.usage.tokens_in);
      }
    } catch (error) {
      log.warn('The calibration could not be read from the stored narrations; the estimates start uncalibrated', {
        session: session.id,
        error: (error as Error).message,
      });
    }
  }

  /** Synopsis, timeline, characters and world state of the branch shown (`/story`). */
  async story(user: PublicUser, sessionId: string): Promise<StoryView> {
    const session = await this.ready(user, sessionId);
    const branch = session.head ? await this.store.getBranch(sessionId, session.head, 1_000_000_000) : [];
    const timeline = branch.flatMap((m) => (m.state?.event ? [m.state.event] : []));
    const { synopsis, world_state, location, last_scene, characters } = await this.stateOfBranch(session);
    return { synopsis, world_state, location, last_scene, characters, timeline };
  }

  /** The current branch, oldest first (for showing a loaded game). */
  async transcript(user: PublicUser, sessionId: string, limit = 1_000_000_000): Promise<MessageRecord[]> {
    const session = await this.access.open(user, sessionId);
    return session.head ? this.store.getBranch(sessionId, session.head, limit) : [];
  }

  /** The session, once its last story-state update has answered, or STATE_UPDATE_WAIT_MS have passed. */
  private async ready(user: PublicUser, sessionId: string): Promise<SessionRecord> {
    const pending = this.pendingUpdates.get(sessionId);
    if (pending) await Promise.race([pending, sleep(STATE_UPDATE_WAIT_MS)]);
    return this.access.open(user, sessionId);
  }

  private async headMessage(session: SessionRecord): Promise<MessageRecord> {
    const head = session.head ? await this.store.getMessage(session.head) : null;
    if (!head) throw new UserFacingError('This game has no story yet; start a new one.', 1);
    return head;
  }

  private scenarioCache = new Map<string, { scenario: ScenarioRecord; at: number }>();

  /** The session's scenario, read again after SCENARIO_CACHE_MS; one deleted since keeps its name and an empty description. */
  private async scenarioOf(session: SessionRecord): Promise<ScenarioRecord> {
    const cached = this.scenarioCache.get(session.scenario_id);
    let scenario = cached && performance.now() - cached.at < SCENARIO_CACHE_MS ? cached.scenario : undefined;
    if (!scenario) {
      scenario = (await this.store.getScenario(session.scenario_id)) ?? {
        scenario_id: session.scenario_id,
        name: session.scenario_name,
        author: '',
        version: '0.0.0',
        description: '',
        setting: '',
        player_name: 'the player',
        role: 'the protagonist',
        initial_location: 'where the story left off',
        dungeon_master_behaviour: '',
        created_by: '',
        created_at: session.created_at,
        updated_at: session.created_at,
      };
      this.scenarioCache.set(session.scenario_id, { scenario, at: performance.now() });
    }
    return scenario;
  }

  /**
   * `playerAction`: the player's own words, which world-info keys are looked for in ('' for an
   * opening or a continuation, whose instruction is StoryOS's, not the player's).
   */
  private async buildPrompt(
    session: SessionRecord,
    headId: string | null,
    instruction: string,
    state: StoryState,
    playerAction = instruction,
  ): Promise<AssembledPrompt> {
    const [rules, scenario, branch] = await Promise.all([
      this.store.getActiveSystemPrompt(NARRATOR_PROMPT),
      this.scenarioOf(session),
      headId ? this.store.getBranch(session.id, headId, BRANCH_WINDOW) : Promise.resolve([]),
    ]);
    const timeline = branch.flatMap((m) => (m.state?.event ? [m.state.event] : []));
    return assemblePrompt(
      {
        rules: rules?.content ?? DEFAULT_NARRATOR_PROMPT,
        scenario,
        state,
        timeline,
        history: branch,
        action: instruction,
        keysAction: playerAction,
        memory: session.memory,
        note: session.note,
        lore: { scenario: scenario.world_info ?? [], game: session.lore ?? [] },
        loreWindow: this.options.worldInfoWindow ?? DEFAULT_WORLD_INFO_WINDOW,
      },
      this.budget,
    );
  }

  /**
   * Streams one narration and saves it. A player's action is saved first (the head moves to it),
   * so that an action is never lost to a failed narration or an ended process; the narration is
   * then saved after it, moving the head on. A failed save is tried again on a busy store; if it
   * still fails, the narration is kept for /retry. Then the story-state update starts in the background.
   */
  private async narrate(kind: Kind, session: SessionRecord, turn: Turn, play: PlayOptions): Promise<TurnResult> {
    const started = performance.now();
    const { historyHead, state: previousState } = await this.startingPoint(session, turn);
    const playerAction = turn.action ?? (turn.stateFrom?.sender === 'player' ? turn.stateFrom.content : '');
    const prompt = await this.buildPrompt(session, historyHead, turn.instruction, previousState, playerAction);
    const settings = this.settingsOf(session);
    await this.seedCalibration(session);
    const promptReadyMs = performance.now() - started;
    const from = turn.action !== null ? await this.saveAction(session, turn, previousState) : { session, turn };
    let result: StreamResult;
    try {
      result = await this.llm.stream({
        model: settings.model,
        messages: prompt.messages,
        signal: play.signal,
        onText: play.onText,
        onWait: play.onWait,
        purpose: kind,
        maxTokens: settings.max_tokens,
        temperature: settings.temperature ?? undefined,
      });
    } catch (error) {
      const failure = error instanceof LlmError ? error : new LlmError('invalid_response', (error as Error).message);
      if (turn.action !== null) this.failedActions.set(session.id, turn.action);
      logError(log, `${kind} failed`, failure, { operation: perfOperation(kind), session: session.id, kind: failure.kind });
      throw new TurnError(failure, turn.action);
    }
    const summaryAction = kind === 'retry' && turn.stateFrom?.sender === 'player' ? turn.stateFrom.content : turn.action;
    const gauge = this.promptTold(session.id, prompt, result, settings.model);
    const pending: UnsavedTurn = {
      kind,
      session: from.session,
      turn: from.turn,
      result,
      previousState,
      summaryAction,
      started,
      narrationId: newMessageId(),
      promptEstimate: prompt.totalTokens,
      gauge,
    };
    const persistStarted = performance.now();
    const saved = await this.saveNarration(pending);
    return this.finish(pending, saved, { prepare: promptReadyMs, persist: performance.now() - persistStarted, promptTokens: prompt.totalTokens });
  }

  /** Saves the player's action as the head; a failure keeps it in memory for /retry. */
  private async saveAction(session: SessionRecord, turn: Turn, previousState: StoryState): Promise<{ session: SessionRecord; turn: Turn }> {
    if (turn.action === null || turn.actionId) return { session, turn };
    const now = this.now();
    const action: NewMessage = {
      id: newMessageId(),
      parent_id: turn.parentId,
      sender: 'player',
      content: turn.action,
      created_at: now,
      narration: null,
      state: null,
    };
    const update = { turn_count: session.turn_count, usage: session.usage, state: stateWithoutEvent(previousState), updated_at: now };
    try {
      await this.withStoreRetries('save_action', session.id, () => this.store.appendMessages(session.id, [action], update, session.head));
    } catch (error) {
      if (await this.savedAsHead(session.id, action.id))
        return { session: { ...session, head: action.id, updated_at: now }, turn: { ...turn, actionId: action.id } };
      this.failedActions.set(session.id, turn.action);
      if (error instanceof ConflictError) {
        log.warn('Turn refused: the game moved on in another process', { session: session.id, operation: 'turn' });
        throw new TurnError({ kind: 'conflict', message: PLAYED_ELSEWHERE }, turn.action);
      }
      logError(log, 'The action could not be saved', error, { operation: 'save_action', session: session.id });
      throw new TurnError({ kind: 'store', message: ACTION_NOT_SAVED }, turn.action);
    }
    return { session: { ...session, head: action.id, updated_at: now }, turn: { ...turn, actionId: action.id } };
  }

  /** Saves a streamed narration after its action (or parent); a failure keeps it for /retry. */
  private async saveNarration(pending: UnsavedTurn): Promise<SavedNarration> {
    const { session, turn, kind } = pending;
    try {
      const saved = await this.withStoreRetries('save_narration', session.id, () => this.persist(pending));
      this.unsaved.delete(session.id);
      this.failedActions.delete(session.id);
      return saved;
    } catch (error) {
      if (await this.savedAsHead(session.id, pending.narrationId)) {
        this.unsaved.delete(session.id);
        this.failedActions.delete(session.id);
        const record = this.narrationRecord(pending);
        const telling = await this.tellingAt(session.id, record.message).catch(() => ONE_TELLING);
        return { ...record, telling };
      }
      if (error instanceof ConflictError) {
        this.unsaved.delete(session.id);
        if (turn.action !== null) this.failedActions.set(session.id, turn.action);
        log.warn('Turn refused: the game moved on in another process', { session: session.id, operation: kind });
        throw new TurnError({ kind: 'conflict', message: PLAYED_ELSEWHERE }, turn.action);
      }
      this.unsaved.set(session.id, pending);
      logError(log, 'The narration could not be saved; kept for /retry', error, {
        operation: 'save_narration',
        session: session.id,
        response_length: pending.result.text.length,
      });
      throw new TurnError({ kind: 'store', message: TURN_NOT_SAVED }, turn.action, pending.result.text);
    }
  }

  /**
   * Whether a write that failed (refused as a conflict or a duplicate) had in fact been done by an
   * earlier try whose answer was lost (a dropped connection after the commit): the head is then ours.
   */
  private async savedAsHead(sessionId: string, messageId: string): Promise<boolean> {
    try {
      return (await this.store.getSession(sessionId))?.head === messageId;
    } catch {
      return false;
    }
  }

  /** /retry after a failed save: saves the narration kept in memory, asking the narrator for nothing. */
  private async saveUnsaved(sessionId: string): Promise<TurnResult> {
    const pending = this.unsaved.get(sessionId) as UnsavedTurn;
    const persistStarted = performance.now();
    const saved = await this.saveNarration(pending);
    log.info('Unsaved narration saved', { session: sessionId });
    return this.finish(pending, saved, { prepare: 0, persist: performance.now() - persistStarted, promptTokens: undefined });
  }

  /** Runs a store write, trying it again after a transient failure (a busy database, a dropped connection). */
  private async withStoreRetries<T>(operation: string, sessionId: string, write: () => Promise<T>): Promise<T> {
    const pauses = this.options.storeRetryMs ?? STORE_RETRY_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (error) {
        const pause = pauses[attempt - 1];
        if (!isTransientStoreError(error) || pause === undefined) throw error;
        log.warn('Store write failed, trying again', {
          operation,
          session: sessionId,
          attempt,
          error: (error as Error).message,
          retry_in: formatDuration(pause),
        });
        await sleep(pause);
      }
    }
  }

  /** The turn's PERF line, its story-state update, and what the player is told. */
  private finish(pending: UnsavedTurn, saved: SavedNarration, timing: { prepare: number; persist: number; promptTokens: number | undefined }): TurnResult {
    const { kind, session, turn, result, summaryAction, started } = pending;
    if (result.finishReason === 'stop' || result.finishReason === 'length') this.scheduleStateUpdate(session.id, saved.message, summaryAction);
    const operation = perfOperation(kind);
    logPerf(log, operation, performance.now() - started, {
      session: session.id,
      input_length: turn.action?.length,
      response_length: result.text.length,
      ttft: result.ttftMs === null ? undefined : formatDuration(result.ttftMs),
      waited: result.waitedMs > 0 ? formatDuration(result.waitedMs) : undefined,
      tokens_in: result.usage.tokens_in,
      tokens_out: result.usage.tokens_out,
      prompt_tokens_estimate: timing.promptTokens,
      prepare: formatDuration(timing.prepare),
      persist: formatDuration(timing.persist),
      finish_reason: result.finishReason === 'stop' ? undefined : result.finishReason,
      ...dbUse(),
    });
    return {
      session: saved.session,
      message: saved.message,
      interrupted: result.interrupted,
      finishReason: result.finishReason,
      notice: result.interrupted && result.finishReason !== 'cancelled' ? (result.interruption?.message ?? null) : null,
      ttftMs: result.ttftMs,
      durationMs: result.durationMs,
      waitedMs: result.waitedMs,
      attempts: result.attempts,
      usage: result.usage,
      telling: saved.telling,
      prompt: pending.gauge,
    };
  }

  /**
   * Where a narration starts from: the message its prompt's history ends at, and the story state
   * there. A turn or a continuation starts from its parent; a retry from the narration before the
   * one it replaces (`stateFrom` is then its parent; null when it replaces the opening).
   */
  private async startingPoint(session: SessionRecord, turn: Turn): Promise<{ historyHead: string | null; state: StoryState }> {
    const from = turn.stateFrom;
    if (from === undefined) return { historyHead: turn.parentId, state: session.state };
    if (from === null) return { historyHead: null, state: { ...EMPTY_STATE, location: (await this.scenarioOf(session)).initial_location } };
    if (from.sender !== 'player') return { historyHead: from.id, state: from.state ?? EMPTY_STATE };
    const narrator = from.parent_id ? await this.store.getMessage(from.parent_id) : null;
    return { historyHead: from.parent_id, state: narrator?.state ?? EMPTY_STATE };
  }

  /** The narration's message and the session after it, as saved (the same on every try). */
  private narrationRecord(pending: UnsavedTurn): { session: SessionRecord; message: MessageRecord } {
    const { session, turn, result, previousState, narrationId } = pending;
    const now = this.now();
    const state = stateWithoutEvent(previousState);
    const message: MessageRecord = {
      id: narrationId,
      session_id: session.id,
      parent_id: turn.actionId ?? turn.parentId,
      sender: 'StoryOS',
      content: result.text,
      created_at: now,
      narration: {
        model: result.model,
        usage: result.usage,
        ttft_ms: result.ttftMs === null ? null : Math.round(result.ttftMs),
        duration_ms: Math.round(result.durationMs),
        interrupted: result.interrupted,
        finish_reason: result.finishReason,
        prompt_tokens_estimate: pending.promptEstimate,
      },
      state,
    };
    const usage = { tokens_in: session.usage.tokens_in + result.usage.tokens_in, tokens_out: session.usage.tokens_out + result.usage.tokens_out };
    return { session: { ...session, head: narrationId, turn_count: turn.turnCount, usage, state, updated_at: now }, message };
  }

  /**
   * Saves the narration after its action (already saved) or its parent, moving the head to it,
   * with the choices of its turn: it is the latest child there, so the line goes through it.
   */
  private async persist(pending: UnsavedTurn): Promise<SavedNarration> {
    const saved = this.narrationRecord(pending);
    const start = turnStartOfTurn(pending.turn);
    const tree = await this.turnTree(pending.session.id, start, [saved.message]);
    const choices = withChoices(tree, pending.session.choices ?? [], edgesOf(tree.pathTo(saved.message.id)));
    const { session_id: _session, ...message } = saved.message;
    const { turn_count, usage, state, updated_at } = saved.session;
    await this.store.appendMessages(pending.session.id, [message], { turn_count, usage, state, updated_at, choices }, pending.session.head);
    return { session: withSessionChoices(saved.session, choices), message: saved.message, telling: tellingIndex(tree, start, saved.message.id) };
  }

  /**
   * The turns a story-state update for `message` covers: its own, and those before it on the
   * branch whose updates never landed (failed, or cut short by an ended process), back to the
   * last narration that has its state, whose state is the one to build on.
   */
  private async turnsToSummarise(
    sessionId: string,
    message: MessageRecord,
    action: string | null,
  ): Promise<{ previous: StoryState; turns: TurnToSummarise[] }> {
    const branch = message.parent_id ? await this.store.getBranch(sessionId, message.parent_id, STATE_CATCH_UP_TURNS * 2 + 1) : [];
    const missed: TurnToSummarise[] = [];
    let previous: StoryState | null = null;
    for (let i = branch.length - 1; i >= 0; i--) {
      const m = branch[i] as MessageRecord;
      if (m.sender === 'player') continue;
      if (m.state?.event) {
        previous = m.state;
        break;
      }
      const before = branch[i - 1];
      missed.unshift({ action: before?.sender === 'player' ? before.content : null, narration: m.content, opening: m.parent_id === null });
    }
    // None within the window: the oldest state it holds (for an opening, the one it started from).
    const base = previous ?? stateWithoutEvent(branch.find((m) => m.state)?.state ?? message.state ?? EMPTY_STATE);
    return { previous: base, turns: [...missed, { action, narration: message.content, opening: message.parent_id === null }] };
  }

  /**
   * Updates the story state after a narration, in the background, never losing the turn: one
   * attempt (the next turn waits for its answer at most STATE_UPDATE_WAIT_MS), and after a
   * failure one more after a pause, which nobody waits for.
   */
  private scheduleStateUpdate(sessionId: string, message: MessageRecord, action: string | null): void {
    let firstAnswered!: () => void;
    const answered = new Promise<void>((resolve) => (firstAnswered = resolve));
    const run = async () => {
      const started = performance.now();
      for (let attempt = 1; attempt <= 2; attempt++) {
        try {
          const { previous, turns } = await this.turnsToSummarise(sessionId, message, action);
          const { value, usage } = await this.llm.json({
            model: this.options.summaryModel,
            messages: stateUpdateMessages(previous, turns),
            schemaName: 'story_state_update',
            schema: STATE_UPDATE_SCHEMA as unknown as Record<string, unknown>,
            parse: parseStateUpdate,
            purpose: 'summary_update',
            maxRetries: 0,
            maxTokens: 1500,
          });
          await this.store.updateMessageState(sessionId, message.id, applyStateUpdate(previous, value));
          logPerf(log, 'summary_update', performance.now() - started, {
            session: sessionId,
            attempt,
            turns: turns.length,
            tokens_in: usage.tokens_in,
            tokens_out: usage.tokens_out,
          });
          return;
        } catch (error) {
          firstAnswered();
          if (attempt === 1) {
            log.warn('Story state update failed; retrying once in the background', { session: sessionId, error: (error as Error).message });
            await sleep(STATE_UPDATE_RETRY_MS);
          } else
            logError(log, 'Story state update failed twice; the turn is kept, and the next update catches up with it', error, {
              operation: 'summary_update',
              session: sessionId,
            });
        }
      }
    };
    const running = run().finally(() => {
      firstAnswered();
      if (this.runningUpdates.get(sessionId) === running) this.runningUpdates.delete(sessionId);
    });
    const pending = answered.finally(() => {
      if (this.pendingUpdates.get(sessionId) === pending) this.pendingUpdates.delete(sessionId);
    });
    this.pendingUpdates.set(sessionId, pending);
    this.runningUpdates.set(sessionId, running);
  }
}

/** The database operations of the turn so far (its log context's `db` tally), for its PERF line. */
function dbUse(): { db_ops?: number; db_time?: string } {
  const db = tallyOf('db');
  return db ? { db_ops: db.count, db_time: formatDuration(db.ms) } : {};
}

/** A player's lore entry, checked and cleaned; one sentence says what is wrong. */
function checkedLoreEntry(entry: NewLoreEntry): WorldInfoEntry {
  const content = sanitizeText(entry.content).trim();
  const keys = [...new Set(entry.keys.map((k) => sanitizeText(k).trim()).filter(Boolean))];
  const always = entry.always ?? false;
  const order = entry.order ?? DEFAULT_WORLD_INFO_ORDER;
  if (!content) throw new UserFacingError('A lore entry needs some text for the narrator.', 2);
  if (content.length > MAX_LORE_ENTRY_CHARS)
    throw new UserFacingError(`A lore entry can be at most ${MAX_LORE_ENTRY_CHARS} characters (this one has ${content.length}).`, 2);
  if (keys.length === 0 && !always) throw new UserFacingError('A lore entry needs a key (a word, a phrase or a /regex/) unless it is always on.', 2);
  if (keys.length > MAX_LORE_KEYS) throw new UserFacingError(`A lore entry can have at most ${MAX_LORE_KEYS} keys (this one has ${keys.length}).`, 2);
  const long = keys.find((k) => k.length > MAX_LORE_KEY_CHARS);
  if (long) throw new UserFacingError(`A key can be at most ${MAX_LORE_KEY_CHARS} characters (${JSON.stringify(long.slice(0, 20))}… has ${long.length}).`, 2);
  for (const key of keys) {
    const problem = keyProblem(key);
    if (problem) throw new UserFacingError(problem, 2);
  }
  if (!Number.isInteger(order) || Math.abs(order) > MAX_LORE_ORDER)
    throw new UserFacingError(`A lore entry's order is a whole number from -${MAX_LORE_ORDER} to ${MAX_LORE_ORDER} (not ${order}).`, 2);
  return { keys, content, order, always };
}
