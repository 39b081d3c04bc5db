import { UserFacingError } from '../config/errors.js';
import { LlmError } from '../llm/errors.js';
import { sanitizeText } from '../llm/sanitize.js';
import type { LlmClient, StreamResult } from '../llm/types.js';
import { formatDuration } from '../logging/format.js';
import { getLogger, logError, logPerf, logUserAction } from '../logging/logger.js';
import { ConflictError, NotFoundError } from '../store/errors.js';
import { newMessageId, newSessionId } from '../store/ids.js';
import { NARRATOR_PROMPT, DEFAULT_NARRATOR_PROMPT } from '../store/seed/prompts.js';
import { EMPTY_STATE, type MessageRecord, type NewMessage, type PublicUser, type ScenarioRecord, type SessionRecord, type Store, type StoryState, type TimelineEvent, type TokenUsage } from '../store/types.js';
import { assemblePrompt, DEFAULT_BUDGET, type AssembledPrompt, type PromptBudget } from './prompt.js';
import { SessionAccess } from './sessions.js';
import { applyStateUpdate, parseStateUpdate, STATE_UPDATE_SCHEMA, stateUpdateMessages } from './state-update.js';

const log = getLogger('game_logic');

/** Messages of the branch loaded for a turn: the prompt's history and recent timeline come from them. */
const BRANCH_WINDOW = 40;
export const MAX_ACTION_CHARS = 2000;

export interface EngineOptions {
  store: Store;
  llm: LlmClient;
  narratorModel: string;
  summaryModel: string;
  budget?: PromptBudget;
  now?: () => Date;
}

export interface PlayOptions {
  signal?: AbortSignal | undefined;
  onText?: ((text: string) => void) | undefined;
}

export interface TurnResult {
  session: SessionRecord;
  message: MessageRecord;
  interrupted: boolean;
  /** A sentence for the player when the narration was cut short. */
  notice: string | null;
  ttftMs: number | null;
  durationMs: number;
  usage: TokenUsage;
}

/** A turn that produced nothing: the player's typed action comes back with it, to try again. */
export class TurnError extends UserFacingError {
  constructor(
    /** What went wrong: an LlmError's kind, or `conflict`. */
    readonly failure: { kind: string; message: string },
    readonly action: string | null,
  ) {
    super(failure.message, 1);
  }
}

const PLAYED_ELSEWHERE = 'This game was played in another window meanwhile, so this narration was not kept; /retry plays your action on the latest story.';

export interface StoryView {
  synopsis: string;
  world_state: string;
  location: string;
  last_scene: string;
  characters: Record<string, string>;
  timeline: TimelineEvent[];
}

type Kind = 'opening' | 'turn' | 'retry' | 'continue';

const OPENING_INSTRUCTION = (s: ScenarioRecord) =>
  `Begin the story. Open with the scene at ${s.initial_location}, introduce ${s.player_name} (${s.role}) through what they see and feel, and end at a moment that asks the player what they do.`;
const CONTINUE_INSTRUCTION = '(The player waits. Continue the story from where it left off, then stop at a moment that asks the player what they do.)';

function stateWithoutEvent(state: StoryState): StoryState {
  return { ...state, event: null };
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
  private readonly pendingUpdates = new Map<string, Promise<void>>();
  /** The last action whose turn failed, per session: /retry sends it again. */
  private readonly failedActions = new Map<string, string>();

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

  /** Resolves when the session's story-state update (if any) is done. */
  async settled(sessionId?: string): Promise<void> {
    if (sessionId) await this.pendingUpdates.get(sessionId);
    else await Promise.all(this.pendingUpdates.values());
  }

  async newSession(user: PublicUser, scenarioId: string, play: PlayOptions = {}): Promise<TurnResult> {
    const scenario = await this.store.getScenario(scenarioId);
    if (!scenario) throw new NotFoundError(`No scenario ${JSON.stringify(scenarioId)}.`);
    const now = this.now();
    const session: SessionRecord = {
      id: newSessionId(),
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
      await this.store.deleteSession(session.id);
      throw error;
    }
  }

  async takeTurn(user: PublicUser, sessionId: string, action: string, play: PlayOptions = {}): Promise<TurnResult> {
    const text = sanitizeText(action).trim();
    if (!text) throw new UserFacingError('Type what you do, or /help for the commands.', 2);
    if (text.length > MAX_ACTION_CHARS) throw new UserFacingError(`An action can be at most ${MAX_ACTION_CHARS} characters (this one has ${text.length}).`, 2);
    const session = await this.ready(user, sessionId);
    logUserAction(log, 'take_turn', user.username, { session: sessionId, input_length: text.length });
    return this.narrate('turn', session, { parentId: session.head, action: text, instruction: text, turnCount: session.turn_count + 1 }, play);
  }

  /** A new narration for the last turn, kept beside the old one; or the failed action sent again. */
  async retry(user: PublicUser, sessionId: string, play: PlayOptions = {}): Promise<TurnResult> {
    const session = await this.ready(user, sessionId);
    const failed = this.failedActions.get(sessionId);
    logUserAction(log, 'retry', user.username, { session: sessionId, failed_action: failed !== undefined });
    if (failed !== undefined) return this.narrate('turn', session, { parentId: session.head, action: failed, instruction: failed, turnCount: session.turn_count + 1 }, play);
    const head = await this.headMessage(session);
    const parent = head.parent_id ? await this.store.getMessage(head.parent_id) : null;
    if (!parent) {
      const scenario = await this.scenarioOf(session);
      return this.narrate('retry', session, { parentId: null, action: null, instruction: OPENING_INSTRUCTION(scenario), turnCount: session.turn_count, stateFrom: null }, play);
    }
    const instruction = parent.sender === 'player' ? parent.content : CONTINUE_INSTRUCTION;
    return this.narrate('retry', session, { parentId: parent.id, action: null, instruction, turnCount: session.turn_count, stateFrom: parent }, play);
  }

  /** Moves the head back one narration (a turn or a continuation); the state goes back with it. */
  async undo(user: PublicUser, sessionId: string): Promise<SessionRecord> {
    const started = performance.now();
    const session = await this.ready(user, sessionId);
    this.failedActions.delete(sessionId);
    const head = await this.headMessage(session);
    const parent = head.parent_id ? await this.store.getMessage(head.parent_id) : null;
    const target = parent?.sender === 'player' ? (parent.parent_id ? await this.store.getMessage(parent.parent_id) : null) : parent;
    if (!target) throw new UserFacingError('Nothing to undo: this is the opening of the story.', 1);
    const state = target.state ?? EMPTY_STATE;
    await this.store.setHead(sessionId, target.id, { turn_count: Math.max(0, session.turn_count - 1), usage: session.usage, state, updated_at: this.now() });
    logUserAction(log, 'undo', user.username, { session: sessionId });
    logPerf(log, 'undo', performance.now() - started, { session: sessionId });
    return (await this.store.getSession(sessionId)) as SessionRecord;
  }

  async continueStory(user: PublicUser, sessionId: string, play: PlayOptions = {}): Promise<TurnResult> {
    const session = await this.ready(user, sessionId);
    logUserAction(log, 'continue', user.username, { session: sessionId });
    return this.narrate('continue', session, { parentId: session.head, action: null, instruction: CONTINUE_INSTRUCTION, turnCount: session.turn_count + 1 }, play);
  }

  /** The exact prompt the next turn would send, with tokens per section (`/context`). */
  async nextPrompt(user: PublicUser, sessionId: string, action = '(your next action)'): Promise<AssembledPrompt> {
    const session = await this.ready(user, sessionId);
    return this.buildPrompt(session, session.head, action, session.state);
  }

  /** Synopsis, timeline, characters and world state of the branch shown (`/story`). */
  async story(user: PublicUser, sessionId: string): Promise<StoryView> {
    const session = await this.ready(user, sessionId);
    const branch = session.head ? await this.store.getBranch(sessionId, session.head, 1_000_000_000) : [];
    const timeline = branch.flatMap((m) => (m.state?.event ? [m.state.event] : []));
    const { synopsis, world_state, location, last_scene, characters } = session.state;
    return { synopsis, world_state, location, last_scene, characters, timeline };
  }

  /** The current branch, oldest first (for showing a loaded game). */
  async transcript(user: PublicUser, sessionId: string, limit = 1_000_000_000): Promise<MessageRecord[]> {
    const session = await this.access.open(user, sessionId);
    return session.head ? this.store.getBranch(sessionId, session.head, limit) : [];
  }

  private async ready(user: PublicUser, sessionId: string): Promise<SessionRecord> {
    await this.settled(sessionId);
    return this.access.open(user, sessionId);
  }

  private async headMessage(session: SessionRecord): Promise<MessageRecord> {
    const head = session.head ? await this.store.getMessage(session.head) : null;
    if (!head) throw new UserFacingError('This game has no story yet; start a new one.', 1);
    return head;
  }

  private scenarioCache = new Map<string, ScenarioRecord>();

  /** The session's scenario; one deleted since keeps its name and an empty description. */
  private async scenarioOf(session: SessionRecord): Promise<ScenarioRecord> {
    let scenario = this.scenarioCache.get(session.scenario_id);
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
      this.scenarioCache.set(session.scenario_id, scenario);
    }
    return scenario;
  }

  private async buildPrompt(session: SessionRecord, headId: string | null, instruction: string, state: StoryState): Promise<AssembledPrompt> {
    const [rules, scenario, branch] = await Promise.all([
      this.store.getActiveSystemPrompt(NARRATOR_PROMPT),
      this.scenarioOf(session),
      headId ? this.store.getBranch(session.id, headId, BRANCH_WINDOW) : Promise.resolve([]),
    ]);
    const timeline = branch.flatMap((m) => (m.state?.event ? [m.state.event] : []));
    return assemblePrompt({ rules: rules?.content ?? DEFAULT_NARRATOR_PROMPT, scenario, state, timeline, history: branch, action: instruction }, this.budget);
  }

  /**
   * Streams one narration and saves it (with the player's action, when there is one) in one
   * atomic step that also moves the head; then starts the story-state update in the background.
   */
  private async narrate(
    kind: Kind,
    session: SessionRecord,
    turn: { parentId: string | null; action: string | null; instruction: string; turnCount: number; stateFrom?: MessageRecord | null },
    play: PlayOptions,
  ): Promise<TurnResult> {
    const started = performance.now();
    const { historyHead, state: previousState } = await this.startingPoint(session, turn);
    const prompt = await this.buildPrompt(session, historyHead, turn.instruction, previousState);
    const promptReadyMs = performance.now() - started;
    let result: StreamResult;
    try {
      result = await this.llm.stream({ model: this.options.narratorModel, messages: prompt.messages, signal: play.signal, onText: play.onText, purpose: kind });
    } catch (error) {
      const failure = error instanceof LlmError ? error : new LlmError('invalid_response', (error as Error).message);
      if (turn.action !== null && kind === 'turn') this.failedActions.set(session.id, turn.action);
      logError(log, `${kind} failed`, failure, { operation: kind, session: session.id, kind: failure.kind });
      throw new TurnError(failure, turn.action);
    }
    const persistStarted = performance.now();
    let saved: { session: SessionRecord; message: MessageRecord };
    try {
      saved = await this.persist(session, turn, result, previousState);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      if (turn.action !== null) this.failedActions.set(session.id, turn.action);
      log.warn('Turn refused: the game moved on in another process', { session: session.id, operation: kind });
      throw new TurnError({ kind: 'conflict', message: PLAYED_ELSEWHERE }, turn.action);
    }
    const persistMs = performance.now() - persistStarted;
    this.failedActions.delete(session.id);
    if (!result.interrupted) this.scheduleStateUpdate(session.id, saved.message, previousState, kind === 'retry' && turn.stateFrom?.sender === 'player' ? turn.stateFrom.content : turn.action);
    const operation = kind === 'turn' ? 'process_player_input' : kind;
    logPerf(log, operation, performance.now() - started, {
      session: session.id,
      input_length: turn.action?.length,
      response_length: result.text.length,
      ttft: result.ttftMs === null ? undefined : formatDuration(result.ttftMs),
      tokens_in: result.usage.tokens_in,
      tokens_out: result.usage.tokens_out,
      prompt_tokens_estimate: prompt.totalTokens,
      prepare: formatDuration(promptReadyMs),
      persist: formatDuration(persistMs),
      interrupted: result.interrupted || undefined,
    });
    return {
      session: saved.session,
      message: saved.message,
      interrupted: result.interrupted,
      notice: result.interrupted && result.interruption?.kind !== 'cancelled' ? result.interruption?.message ?? null : null,
      ttftMs: result.ttftMs,
      durationMs: result.durationMs,
      usage: result.usage,
    };
  }

  /**
   * Where a narration starts from: the message its prompt's history ends at, and the story state
   * there. A turn or a continuation starts from the head; a retry from the narration before the
   * one it replaces (`stateFrom` is then its parent; null when it replaces the opening).
   */
  private async startingPoint(session: SessionRecord, turn: { parentId: string | null; stateFrom?: MessageRecord | null }): Promise<{ historyHead: string | null; state: StoryState }> {
    const from = turn.stateFrom;
    if (from === undefined) return { historyHead: turn.parentId, state: session.state };
    if (from === null) return { historyHead: null, state: { ...EMPTY_STATE, location: (await this.scenarioOf(session)).initial_location } };
    if (from.sender !== 'player') return { historyHead: from.id, state: from.state ?? EMPTY_STATE };
    const narrator = from.parent_id ? await this.store.getMessage(from.parent_id) : null;
    return { historyHead: from.parent_id, state: narrator?.state ?? EMPTY_STATE };
  }

  private async persist(
    session: SessionRecord,
    turn: { parentId: string | null; action: string | null; turnCount: number },
    result: StreamResult,
    previousState: StoryState,
  ): Promise<{ session: SessionRecord; message: MessageRecord }> {
    const now = this.now();
    const messages: NewMessage[] = [];
    let parentId = turn.parentId;
    if (turn.action !== null) {
      const action: NewMessage = { id: newMessageId(), parent_id: parentId, sender: 'player', content: turn.action, created_at: now, narration: null, state: null };
      messages.push(action);
      parentId = action.id;
    }
    const state = stateWithoutEvent(previousState);
    const narration: NewMessage = {
      id: newMessageId(),
      parent_id: parentId,
      sender: 'StoryOS',
      content: result.text,
      created_at: now,
      narration: { model: result.model, usage: result.usage, ttft_ms: result.ttftMs === null ? null : Math.round(result.ttftMs), duration_ms: Math.round(result.durationMs), interrupted: result.interrupted, finish_reason: result.finishReason },
      state,
    };
    messages.push(narration);
    const turnCount = turn.turnCount;
    const usage = { tokens_in: session.usage.tokens_in + result.usage.tokens_in, tokens_out: session.usage.tokens_out + result.usage.tokens_out };
    await this.store.appendMessages(session.id, messages, { turn_count: turnCount, usage, state, updated_at: now }, session.head);
    const updated: SessionRecord = { ...session, head: narration.id, turn_count: turnCount, usage, state, updated_at: now };
    return { session: updated, message: { ...narration, session_id: session.id } };
  }

  /** Updates the story state after a narration, in the background; retried once; never loses the turn. */
  private scheduleStateUpdate(sessionId: string, message: MessageRecord, previous: StoryState, action: string | null): void {
    const opening = message.parent_id === null;
    const run = async () => {
      const started = performance.now();
      for (let attempt = 1; attempt <= 2; attempt++) {
        try {
          const { value, usage } = await this.llm.json({
            model: this.options.summaryModel,
            messages: stateUpdateMessages(previous, action, message.content, opening),
            schemaName: 'story_state_update',
            schema: STATE_UPDATE_SCHEMA as unknown as Record<string, unknown>,
            parse: parseStateUpdate,
            purpose: 'summary_update',
          });
          await this.store.updateMessageState(sessionId, message.id, applyStateUpdate(previous, value));
          logPerf(log, 'summary_update', performance.now() - started, { session: sessionId, attempt, tokens_in: usage.tokens_in, tokens_out: usage.tokens_out });
          return;
        } catch (error) {
          if (attempt === 1) log.warn('Story state update failed; retrying once', { session: sessionId, error: (error as Error).message });
          else logError(log, 'Story state update failed twice; the turn is kept with the previous state', error, { operation: 'summary_update', session: sessionId });
        }
      }
    };
    const pending = run().finally(() => {
      if (this.pendingUpdates.get(sessionId) === pending) this.pendingUpdates.delete(sessionId);
    });
    this.pendingUpdates.set(sessionId, pending);
  }
}
