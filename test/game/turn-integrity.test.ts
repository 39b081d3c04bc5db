import { beforeEach, describe, expect, it } from 'vitest';
import { GameEngine, type TurnError } from '../../src/game/engine.js';
import { exportSession } from '../../src/game/export.js';
import { OpenAiLlm } from '../../src/llm/openai-client.js';
import type { RetryWait } from '../../src/llm/types.js';
import { newSessionId } from '../../src/store/ids.js';
import type { SqliteStore } from '../../src/store/sqlite/store.js';
import { EMPTY_STATE, type PublicUser, type Store } from '../../src/store/types.js';
import { FaultyStore, sqliteError } from '../support/faulty-store.js';
import { type FakeLlmServer, validStateUpdate } from '../support/fake-llm-server.js';
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

function engine(over: Store = store, maxRetries = 2, timeoutS = 0.5): GameEngine {
  return new GameEngine({
    store: over,
    llm: new OpenAiLlm({ apiKey: 'xai-test-key', baseUrl: server.url, model: 'grok-test', timeoutS, maxRetries, backoff: { baseMs: 5, capMs: 20 } }),
    narratorModel: 'grok-test',
    summaryModel: 'grok-summary',
    storeRetryMs: [5, 10],
  });
}

const narrationRequests = () => server.requests.filter((r) => r.body.stream);
const summaryRequests = () => server.requests.filter((r) => !r.body.stream && r.body.response_format);
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => Promise.reject(new Error('expected a failure')),
    (e: unknown) => e as TurnError,
  );
const headOf = async (sessionId: string) => store.getMessage((await store.getSession(sessionId))?.head as string);

describe('how a turn ends', () => {
  it('keeps a stream closed without finish_reason as interrupted, with how it ended in the store and the JSON export', async () => {
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    server.script({ kind: 'close', chunks: ['The lamp ', 'gutters and'] });
    const cut = await game.takeTurn(alice, session.id, 'I trim the wick.');
    expect(cut).toMatchObject({
      interrupted: true,
      finishReason: 'cut',
      notice: 'The narration was cut off mid-way; the partial text is kept, and /retry asks for a new one.',
    });
    expect((await store.getMessage(cut.message.id))?.narration).toMatchObject({ interrupted: true, finish_reason: 'cut' });
    const exported = JSON.parse(await exportSession(store, (await store.getSession(session.id))!, 'json')) as {
      messages: Array<{ content: string; narration: { interrupted: boolean; finish_reason: string } | null }>;
    };
    expect(exported.messages.find((m) => m.content === 'The lamp gutters and')?.narration).toMatchObject({ interrupted: true, finish_reason: 'cut' });
    expect(exported.messages.find((m) => m.narration?.finish_reason === 'stop')).toBeDefined();
  });

  it('tells the length limit in one sentence, and still updates the story state', async () => {
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    await game.settled(session.id);
    server.script({ kind: 'stream', chunks: ['On and on it went'], finish: 'length' });
    const long = await game.takeTurn(alice, session.id, 'I tell a long tale.');
    expect(long).toMatchObject({ finishReason: 'length', interrupted: true, notice: 'The narrator reached its length limit; /continue goes on.' });
    await game.settled(session.id);
    expect((await store.getMessage(long.message.id))?.state?.event).not.toBeNull();
    expect(narrationRequests().at(-1)?.body).toMatchObject({ max_tokens: 2048 });
  });

  it('saves no turn for an empty answer: the action comes back, and /retry sends it again on the same action', async () => {
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    server.script({ kind: 'stream', chunks: [], reasoning: ['I should think about lighthouses for a while.'] });
    const error = await failureOf(game.takeTurn(alice, session.id, 'I climb.'));
    expect(error.failure.kind).toBe('empty');
    expect(error.action).toBe('I climb.');
    expect((await store.listMessages(session.id)).filter((m) => m.sender === 'StoryOS')).toHaveLength(1);
    expect(game.failedAction(session.id)).toBe('I climb.');
    server.script({ kind: 'stream', chunks: ['You climb.'] });
    const retried = await game.retry(alice, session.id);
    expect(retried.message.content).toBe('You climb.');
    const messages = await store.listMessages(session.id);
    expect(messages.filter((m) => m.content === 'I climb.')).toHaveLength(1);
    expect(retried.session.turn_count).toBe(1);
    expect(
      narrationRequests()
        .at(-1)
        ?.body.messages?.filter((m) => m.content === 'I climb.'),
    ).toHaveLength(1);
  });

  it('typing the same action again answers the saved one; a different action replaces it', async () => {
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    server.script({ kind: 'status', status: 400 }, { kind: 'stream', chunks: ['Answered.'] });
    await failureOf(game.takeTurn(alice, session.id, 'First try.'));
    const answered = await game.takeTurn(alice, session.id, 'First try.');
    expect((await store.listMessages(session.id)).filter((m) => m.content === 'First try.')).toHaveLength(1);
    server.script({ kind: 'status', status: 400 }, { kind: 'stream', chunks: ['Other.'] });
    await failureOf(game.takeTurn(alice, session.id, 'Second try.'));
    const replaced = await game.takeTurn(alice, session.id, 'Something else.');
    const branch = (await game.transcript(alice, session.id)).map((m) => m.content);
    expect(branch.slice(-4)).toEqual(['First try.', 'Answered.', 'Something else.', 'Other.']);
    expect(replaced.session.turn_count).toBe(answered.session.turn_count + 1);
  });

  it('an unanswered action can be undone alone, and /continue asks for it first', async () => {
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    server.script({ kind: 'status', status: 400 });
    await failureOf(game.takeTurn(alice, session.id, 'Left hanging.'));
    await expect(game.continueStory(alice, session.id)).rejects.toThrow('Your last action has no narration yet: /retry sends it, or /undo takes it back.');
    const undone = await game.undo(alice, session.id);
    expect(undone.session.turn_count).toBe(0);
    expect((await headOf(session.id))?.sender).toBe('StoryOS');
  });

  it('passes on each wait between attempts and keeps it apart from TTFT', async () => {
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    server.script({ kind: 'status', status: 429, headers: { 'retry-after': '0.2' } }, { kind: 'stream', chunks: ['After the wait.'] });
    const waits: RetryWait[] = [];
    const result = await game.takeTurn(alice, session.id, 'I wait.', { onWait: (w) => waits.push(w) });
    expect(waits).toEqual([{ kind: 'rate_limit', status: 429, nextAttempt: 2, maxAttempts: 3, waitMs: 200 }]);
    expect(result.attempts).toBe(2);
    expect(result.waitedMs).toBeGreaterThanOrEqual(190);
    expect(result.ttftMs ?? 0).toBeLessThan(result.waitedMs);
  });
});

describe('store faults during a turn', () => {
  it('tries a busy store again, and the turn is saved', async () => {
    const faulty = new FaultyStore(store);
    const game = engine(faulty.store);
    const { session } = await game.newSession(alice, SCENARIO);
    await game.settled(session.id);
    faulty.failOn(1, sqliteError('SQLITE_BUSY'), 2).failOn(4, sqliteError('SQLITE_BUSY'));
    const result = await game.takeTurn(alice, session.id, 'I hold on.');
    expect((await headOf(session.id))?.id).toBe(result.message.id);
    expect((await store.listMessages(session.id)).map((m) => m.content).slice(-2)).toEqual(['I hold on.', result.message.content]);
  });

  it.each([
    ['a full disk', sqliteError('SQLITE_FULL')],
    ['a corrupt database page', sqliteError('SQLITE_CORRUPT')],
  ])('after %s, keeps the action and the narration read for /retry, which saves them without a new narration', async (_name, fault) => {
    const dir = tempDir();
    logInto(dir);
    const faulty = new FaultyStore(store);
    const game = engine(faulty.store);
    const { session } = await game.newSession(alice, SCENARIO);
    await game.settled(session.id);
    server.script({ kind: 'stream', chunks: ['The narration ', 'you read.'] });
    faulty.failOn(2, fault); // the action saves; its narration does not
    const error = await failureOf(game.takeTurn(alice, session.id, 'I write it down.'));
    expect(error.failure.kind).toBe('store');
    expect(error.message).toBe('The game could not be saved; your action and this narration are kept, and /retry saves them (no new narration is asked for).');
    expect(error.action).toBe('I write it down.');
    expect(error.unsavedNarration).toBe('The narration you read.');
    expect(game.hasUnsavedTurn(session.id)).toBe(true);
    expect((await headOf(session.id))?.content).toBe('I write it down.');
    const asked = narrationRequests().length;
    const saved = await game.retry(alice, session.id);
    expect(narrationRequests()).toHaveLength(asked);
    expect(saved.message.content).toBe('The narration you read.');
    expect(saved.session.turn_count).toBe(1);
    expect((await headOf(session.id))?.content).toBe('The narration you read.');
    expect(game.hasUnsavedTurn(session.id)).toBe(false);
    expect(readLog(dir)).toContain('The narration could not be saved; kept for /retry');
  });

  it('saves the kept narration first when the player goes on with a new action', async () => {
    const faulty = new FaultyStore(store);
    const game = engine(faulty.store);
    const { session } = await game.newSession(alice, SCENARIO);
    await game.settled(session.id);
    server.script({ kind: 'stream', chunks: ['Kept for later.'] }, { kind: 'stream', chunks: ['And on.'] });
    faulty.failOn(2, sqliteError('SQLITE_FULL'));
    await failureOf(game.takeTurn(alice, session.id, 'First.'));
    await game.takeTurn(alice, session.id, 'Second.');
    expect((await game.transcript(alice, session.id)).map((m) => m.content).slice(1)).toEqual(['First.', 'Kept for later.', 'Second.', 'And on.']);
    expect(narrationRequests()).toHaveLength(3);
  });

  it('typing the kept action again only saves its narration; a new action while the save still fails comes back', async () => {
    const faulty = new FaultyStore(store);
    const game = engine(faulty.store);
    const { session } = await game.newSession(alice, SCENARIO);
    await game.settled(session.id);
    server.script({ kind: 'stream', chunks: ['Read once.'] });
    faulty.failOn(2, sqliteError('SQLITE_FULL'));
    await failureOf(game.takeTurn(alice, session.id, 'I knock.'));
    expect(await game.unansweredAction(alice, session.id)).toBeNull();
    faulty.failOn(1, sqliteError('SQLITE_FULL'));
    const refused = await failureOf(game.takeTurn(alice, session.id, 'I kick the door.'));
    expect(refused.message).toBe('The last narration is still not saved, so this action was not played: /retry saves it, then send your action again.');
    expect([refused.action, refused.unsavedNarration]).toEqual(['I kick the door.', null]);
    const asked = narrationRequests().length;
    const saved = await game.takeTurn(alice, session.id, 'I knock.');
    expect(saved.message.content).toBe('Read once.');
    expect(narrationRequests()).toHaveLength(asked);
    expect((await game.transcript(alice, session.id)).map((m) => m.content).slice(1)).toEqual(['I knock.', 'Read once.']);
    expect(saved.session.turn_count).toBe(1);
  });

  it('recognises a save whose answer was lost after it committed, instead of calling it a conflict', async () => {
    const faulty = new FaultyStore(store);
    const game = engine(faulty.store);
    const { session } = await game.newSession(alice, SCENARIO);
    await game.settled(session.id);
    server.script({ kind: 'stream', chunks: ['Saved, answer lost.'] });
    faulty.commitThenFail(2, sqliteError('SQLITE_BUSY'));
    const result = await game.takeTurn(alice, session.id, 'I write.');
    expect(result.message.content).toBe('Saved, answer lost.');
    expect((await game.transcript(alice, session.id)).map((m) => m.content).slice(1)).toEqual(['I write.', 'Saved, answer lost.']);
  });

  it('builds on the latest state when the head is an unanswered action and a late update landed on the narration before it', async () => {
    const game = engine(store, 2, 3);
    const { session } = await game.newSession(alice, SCENARIO);
    await game.settled(session.id);
    server.script({ kind: 'stream', chunks: ['First.'] }, { kind: 'json', content: validStateUpdate(7), delayMs: 1300 }, { kind: 'status', status: 400 });
    const first = await game.takeTurn(alice, session.id, 'One.');
    await failureOf(game.takeTurn(alice, session.id, 'Two.'));
    await game.settled(session.id);
    expect((await store.getMessage(first.message.id))?.state?.synopsis).toBe('The keeper vanished; 7 turns played.');
    expect((await game.story(alice, session.id)).synopsis).toBe('The keeper vanished; 7 turns played.');
    const prompt = await game.nextPrompt(alice, session.id);
    expect(JSON.stringify(prompt.messages)).toContain('7 turns played');
  });

  it('keeps an action that could not be saved at all in memory for /retry', async () => {
    const faulty = new FaultyStore(store);
    const game = engine(faulty.store);
    const { session } = await game.newSession(alice, SCENARIO);
    await game.settled(session.id);
    faulty.failOn(1, sqliteError('SQLITE_IOERR'));
    const error = await failureOf(game.takeTurn(alice, session.id, 'I try.'));
    expect(error.message).toBe('The game could not be saved, so your action was not played; /retry sends it again.');
    expect(narrationRequests()).toHaveLength(1);
    const retried = await game.retry(alice, session.id);
    expect((await store.getMessage(retried.message.parent_id as string))?.content).toBe('I try.');
  });
});

describe('a game whose opening was never saved', () => {
  it('is kept when its opening could not be saved, to be told again, and takes no action before it', async () => {
    const faulty = new FaultyStore(store);
    const game = engine(faulty.store);
    faulty.failOn(2, sqliteError('SQLITE_FULL'));
    const error = await failureOf(game.newSession(alice, SCENARIO));
    expect(error.message).toBe('The game could not be saved; it is in Load game, and its opening is told again when you open it.');
    const [kept] = await store.listSessions('alice');
    expect(await game.needsOpening(alice, kept?.id as string)).toBe(true);
    await expect(game.takeTurn(alice, kept?.id as string, 'Too soon.')).rejects.toThrow('This game has no opening yet: /retry tells it.');
    await expect(game.continueStory(alice, kept?.id as string)).rejects.toThrow('This game has no opening yet: /retry tells it.');
    expect((await game.retry(alice, kept?.id as string)).message.parent_id).toBeNull();
  });

  it('tells its opening again when it is next opened, or on /retry', async () => {
    const game = engine();
    const now = new Date();
    const id = newSessionId();
    await store.createSession({
      id,
      user: 'alice',
      scenario_id: SCENARIO,
      scenario_name: 'The Lighthouse',
      created_at: now,
      updated_at: now,
      head: null,
      turn_count: 0,
      usage: { tokens_in: 0, tokens_out: 0 },
      state: { ...EMPTY_STATE },
    });
    expect(await game.needsOpening(alice, id)).toBe(true);
    const opening = await game.tellOpening(alice, id);
    expect(opening.message.parent_id).toBeNull();
    expect(await game.needsOpening(alice, id)).toBe(false);
    await expect(game.tellOpening(alice, id)).rejects.toThrow('This game has begun already.');

    const other = newSessionId();
    await store.createSession({
      id: other,
      user: 'alice',
      scenario_id: SCENARIO,
      scenario_name: 'The Lighthouse',
      created_at: now,
      updated_at: now,
      head: null,
      turn_count: 0,
      usage: { tokens_in: 0, tokens_out: 0 },
      state: { ...EMPTY_STATE },
    });
    expect((await game.retry(alice, other)).message.parent_id).toBeNull();
  });
});

describe('the story-state update never keeps the player waiting', () => {
  it('with a summary model that always answers invalid JSON: two tries an update, the next turn goes on, and the turns are kept', async () => {
    server.answerByDefault({ json: () => ({ kind: 'json', content: '{"not": "a state"}' }) });
    const game = engine(store, 3);
    const { session } = await game.newSession(alice, SCENARIO);
    for (let turn = 1; turn <= 3; turn++) await game.takeTurn(alice, session.id, `Turn ${turn}.`);
    await game.settled();
    expect(summaryRequests()).toHaveLength(4 * 2);
    expect((await game.transcript(alice, session.id)).length).toBe(7);
  });

  it('the next turn waits for a slow update at most a second, and a later update catches up with the turn it missed', async () => {
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    await game.settled(session.id);
    server.script({ kind: 'stream', chunks: ['The gull cries.'] }, { kind: 'status', status: 500, for: 'json' }, { kind: 'status', status: 500, for: 'json' });
    const missed = await game.takeTurn(alice, session.id, 'I feed the gull.');
    await game.settled(session.id);
    expect((await store.getMessage(missed.message.id))?.state?.event).toBeNull();

    server.script({ kind: 'stream', chunks: ['The tide rises.'] }, { kind: 'json', content: validStateUpdate(9), delayMs: 3000 });
    const asked = summaryRequests().length;
    await game.takeTurn(alice, session.id, 'I watch the tide.');
    await until(() => summaryRequests().length > asked);
    const slowUpdate = summaryRequests().at(-1);
    const before = performance.now();
    await game.takeTurn(alice, session.id, 'I go in.');
    const nextNarration = narrationRequests().at(-1);
    expect((nextNarration?.receivedAt ?? 0) - (slowUpdate?.receivedAt ?? 0)).toBeLessThan(2000);
    expect(performance.now() - before).toBeLessThan(2500);
    const catchUp = slowUpdate?.body.messages?.at(-1)?.content ?? '';
    expect(catchUp).toContain("Earlier turn 1 of 1, not yet in the state (include it too):\nThe player's action (earlier): I feed the gull.");
    expect(catchUp).toContain('The narration (earlier): The gull cries.');
    expect(catchUp).toMatch(/The player's action: I watch the tide\.\n\nThe narration: The tide rises\.$/);
  });
});

describe('a move among tellings and branches when the store fails', () => {
  it('tries a busy write again, and a failed one changes nothing: the head, its state and the choices stay', async () => {
    const faulty = new FaultyStore(store);
    const game = engine(faulty.store);
    const { session } = await game.newSession(alice, SCENARIO);
    const first = await game.takeTurn(alice, session.id, 'One.');
    const second = await game.retry(alice, session.id);
    await game.settled(session.id);

    faulty.failOn(1, sqliteError('SQLITE_BUSY'));
    expect((await game.swipe(alice, session.id, 'prev')).head.id).toBe(first.message.id);
    expect((await store.getSession(session.id))?.head).toBe(first.message.id);

    const before = await store.getSession(session.id);
    faulty.failOn(1, sqliteError('SQLITE_FULL'));
    await expect(game.swipe(alice, session.id, 'next')).rejects.toThrow();
    faulty.failOn(1, sqliteError('SQLITE_IOERR'));
    await expect(game.editNarration(alice, session.id, 'Written over.')).rejects.toThrow();
    faulty.failOn(1, sqliteError('SQLITE_FULL'));
    await expect(game.undo(alice, session.id)).rejects.toThrow();
    expect(await store.getSession(session.id)).toEqual(before);
    expect((await store.listMessages(session.id)).map((m) => m.content)).not.toContain('Written over.');

    // An answer lost after the write: the move is recognised as made.
    faulty.commitThenFail(1, sqliteError('SQLITE_BUSY'));
    expect((await game.swipe(alice, session.id, 'next')).head.id).toBe(second.message.id);
    expect((await store.getSession(session.id))?.head).toBe(second.message.id);
  });
});
