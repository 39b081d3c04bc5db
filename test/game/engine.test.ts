import { beforeEach, describe, expect, it } from 'vitest';
import { Accounts } from '../../src/auth/accounts.js';
import { GameEngine, TurnError } from '../../src/game/engine.js';
import { OfflineLlm } from '../../src/llm/offline.js';
import { OpenAiLlm } from '../../src/llm/openai-client.js';
import type { LlmClient } from '../../src/llm/types.js';
import type { SqliteStore } from '../../src/store/sqlite/store.js';
import type { PublicUser } from '../../src/store/types.js';
import { DEFAULT_NARRATION, type FakeLlmServer, validStateUpdate } from '../support/fake-llm-server.js';
import { logInto, readLog } from '../support/logging.js';
import { setUpGameFixture } from '../support/game-fixture.js';
import { tempDir } from '../support/temp.js';
import { until } from '../support/wait.js';

const SCENARIO = 'the-lighthouse-at-gull-point';
const fixture = setUpGameFixture();
let server: FakeLlmServer;
let store: SqliteStore;
let alice: PublicUser;
beforeEach(() => ({ server, store, alice } = fixture));

function engine(llm?: LlmClient): GameEngine {
  return new GameEngine({
    store,
    llm:
      llm ??
      new OpenAiLlm({ apiKey: 'xai-test-key', baseUrl: server.url, model: 'grok-test', timeoutS: 0.5, maxRetries: 2, backoff: { baseMs: 5, capMs: 20 } }),
    narratorModel: 'grok-test',
    summaryModel: 'grok-summary',
  });
}

const narrationRequests = () => server.requests.filter((r) => r.body.stream);
const promptChars = (i: number) => (narrationRequests()[i]?.body.messages ?? []).reduce((n, m) => n + m.content.length, 0);
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => Promise.reject(new Error('expected a failure')),
    (e: unknown) => e as TurnError,
  );

describe('a game against the fake narrator', () => {
  it('plays 20 turns: each persisted with its usage, the state updated, and the prompt bounded', async () => {
    const game = engine();
    const opening = await game.newSession(alice, SCENARIO);
    expect(opening.message.content).toBe(DEFAULT_NARRATION.join(''));
    const sessionId = opening.session.id;
    for (let turn = 1; turn <= 20; turn++) {
      server.script({
        kind: 'stream',
        chunks: [`Turn ${turn}: `, 'the storm '.repeat(40), 'answers.'],
        usage: { prompt_tokens: 1000 + turn, completion_tokens: 100 },
      });
      const result = await game.takeTurn(alice, sessionId, `I search room ${turn} carefully, looking behind every crate and under every loose board.`);
      expect(result.message.narration?.usage).toEqual({ tokens_in: 1000 + turn, tokens_out: 100 });
      await game.settled(sessionId);
      const saved = await store.getMessage(result.message.id);
      expect(saved?.state?.event?.title).toMatch(/^Turn \d+$/);
    }
    const session = await store.getSession(sessionId);
    expect(session?.turn_count).toBe(20);
    expect(session?.usage.tokens_out).toBe(20 * 100 + opening.usage.tokens_out);
    const transcript = await game.transcript(alice, sessionId);
    expect(transcript).toHaveLength(41);
    expect(transcript.filter((m) => m.sender === 'StoryOS').every((m) => m.narration && !m.narration.interrupted)).toBe(true);
    const [turn10, turn20] = [promptChars(10), promptChars(20)];
    expect(turn20).toBeLessThanOrEqual(turn10 * 1.1);
    const story = await game.story(alice, sessionId);
    expect(story.timeline.length).toBe(21);
    expect(story.synopsis).toContain('turns played');
  });

  it('retries a 429 and the turn succeeds', async () => {
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    server.script({ kind: 'status', status: 429, headers: { 'retry-after': '0' } }, { kind: 'stream', chunks: ['After the wait.'] });
    const result = await game.takeTurn(alice, session.id, 'I wait.');
    expect(result.message.content).toBe('After the wait.');
  });

  it('gives one clear sentence for a rejected key, with the typed action kept in the store and no narration saved', async () => {
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    const before = await store.counts();
    server.script({ kind: 'status', status: 401 });
    const error = await failureOf(game.takeTurn(alice, session.id, 'I light the lamp.'));
    expect(error).toBeInstanceOf(TurnError);
    expect(error.message).toBe('The narrator refused the API key (HTTP 401): check XAI_API_KEY, or play offline with `storyos play --offline`.');
    expect(error.action).toBe('I light the lamp.');
    expect(narrationRequests()).toHaveLength(2);
    expect(await store.counts()).toEqual({ ...before, messages: before.messages + 1 });
    const head = await store.getMessage((await store.getSession(session.id))?.head as string);
    expect([head?.sender, head?.content]).toEqual(['player', 'I light the lamp.']);
    expect(await game.unansweredAction(alice, session.id)).toBe('I light the lamp.');
    expect((await store.getSession(session.id))?.turn_count).toBe(0);
  });

  it('times out a stall, keeps the typed action for /retry, and the retry works', async () => {
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    server.script({ kind: 'stall' }, { kind: 'stall' }, { kind: 'stall' });
    const error = await failureOf(game.takeTurn(alice, session.id, 'I climb the stairs.'));
    expect(error.failure.kind).toBe('timeout');
    expect(error.action).toBe('I climb the stairs.');
    expect(game.failedAction(session.id)).toBe('I climb the stairs.');
    server.script({ kind: 'stream', chunks: ['The stairs groan.'] });
    const retried = await game.retry(alice, session.id);
    expect(retried.message.content).toBe('The stairs groan.');
    const [, action, narration] = await game.transcript(alice, session.id);
    expect([action?.content, narration?.content]).toEqual(['I climb the stairs.', 'The stairs groan.']);
    expect(game.failedAction(session.id)).toBeUndefined();
  });

  it('keeps a cut stream’s partial text marked interrupted; /retry then adds a sibling', async () => {
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    server.script({ kind: 'disconnect', chunks: ['The bell ', 'rings and'] });
    const cut = await game.takeTurn(alice, session.id, 'I ring the bell.');
    expect(cut).toMatchObject({ interrupted: true, notice: 'The narration was cut off mid-way; the partial text is kept, and /retry asks for a new one.' });
    expect((await store.getMessage(cut.message.id))?.narration?.interrupted).toBe(true);
    expect(cut.message.content).toBe('The bell rings and');
    server.script({ kind: 'stream', chunks: ['The bell rings out over the sea.'] });
    const retried = await game.retry(alice, session.id);
    const action = await store.getMessage(cut.message.parent_id as string);
    const siblings = await store.getChildren(session.id, action?.id as string);
    expect(siblings.map((m) => m.content)).toEqual(['The bell rings and', 'The bell rings out over the sea.']);
    expect((await store.getSession(session.id))?.head).toBe(retried.message.id);
    expect(retried.session.turn_count).toBe(1);
    const retryPrompt = narrationRequests().at(-1)?.body.messages ?? [];
    expect(retryPrompt.at(-1)).toEqual({ role: 'user', content: 'I ring the bell.' });
    expect(retryPrompt.filter((m) => m.content === 'I ring the bell.')).toHaveLength(1);
  });

  it('never lets escape sequences reach the player or the store', async () => {
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    server.script({ kind: 'stream', chunks: ['\u001b[2J\u001b[31mRed', ' alert\u001b[0m\u0007\r'] });
    const pieces: string[] = [];
    const result = await game.takeTurn(alice, session.id, 'I look.', { onText: (t) => pieces.push(t) });
    expect(result.message.content).toBe('Red alert');
    expect(pieces.join('')).toBe('Red alert');
    expect((await store.getMessage(result.message.id))?.content).toBe('Red alert');
  });

  it('removes escape sequences from the player’s action before it is stored or sent', async () => {
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    const result = await game.takeTurn(alice, session.id, 'say \u001b[2J\u001b]0;title\u0007hi\u0000');
    const action = await store.getMessage(result.message.parent_id as string);
    expect(action?.content).toBe('say hi');
    expect(narrationRequests().at(-1)?.body.messages?.at(-1)?.content).toBe('say hi');
  });

  it('refuses a turn built on a story another process has moved on, keeping the action', async () => {
    const first = engine();
    const second = engine();
    const { session } = await first.newSession(alice, SCENARIO);
    server.script({ kind: 'stream', chunks: ['Slow one.'], delayMs: 0, firstDelayMs: 300 }, { kind: 'stream', chunks: ['Fast one.'] });
    const slow = first.takeTurn(alice, session.id, 'I wait in the first window.');
    await new Promise((r) => setTimeout(r, 100));
    await second.takeTurn(alice, session.id, 'I act in the second window.');
    const error = await failureOf(slow);
    expect(error.failure.kind).toBe('conflict');
    expect(error.message).toBe(
      'This game was played in another window meanwhile, so this narration was not kept; /retry plays your action on the latest story.',
    );
    expect(first.failedAction(session.id)).toBe('I wait in the first window.');
    expect((await first.transcript(alice, session.id)).map((m) => m.content)).toContain('I act in the second window.');
    server.script({ kind: 'stream', chunks: ['Now it plays.'] });
    const retried = await first.retry(alice, session.id);
    expect(retried.message.content).toBe('Now it plays.');
    expect((await first.transcript(alice, session.id)).map((m) => m.content).slice(-4)).toEqual([
      'I act in the second window.',
      'Fast one.',
      'I wait in the first window.',
      'Now it plays.',
    ]);
  });

  it('cancels mid-stream: the request is aborted, the partial narration kept as interrupted', async () => {
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    server.script({ kind: 'stream', chunks: ['A ', 'slow ', 'story ', 'goes ', 'on.'], delayMs: 100 });
    const controller = new AbortController();
    const result = await game.takeTurn(alice, session.id, 'I listen.', { signal: controller.signal, onText: (t) => t === 'slow ' && controller.abort() });
    expect(result).toMatchObject({ interrupted: true, notice: null });
    expect(result.message.content).toBe('A slow ');
    expect(await until(() => narrationRequests().at(-1)?.closedByClient === true)).toBe(true);
  });

  it('undo moves the head and the state back; continue adds a narration without an action', async () => {
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    const first = await game.takeTurn(alice, session.id, 'First action.');
    await game.settled(session.id);
    const stateAfterFirst = (await store.getMessage(first.message.id))?.state;
    const second = await game.takeTurn(alice, session.id, 'Second action.');
    await game.settled(session.id);
    expect((await store.getSession(session.id))?.turn_count).toBe(2);

    const undone = await game.undo(alice, session.id);
    expect(undone.session).toMatchObject({ head: first.message.id, turn_count: 1, state: stateAfterFirst });
    expect(undone.undoneAction).toBe('Second action.');
    expect(await store.getMessage(second.message.id)).not.toBeNull();

    const continued = await game.continueStory(alice, session.id);
    expect(continued.message.parent_id).toBe(first.message.id);
    expect(narrationRequests().at(-1)?.body.messages?.at(-1)?.content).toMatch(/^\(The player waits\. Continue the story/);
    expect(continued.session.turn_count).toBe(2);
    expect((await game.transcript(alice, session.id)).map((m) => m.sender)).toEqual(['StoryOS', 'player', 'StoryOS', 'StoryOS']);
    await game.undo(alice, session.id);
    await game.undo(alice, session.id);
    await expect(game.undo(alice, session.id)).rejects.toThrow('Nothing to undo: this is the opening of the story.');
  });

  it('retries a failed or invalid state update once, and keeps the turn when both fail', async () => {
    const dir = tempDir();
    logInto(dir);
    const game = engine(
      new OpenAiLlm({ apiKey: 'k', baseUrl: server.url, model: 'grok-test', timeoutS: 0.5, maxRetries: 0, backoff: { baseMs: 1, capMs: 1 } }),
    );
    const { session } = await game.newSession(alice, SCENARIO);
    await game.settled(session.id);
    server.script(
      { kind: 'stream', chunks: ['A quiet turn.'] },
      { kind: 'json', content: '{"event_title": 5}' },
      { kind: 'json', content: validStateUpdate(7) },
    );
    const ok = await game.takeTurn(alice, session.id, 'I rest.');
    await game.settled(session.id);
    expect((await store.getMessage(ok.message.id))?.state?.event?.title).toBe('Turn 7');

    server.script({ kind: 'stream', chunks: ['Another turn.'] }, { kind: 'status', status: 500, for: 'json' }, { kind: 'json', content: 'nonsense' });
    const kept = await game.takeTurn(alice, session.id, 'I rest again.');
    await game.settled(session.id);
    const saved = await store.getMessage(kept.message.id);
    expect(saved?.content).toBe('Another turn.');
    expect(saved?.state?.event).toBeNull();
    expect(saved?.state?.synopsis).toBe((await store.getMessage(ok.message.id))?.state?.synopsis);
    expect(readLog(dir)).toMatch(/\[ERROR\] \[game_logic\] Story state update failed twice; the turn is kept, and the next update catches up with it/);
  });

  it('does not keep the player waiting for the state update', async () => {
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    await game.settled(session.id);
    server.script({ kind: 'stream', chunks: ['Fast.'] }, { kind: 'json', content: validStateUpdate(3), delayMs: 400 });
    const started = Date.now();
    await game.takeTurn(alice, session.id, 'Quick.');
    expect(Date.now() - started).toBeLessThan(300);
  });

  it('shows the exact next prompt with tokens per section, rules and scenario first', async () => {
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    await game.takeTurn(alice, session.id, 'I knock.');
    await game.settled(session.id);
    const view = await game.nextPrompt(alice, session.id, 'I open the door.');
    expect(view.sections.map((s) => s.name)).toEqual([
      'Rules',
      'Scenario',
      'Memory',
      'Current state',
      'Story so far',
      'Recent events',
      'Characters',
      'World info',
      'Last messages (3)',
      "Author's note",
      'Action',
    ]);
    expect(view.sections.every((s) => s.tokens >= 0)).toBe(true);
    expect(view.totalTokens).toBe(view.sections.reduce((n, s) => n + s.tokens, 0));
    expect(view.messages[0]?.content).toMatch(/^## Rules\nYou are StoryOS/);
    expect(view.messages[0]?.content).toContain('How to run this story: Build dread slowly');
    expect(view.messages.at(-1)).toEqual({ role: 'user', content: 'I open the door.' });
  });

  it('refuses an empty or oversized action, and another player’s session', async () => {
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    await expect(game.takeTurn(alice, session.id, '   ')).rejects.toThrow('Type what you do, or /help for the commands.');
    await expect(game.takeTurn(alice, session.id, 'x'.repeat(2001))).rejects.toThrow('An action can be at most 2000 characters (this one has 2001).');
    const bob = await new Accounts(store).createUser('bob', 'password123', 'user', 'test');
    await expect(game.takeTurn(bob, session.id, 'I steal.')).rejects.toThrow(`No game session ${session.id} of yours.`);
  });

  it('logs each step with PERF lines under game_logic', async () => {
    const dir = tempDir();
    logInto(dir);
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    await game.takeTurn(alice, session.id, 'I knock twice.');
    await game.settled(session.id);
    await game.undo(alice, session.id);
    const text = readLog(dir);
    for (const operation of ['opening', 'process_player_input', 'summary_update', 'undo'])
      expect(text).toMatch(new RegExp(`\\[PERF\\] \\[game_logic\\] ${operation} completed \\(duration: \\d+\\.\\d\\ds, session: ${session.id}`));
    // The turn's id, bound once for the turn (withLogContext), comes after the call's own fields.
    expect(text).toMatch(
      new RegExp(`\\[INFO\\] \\[game_logic\\] User action: take_turn \\(user_id: alice, session: ${session.id}, input_length: 14, turn: t[0-9a-f]{8}\\)`),
    );
  });
});

describe('the offline demo narrator', () => {
  it('plays the whole game without network, clearly labelled, with valid state updates', async () => {
    const game = engine(new OfflineLlm(0));
    expect(game.offline).toBe(true);
    const opening = await game.newSession(alice, 'neon-rain');
    expect(opening.message.content).toMatch(/^\*Offline demo narrator — set XAI_API_KEY to play with Grok\.\*/);
    expect(opening.message.content).toContain('the story begins at your office above a noodle bar');
    const pieces: string[] = [];
    const turn = await game.takeTurn(alice, opening.session.id, 'I ask the client about her sister.', { onText: (t) => pieces.push(t) });
    expect(pieces.length).toBeGreaterThan(5);
    expect(turn.message.content).toContain('I ask the client about her sister.');
    await game.settled(opening.session.id);
    expect((await store.getMessage(turn.message.id))?.state?.event?.title).toBe('I ask the client about her sister.');
    expect(server.requests).toHaveLength(0);
  });

  it('streams at a reading pace and can be cancelled mid-way', async () => {
    const game = engine(new OfflineLlm(20));
    const { session } = await game.newSession(alice, 'neon-rain');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await game.takeTurn(alice, session.id, 'I wait in the rain.', { signal: controller.signal });
    expect(result.interrupted).toBe(true);
    expect(result.message.content.length).toBeGreaterThan(0);
    expect(result.durationMs).toBeGreaterThanOrEqual(80);
  });
});
