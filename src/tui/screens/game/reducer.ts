import type { CommandOutcome } from '../../../game/commands/types.js';
import type { PromptGauge } from '../../../game/engine.js';
import type { MessageRecord } from '../../../store/types.js';
import type { StoryItem, Telling } from '../../components/MessageView.js';
import type { NoticeKind } from '../../components/Notice.js';
import type { NarratorShown, TurnStats } from '../../components/StatusBar.js';

export const STILL_WRITING = 'The narrator is still writing: press Enter again when it is done, or Ctrl+C to stop it.';
/** Enter on an empty line (or only spaces). */
export const NOTHING_TYPED = 'Type what you do, then Enter; /help lists the commands.';
export const UNANSWERED = 'Your last action has no narration yet (the game ended first): it is in the input line; Enter sends it, /undo takes it back.';

export type Notice = { kind: NoticeKind; text: string };

/** What is open over the game: a box of Markdown, the branch points, the whole story, an inline edit. */
export type OverlayState =
  | { kind: 'text'; title: string; body: string }
  | ({ kind: 'tree' } & Omit<Extract<CommandOutcome, { type: 'tree' }>, 'type'>)
  | { kind: 'history'; messages: MessageRecord[] }
  /** `draft`: what the player wrote, when saving it failed: the box opens with it again. */
  | ({ kind: 'edit'; draft?: string } & Omit<Extract<CommandOutcome, { type: 'edit' }>, 'type'>);

/** A narration being told: what stands above it, the text so far, and why the narrator is waited for. */
export interface Narrating {
  pending: StoryItem | null;
  text: string;
  waiting: string | null;
}

export interface GameState {
  sessionId: string | null;
  /** The finished messages, printed once each (Ink's <Static>). */
  items: StoryItem[];
  /** Changed to print the story again (a cleared terminal, a moved head, a resize). */
  printed: number;
  /** Set when an overlay closed: the story is printed again once the box is gone. */
  reprintPending: boolean;
  /** The narration being told, or null between turns. */
  turn: Narrating | null;
  input: string;
  overlay: OverlayState | null;
  notice: Notice | null;
  stats: TurnStats | null;
  sessionTokens: number;
  /** Which telling of its turn the head narration is, for the status bar. */
  telling: Telling | null;
  /** The game's narrator settings in effect, for the status bar (null until they are read). */
  narrator: NarratorShown | null;
  /** The last prompt's size against the budget (on load, the next one's), for the status bar. */
  prompt: PromptGauge | null;
}

/** The story as the store has it, to be drawn again. */
export interface LoadedStory {
  sessionId: string;
  messages: MessageRecord[];
  /** Turns before the first message loaded (0 when it is the opening). */
  earlierTurns: number;
  sessionTokens: number;
  telling: Telling | null;
}

/** A turn's narration, saved. */
export interface SavedTurn {
  sessionId: string;
  message: MessageRecord;
  stats: TurnStats;
  sessionTokens: number;
  notice: string | null;
  telling: Telling | null;
  /** It saved the narration on screen already (after a failed save): that one is only marked saved. */
  savesShown: boolean;
  /** Another telling of a turn on screen: the story is drawn again from the store next ('loaded'), so nothing is added. */
  redraw?: boolean;
  /** Its prompt's size against the budget; null when no prompt was sent for it (the last one stays shown). */
  prompt?: PromptGauge | null;
}

/** A turn that ended without a saved narration. */
export interface FailedTurn {
  message: string;
  /** The narration that could not be saved, shown marked so (unless it is on screen already). */
  unsaved: string | null;
  /** The player's action, to put back in the input line (or, if something is typed there, to recall with ↑). */
  action: string | null;
  savesShown: boolean;
}

export type GameAction =
  /** A story from the store: a loaded game, a moved head (undo, swipe, jump, edit), a retry saved. */
  | { type: 'loaded'; story: LoadedStory; notice?: Notice | null; restoreInput?: string | undefined }
  | { type: 'started'; action?: string | undefined; note?: string | undefined }
  | { type: 'text'; text: string }
  | { type: 'waiting'; sentence: string }
  | { type: 'saved'; turn: SavedTurn }
  | { type: 'failed'; turn: FailedTurn }
  /** Stopped by the player before the first word (stopped later, what was written is saved). */
  | { type: 'cancelled'; turn: FailedTurn }
  | { type: 'typed'; input: string }
  | { type: 'notice'; notice: Notice | null }
  | { type: 'overlay'; overlay: OverlayState }
  | { type: 'overlayClosed' }
  | { type: 'reprint' }
  /** The game's narrator settings, read again (after the game opened, after any command). */
  | { type: 'steering'; narrator: NarratorShown }
  /** A prompt's size; `ifNone`: only when none is shown yet (the next prompt's, on load, never hides a turn's). */
  | { type: 'gauge'; prompt: PromptGauge; ifNone?: boolean };

export function initialState(sessionId: string | null, telling: boolean): GameState {
  return {
    sessionId,
    items: [],
    printed: 0,
    reprintPending: false,
    // A new game narrates its opening as soon as the screen opens: no input line is offered before it.
    turn: telling ? { pending: null, text: '', waiting: null } : null,
    input: '',
    overlay: null,
    notice: null,
    stats: null,
    sessionTokens: 0,
    telling: null,
    narrator: null,
    prompt: null,
  };
}

export function toItem(m: MessageRecord, telling?: Telling | null): StoryItem {
  return {
    key: m.id,
    kind: m.sender === 'player' ? 'player' : 'narration',
    text: m.content,
    ending: m.narration?.interrupted ? m.narration.finish_reason : undefined,
    ...(telling && telling.count > 1 ? { telling } : {}),
  };
}

/** The line above the first message shown when earlier turns are not on screen. */
export function earlierTurnsLine(count: number): string {
  return `— ${count} earlier turn${count === 1 ? '' : 's'}: /history —`;
}

/** What a notice shown while the narrator wrote becomes once it is done. */
const afterTurn = (shown: Notice | null) => (shown?.text === STILL_WRITING ? null : shown);

/** The turn's life-cycle and the screen around it: one place where each thing that happens changes it. */
export function gameReducer(state: GameState, action: GameAction): GameState {
  switch (action.type) {
    case 'loaded': {
      const { story } = action;
      const messages = [...story.messages];
      // An action saved without its narration waits in the input line, not in the story.
      const unanswered = messages.at(-1)?.sender === 'player' ? messages.pop() : undefined;
      const headIndex = messages.findLastIndex((m) => m.sender !== 'player');
      const items = messages.map((m, i) => toItem(m, i === headIndex ? story.telling : null));
      if (story.earlierTurns > 0) items.unshift({ key: `earlier-${story.earlierTurns}`, kind: 'system', text: earlierTurnsLine(story.earlierTurns) });
      let { input, notice } = state;
      if (action.notice !== undefined) notice = action.notice;
      const restore = unanswered?.content ?? action.restoreInput;
      if (restore && !input.trim()) {
        input = restore;
        if (unanswered) notice = { kind: 'info', text: UNANSWERED };
      }
      return {
        ...state,
        sessionId: story.sessionId,
        items,
        printed: state.printed + 1,
        input,
        notice,
        sessionTokens: story.sessionTokens,
        telling: story.telling,
      };
    }
    case 'started': {
      const pending: StoryItem | null = action.action
        ? { key: 'pending', kind: 'player', text: action.action }
        : action.note
          ? { key: 'pending', kind: 'system', text: action.note }
          : null;
      return { ...state, notice: null, turn: { pending, text: '', waiting: null } };
    }
    case 'text':
      if (!state.turn) return state;
      return { ...state, turn: { ...state.turn, text: action.text, waiting: action.text ? null : state.turn.waiting } };
    case 'waiting':
      if (!state.turn) return state;
      return { ...state, turn: { ...state.turn, waiting: action.sentence } };
    case 'saved': {
      const { turn } = action;
      const before = state.turn?.pending ?? null;
      const added: StoryItem[] = turn.redraw
        ? []
        : turn.savesShown
          ? [{ key: `${turn.message.id}-saved`, kind: 'system', text: '✓ Saved.' }]
          : [...(before ? [{ ...before, key: `${turn.message.id}-${before.kind}` }] : []), toItem(turn.message, turn.telling)];
      return {
        ...state,
        sessionId: turn.sessionId,
        items: [...state.items, ...added],
        turn: null,
        stats: turn.stats,
        sessionTokens: turn.sessionTokens,
        telling: turn.telling,
        prompt: turn.prompt ?? state.prompt,
        notice: turn.notice ? { kind: 'error', text: turn.notice } : afterTurn(state.notice),
      };
    }
    case 'failed':
    case 'cancelled': {
      const { turn } = action;
      const before = state.turn?.pending ?? null;
      let { items, input } = state;
      // Shown once: a failed /retry of its save leaves it as it stands.
      if (turn.unsaved !== null && !turn.savesShown) {
        const key = `unsaved-${state.items.length}-${state.printed}`;
        items = [...items, ...(before ? [{ ...before, key: `${key}-${before.kind}` }] : []), { key, kind: 'narration', text: turn.unsaved, ending: 'unsaved' }];
      }
      let kept = '';
      // A narration kept for /retry to save keeps its action with it.
      if (turn.action && turn.unsaved === null) {
        if (input.trim()) kept = ' Your action is kept: ↑ recalls it, /retry sends it again.';
        else {
          input = turn.action;
          kept = ' Your action is back in the input line.';
        }
      }
      // Cancelled: this is the one thing said of it (the app says nothing).
      return { ...state, items, input, turn: null, notice: { kind: action.type === 'cancelled' ? 'info' : 'error', text: `${turn.message}${kept}` } };
    }
    case 'typed':
      return { ...state, input: action.input };
    case 'notice':
      return { ...state, notice: action.notice };
    case 'overlay':
      return { ...state, overlay: action.overlay };
    case 'overlayClosed':
      // The box leaves the rows it took blank below the input line (Ink draws in place, and the
      // terminal does not scroll back): once it is gone the story is printed again.
      return state.overlay ? { ...state, overlay: null, reprintPending: true } : state;
    case 'reprint':
      return { ...state, printed: state.printed + 1, reprintPending: false };
    case 'steering': {
      const { narrator } = action;
      const same =
        state.narrator?.model === narrator.model && state.narrator.temperature === narrator.temperature && state.narrator.maxTokens === narrator.maxTokens;
      return same ? state : { ...state, narrator };
    }
    case 'gauge':
      return action.ifNone && state.prompt ? state : { ...state, prompt: action.prompt };
  }
}
