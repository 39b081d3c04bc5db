import { describe, expect, it, vi } from 'vitest';
import type { MessageRecord } from '../../src/store/types.js';
import {
  type FailedTurn,
  type GameState,
  gameReducer,
  initialState,
  type LoadedStory,
  STILL_WRITING,
  type SavedTurn,
  UNANSWERED,
} from '../../src/tui/screens/game/reducer.js';
import { GameStore } from '../../src/tui/screens/game/useGameState.js';

let ids = 0;
function message(sender: 'player' | 'narrator', content: string, extra: Partial<MessageRecord> = {}): MessageRecord {
  ids += 1;
  return {
    id: `m${ids}`,
    session_id: 's1',
    parent_id: null,
    sender,
    content,
    created_at: new Date(0),
    narration: null,
    state: null,
    ...extra,
  } as MessageRecord;
}

const story = (messages: MessageRecord[], extra: Partial<LoadedStory> = {}): LoadedStory => ({
  sessionId: 's1',
  messages,
  earlierTurns: 0,
  sessionTokens: 100,
  telling: null,
  ...extra,
});

const saved = (m: MessageRecord, extra: Partial<SavedTurn> = {}): SavedTurn => ({
  sessionId: 's1',
  message: m,
  stats: { ttftMs: 100, waitedMs: 0, tokensPerSecond: 20, turnTokens: 50 },
  sessionTokens: 150,
  notice: null,
  telling: null,
  savesShown: false,
  ...extra,
});

const failed = (extra: Partial<FailedTurn> = {}): FailedTurn => ({
  message: 'The narrator is unreachable.',
  unsaved: null,
  action: null,
  savesShown: false,
  ...extra,
});

const run = (state: GameState, ...actions: Parameters<typeof gameReducer>[1][]) => actions.reduce(gameReducer, state);

describe('the game screen reducer', () => {
  it('tells a turn: started, waiting, text, saved — the action and narration join the story, the stats and telling follow', () => {
    const loaded = run(initialState('s1', false), { type: 'loaded', story: story([message('narrator', 'Rain.')]) });
    expect(loaded.items.map((i) => i.text)).toEqual(['Rain.']);
    const started = run(loaded, { type: 'started', action: 'I look up' });
    expect(started.turn?.pending).toMatchObject({ kind: 'player', text: 'I look up' });
    const waiting = run(started, { type: 'waiting', sentence: 'rate-limited — retrying in 1 s' });
    expect(waiting.turn?.waiting).toBe('rate-limited — retrying in 1 s');
    const writing = run(waiting, { type: 'text', text: 'Neon' });
    expect(writing.turn).toEqual({ pending: started.turn?.pending, text: 'Neon', waiting: null });
    const answer = message('narrator', 'Neon flickers.');
    const done = run(writing, { type: 'saved', turn: saved(answer, { telling: { index: 1, count: 1 } }) });
    expect(done.turn).toBeNull();
    expect(done.items.map((i) => [i.kind, i.text])).toEqual([
      ['narration', 'Rain.'],
      ['player', 'I look up'],
      ['narration', 'Neon flickers.'],
    ]);
    expect(done.items.at(-1)?.telling).toBeUndefined();
    expect(done.stats?.turnTokens).toBe(50);
    expect(done.sessionTokens).toBe(150);
    // Printed once: nothing already on screen is printed again.
    expect(done.printed).toBe(loaded.printed);
  });

  it('a new telling of a turn on screen adds nothing: the story is drawn again from the store next', () => {
    const busy = run(initialState('s1', false), { type: 'started', note: '↻ Another telling of the last turn:' });
    const done = run(busy, { type: 'saved', turn: saved(message('narrator', 'Again.'), { telling: { index: 2, count: 2 }, redraw: true }) });
    expect(done.items).toEqual([]);
    expect(done.telling).toEqual({ index: 2, count: 2 });
  });

  it('marks the head narration with its telling when its turn has several, on load', () => {
    const loaded = run(initialState('s1', false), {
      type: 'loaded',
      story: story([message('narrator', 'Rain.'), message('player', 'I wait'), message('narrator', 'Thunder.')], { telling: { index: 2, count: 3 } }),
    });
    expect(loaded.items.map((i) => i.telling)).toEqual([undefined, undefined, { index: 2, count: 3 }]);
    expect(loaded.telling).toEqual({ index: 2, count: 3 });
  });

  it('says how many earlier turns are not on screen, above the first message', () => {
    const loaded = run(initialState('s1', false), { type: 'loaded', story: story([message('narrator', 'Rain.')], { earlierTurns: 212 }) });
    expect(loaded.items[0]).toMatchObject({ kind: 'system', text: '— 212 earlier turns: /history —' });
  });

  it('puts an action saved without its narration in the input line, with a sentence, unless something is typed', () => {
    const messages = [message('narrator', 'Rain.'), message('player', 'I run')];
    const empty = run(initialState('s1', false), { type: 'loaded', story: story(messages) });
    expect(empty.input).toBe('I run');
    expect(empty.notice).toEqual({ kind: 'info', text: UNANSWERED });
    expect(empty.items.map((i) => i.text)).toEqual(['Rain.']);
    const typed = run(initialState('s1', false), { type: 'typed', input: 'I hide' }, { type: 'loaded', story: story(messages) });
    expect(typed.input).toBe('I hide');
  });

  it('moved: the story drawn again, its sentence shown, the undone action back in an empty input line', () => {
    const state = run(initialState('s1', false), { type: 'loaded', story: story([message('narrator', 'Rain.')]) });
    const moved = run(state, {
      type: 'loaded',
      story: story([message('narrator', 'Rain.')]),
      notice: { kind: 'info', text: 'Undone: back to turn 0.' },
      restoreInput: 'I look up',
    });
    expect(moved.printed).toBe(state.printed + 1);
    expect(moved.input).toBe('I look up');
    expect(moved.notice?.text).toBe('Undone: back to turn 0.');
    const typing = run(state, { type: 'typed', input: 'I wave' }, { type: 'loaded', story: story([]), restoreInput: 'I look up' });
    expect(typing.input).toBe('I wave');
  });

  it('a failed turn: its action back in an empty input line, or kept for ↑ when the player typed ahead', () => {
    const busy = run(initialState('s1', false), { type: 'started', action: 'I hail a cab' });
    const back = run(busy, { type: 'failed', turn: failed({ action: 'I hail a cab' }) });
    expect(back.input).toBe('I hail a cab');
    expect(back.notice).toEqual({ kind: 'error', text: 'The narrator is unreachable. Your action is back in the input line.' });
    expect(back.turn).toBeNull();
    const ahead = run(busy, { type: 'typed', input: 'I run' }, { type: 'failed', turn: failed({ action: 'I hail a cab' }) });
    expect(ahead.input).toBe('I run');
    expect(ahead.notice?.text).toMatch(/Your action is kept: ↑ recalls it/);
  });

  it('a narration that could not be saved is shown marked so, once, with its action; its action is not put back', () => {
    const busy = run(initialState('s1', false), { type: 'started', action: 'I jump' });
    const shown = run(busy, { type: 'failed', turn: failed({ message: 'Not saved.', unsaved: 'You fly.', action: 'I jump' }) });
    expect(shown.items.map((i) => [i.text, i.ending])).toEqual([
      ['I jump', undefined],
      ['You fly.', 'unsaved'],
    ]);
    expect(shown.input).toBe('');
    const retried = run(shown, { type: 'started', note: 'Saving…' }, { type: 'failed', turn: failed({ unsaved: 'You fly.', savesShown: true }) });
    expect(retried.items).toHaveLength(2);
    const savedNow = run(shown, { type: 'started', note: 'Saving…' }, { type: 'saved', turn: saved(message('narrator', 'You fly.'), { savesShown: true }) });
    expect(savedNow.items.at(-1)?.text).toBe('✓ Saved.');
  });

  it('cancelled before the first word: one sentence, as information', () => {
    const state = run(initialState('s1', true), { type: 'cancelled', turn: failed({ message: 'Cancelled.' }) });
    expect(state.notice).toEqual({ kind: 'info', text: 'Cancelled.' });
    expect(state.turn).toBeNull();
  });

  it('"still writing" goes when the turn ends; a narration cut short says why', () => {
    const busy = run(initialState('s1', false), { type: 'started' }, { type: 'notice', notice: { kind: 'info', text: STILL_WRITING } });
    expect(run(busy, { type: 'saved', turn: saved(message('narrator', 'x')) }).notice).toBeNull();
    const cut = run(busy, { type: 'saved', turn: saved(message('narrator', 'x'), { notice: 'The narration was cut off.' }) });
    expect(cut.notice).toEqual({ kind: 'error', text: 'The narration was cut off.' });
  });

  it('an overlay closed asks for the story to be printed again, once the box is gone', () => {
    const open = run(initialState('s1', false), { type: 'overlay', overlay: { kind: 'text', title: 'Help', body: 'x' } });
    const closed = run(open, { type: 'overlayClosed' });
    expect(closed.overlay).toBeNull();
    expect(closed.reprintPending).toBe(true);
    const printed = run(closed, { type: 'reprint' });
    expect(printed.reprintPending).toBe(false);
    expect(printed.printed).toBe(closed.printed + 1);
    // Closing nothing changes nothing.
    expect(run(printed, { type: 'overlayClosed' })).toBe(printed);
  });
});

describe('GameStore', () => {
  it('has the new state at once, and clears the terminal before a state that prints the story again', () => {
    const order: string[] = [];
    const store = new GameStore(initialState(null, false), () => order.push('clear'));
    store.subscribe(() => order.push(`render ${store.get().printed}`));
    store.dispatch({ type: 'typed', input: 'a' });
    expect(store.get().input).toBe('a');
    store.dispatch({ type: 'reprint' });
    expect(order).toEqual(['render 0', 'clear', 'render 1']);
    const listener = vi.fn();
    store.subscribe(listener);
    store.dispatch({ type: 'overlayClosed' });
    expect(listener).not.toHaveBeenCalled();
  });
});
