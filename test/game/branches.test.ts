import fc from 'fast-check';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  branchPoints,
  chosenChild,
  defaultChild,
  edgesOf,
  lineFrom,
  MessageTree,
  previewOf,
  sharedOpening,
  tellingIndex,
  tellingsOf,
  turnNumberOf,
  turnStartOf,
  withChoices,
} from '../../src/game/branches.js';
import { GameEngine } from '../../src/game/engine.js';
import { shutdownLogging } from '../../src/logging/setup.js';
import { OpenAiLlm } from '../../src/llm/openai-client.js';
import type { SqliteStore } from '../../src/store/sqlite/store.js';
import { EMPTY_STATE, type BranchChoice, type MessageRecord, type PublicUser } from '../../src/store/types.js';
import type { FakeLlmServer } from '../support/fake-llm-server.js';
import { setUpGameFixture } from '../support/game-fixture.js';
import { logInto, readLog } from '../support/logging.js';
import { tempDir } from '../support/temp.js';

const when = new Date('2024-01-15T11:00:00.000Z');

function msg(id: string, parent: string | null, sender: 'player' | 'StoryOS', content = id): MessageRecord {
  return { id, session_id: 's', parent_id: parent, sender, content, created_at: when, narration: null, state: sender === 'StoryOS' ? EMPTY_STATE : null };
}

describe('the message tree (pure)', () => {
  // o1 ─ a1 ─ t1          the opening, an action, its narration
  //    │    └ t1b         a retry of it
  //    ├ a2 ─ t2          another action after an undo
  //    ├ c1               a continuation
  //    └ a3               an action never answered
  // o2                     a retried opening
  const messages = [
    msg('o1', null, 'StoryOS'),
    msg('a1', 'o1', 'player', 'I knock.'),
    msg('t1', 'a1', 'StoryOS', 'The door opens onto a long, dark hall full of dust and old coats.'),
    msg('t1b', 'a1', 'StoryOS'),
    msg('a2', 'o1', 'player', 'I wait.'),
    msg('o2', null, 'StoryOS'),
    msg('t2', 'a2', 'StoryOS'),
    msg('c1', 'o1', 'StoryOS'),
    msg('a3', 'o1', 'player'),
  ];
  const tree = new MessageTree(messages);

  it('finds the tellings of a turn in the order they were appended, actions without a narration left out', () => {
    expect(tellingsOf(tree, 'o1').map((m) => m.id)).toEqual(['t1', 't1b', 't2', 'c1']);
    expect(tellingsOf(tree, null).map((m) => m.id)).toEqual(['o1', 'o2']);
    expect(tellingIndex(tree, 'o1', 't2')).toEqual({ index: 3, count: 4 });
    expect(tellingIndex(tree, 't1', 'nothing')).toEqual({ index: 1, count: 1 });
    expect(turnStartOf(tree.get('t1b') as MessageRecord, tree.get('a1'))).toBe('o1');
    expect(turnStartOf(tree.get('c1') as MessageRecord, tree.get('o1'))).toBe('o1');
    expect(turnStartOf(tree.get('o2') as MessageRecord, undefined)).toBeNull();
  });

  it('takes the latest child that leads to a narration by default, and the one remembered when there is one', () => {
    expect(defaultChild(tree, 'o1')?.id).toBe('c1');
    expect(defaultChild(tree, 'a1')?.id).toBe('t1b');
    expect(defaultChild(tree, 't1')).toBeNull();
    expect(chosenChild(tree, [{ parent: 'o1', child: 'a1' }], 'o1')?.id).toBe('a1');
    // A choice that leads nowhere (an unanswered action, a message elsewhere) is not followed.
    expect(chosenChild(tree, [{ parent: 'o1', child: 'a3' }], 'o1')?.id).toBe('c1');
    expect(chosenChild(tree, [{ parent: 'o1', child: 't1' }], 'o1')?.id).toBe('c1');
    expect(lineFrom(tree, [], 'o1').map((m) => m.id)).toEqual(['o1', 'c1']);
    expect(lineFrom(tree, [{ parent: 'o1', child: 'a1' }], 'o1').map((m) => m.id)).toEqual(['o1', 't1b']);
  });

  it('remembers a child only where it is not the default, and forgets one that is', () => {
    const toT1 = withChoices(tree, [{ parent: 'x', child: 'y' }], edgesOf(tree.pathTo('t1')));
    // o1 is not the default first message (o2 is later), a1 not o1's (c1), t1 not a1's (t1b).
    expect(toT1).toEqual([
      { parent: 'x', child: 'y' },
      { parent: null, child: 'o1' },
      { parent: 'o1', child: 'a1' },
      { parent: 'a1', child: 't1' },
    ]);
    expect(withChoices(tree, toT1, edgesOf(tree.pathTo('c1')))).toEqual([
      { parent: 'x', child: 'y' },
      { parent: null, child: 'o1' },
      { parent: 'a1', child: 't1' },
    ]);
    expect(withChoices(tree, [], edgesOf(tree.pathTo('a3')))).toEqual([{ parent: null, child: 'o1' }]);
  });

  it('lists the branch points, oldest first, with the first words of each alternative and which is shown', () => {
    expect(previewOf('one  two\nthree four five six seven eight nine')).toBe('one two three four five six seven eight …');
    expect(previewOf('Short.')).toBe('Short.');
    expect(previewOf('You decide: *I climb.* The **wind** rises.')).toBe('You decide: I climb. The wind rises.');
    expect(previewOf('one two three four five', 2, 3)).toBe('… four five');
    expect(sharedOpening(['You decide: I climb. The wind rises.', 'You decide: I climb. For a moment'])).toBe(4);
    expect(sharedOpening(['The rain falls.', 'The rain stops.'])).toBe(0);
    expect(sharedOpening(['Same words here exactly', 'Same words here exactly'])).toBe(3);
    expect(turnNumberOf(tree, 't2')).toBe(1);
    expect(branchPoints(tree, 't2')).toEqual([
      {
        turn: 0,
        alternatives: [
          { id: 'o1', action: null, preview: 'o1', shown: true },
          { id: 'o2', action: null, preview: 'o2', shown: false },
        ],
      },
      {
        turn: 1,
        alternatives: [
          { id: 't1', action: 'I knock.', preview: 'The door opens onto a long, dark hall …', shown: false },
          { id: 't1b', action: 'I knock.', preview: 't1b', shown: false },
          { id: 't2', action: 'I wait.', preview: 't2', shown: true },
          { id: 'c1', action: null, preview: 'c1', shown: false },
        ],
      },
    ]);
  });

  /** A random tree as a game makes them: narrations anywhere, actions only after a narration. */
  const randomTree = fc.array(fc.record({ parent: fc.nat(), player: fc.boolean() }), { minLength: 1, maxLength: 40 }).map((steps) => {
    const made: MessageRecord[] = [];
    steps.forEach(({ parent, player }, i) => {
      const p = made.length === 0 ? null : (made[parent % (made.length + 1)] ?? null);
      const sender = player && p?.sender === 'StoryOS' ? 'player' : 'StoryOS';
      made.push(msg(`m${i}`, p?.id ?? null, sender));
    });
    return made;
  });

  it('goes back down to any narration once the head has been there (what /redo and a jump rely on)', () => {
    fc.assert(
      fc.property(randomTree, fc.nat(), fc.array(fc.nat(), { maxLength: 5 }), (made, pick, earlier) => {
        const t = new MessageTree(made);
        const narrations = made.filter((m) => m.sender === 'StoryOS');
        // Some other heads first: their choices stay where they do not conflict.
        let choices: BranchChoice[] = [];
        for (const e of earlier) choices = withChoices(t, choices, edgesOf(t.pathTo((narrations[e % narrations.length] as MessageRecord).id)));
        const head = narrations[pick % narrations.length] as MessageRecord;
        choices = withChoices(t, choices, edgesOf(t.pathTo(head.id)));
        const path = t.pathTo(head.id);
        const first = path[0] as MessageRecord;
        // From the first message of its branch, the line passes through the head.
        const line = first.sender === 'StoryOS' ? lineFrom(t, choices, first.id) : [];
        if (first.sender === 'StoryOS') expect(line.map((m) => m.id)).toContain(head.id);
        // No choice is the default, and each parent is remembered once.
        for (const c of choices) expect(defaultChild(t, c.parent)?.id).not.toBe(c.child);
        expect(new Set(choices.map((c) => c.parent)).size).toBe(choices.length);
        // Every narration is a telling of exactly its own turn.
        const start = turnStartOf(head, t.get(head.parent_id as string));
        expect(tellingsOf(t, start).map((m) => m.id)).toContain(head.id);
      }),
      { numRuns: 300 },
    );
  });
});

const SCENARIO = 'the-lighthouse-at-gull-point';
const fixture = setUpGameFixture();
let server: FakeLlmServer;
let store: SqliteStore;
let alice: PublicUser;
let told: number;
beforeEach(() => {
  ({ server, store, alice } = fixture);
  told = 0;
  // Each narration has words of its own, so a test can tell them apart.
  server.answerByDefault({ stream: () => ({ kind: 'stream', chunks: [`Narration ${++told}: the tide turns.`] }) });
});

function engine(): GameEngine {
  return new GameEngine({
    store,
    llm: new OpenAiLlm({ apiKey: 'xai-test-key', baseUrl: server.url, model: 'grok-test', timeoutS: 0.5, maxRetries: 2, backoff: { baseMs: 5, capMs: 20 } }),
    narratorModel: 'grok-test',
    summaryModel: 'grok-summary',
  });
}

async function sessionOf(id: string) {
  return (await store.getSession(id)) as NonNullable<Awaited<ReturnType<SqliteStore['getSession']>>>;
}

describe('tellings, redo, edit and branches in the engine (SQLite)', () => {
  it('swipes among the tellings of a turn: head, state and turn count follow, the choice is saved, and a retry adds the last telling', async () => {
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    const first = await game.takeTurn(alice, session.id, 'I climb the stairs.');
    expect(first.telling).toEqual({ index: 1, count: 1 });
    await game.settled(session.id);
    const second = await game.retry(alice, session.id);
    expect(second.telling).toEqual({ index: 2, count: 2 });
    await game.settled(session.id);
    const third = await game.retry(alice, session.id);
    expect(third.telling).toEqual({ index: 3, count: 3 });
    await game.settled(session.id);
    expect(await game.tellingOf(alice, session.id)).toEqual({ index: 3, count: 3 });
    await expect(game.swipe(alice, session.id, 'next')).rejects.toThrow('This is the last telling of this turn (3/3).');

    const back = await game.swipe(alice, session.id, 'prev');
    expect(back.telling).toEqual({ index: 2, count: 3 });
    expect(back.head.id).toBe(second.message.id);
    const stateOfSecond = (await store.getMessage(second.message.id))?.state;
    expect(stateOfSecond?.event).not.toBeNull();
    expect(await sessionOf(session.id)).toMatchObject({ head: second.message.id, turn_count: 1, state: stateOfSecond });
    expect(back.session).toMatchObject({ head: second.message.id, turn_count: 1, state: stateOfSecond });
    expect(await game.tellingOf(alice, session.id)).toEqual({ index: 2, count: 3 });

    await expect(game.swipe(alice, session.id, 5)).rejects.toThrow('There is no telling 5: this turn has 3.');
    expect((await game.swipe(alice, session.id, 1)).head.id).toBe(first.message.id);
    await expect(game.swipe(alice, session.id, 'prev')).rejects.toThrow('This is the first telling of this turn (1/3).');
    await game.swipe(alice, session.id, 2);

    // A retry while on telling 2 of 3 adds telling 4.
    const fourth = await game.retry(alice, session.id);
    expect(fourth.telling).toEqual({ index: 4, count: 4 });
    expect(fourth.message.parent_id).toBe(first.message.parent_id);
    expect(await game.tellingOf(alice, session.id)).toEqual({ index: 4, count: 4 });
  });

  it('says so when a turn has one telling, or the head is an action waiting for its narration', async () => {
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    await expect(game.swipe(alice, session.id, 'next')).rejects.toThrow('This turn has one telling: /retry tells another.');
    server.script({ kind: 'status', status: 400 });
    await game.takeTurn(alice, session.id, 'Left hanging.').catch(() => undefined);
    await expect(game.swipe(alice, session.id, 'prev')).rejects.toThrow('Your last action has no narration yet: /retry sends it, or /undo takes it back.');
    expect(await game.tellingOf(alice, session.id)).toEqual({ index: 1, count: 1 });
    expect(await game.lastAction(alice, session.id)).toBe('Left hanging.');
    expect(await game.lastNarration(alice, session.id)).toBeNull();
    await expect(game.redo(alice, session.id)).rejects.toThrow('Your last action has no narration yet');
    // /edit action of an unanswered action: a new action beside it, answered.
    const edited = await game.editAction(alice, session.id, 'Caught.');
    expect(edited).toMatchObject({ telling: { index: 1, count: 1 }, session: { turn_count: 1 } });
    expect((await store.getMessage(edited.message.parent_id as string))?.content).toBe('Caught.');
    expect((await store.listMessages(session.id)).map((m) => m.content)).toContain('Left hanging.');
    await game.undo(alice, session.id);
    server.script({ kind: 'status', status: 400 });
    await game.takeTurn(alice, session.id, 'Left hanging.').catch(() => undefined);
    // /undo of the unanswered action still takes it back alone, and gives its text back.
    const undone = await game.undo(alice, session.id);
    expect(undone).toMatchObject({ undoneAction: 'Left hanging.', telling: { index: 1, count: 1 } });
    expect(undone.session.turn_count).toBe(0);
    expect(undone.head.parent_id).toBeNull();
  });

  it('redoes along the child last shown, after a swipe, an action from it and undos', async () => {
    const game = engine();
    const { session, message: opening } = await game.newSession(alice, SCENARIO);
    const t1 = await game.takeTurn(alice, session.id, 'I open the door.');
    const t1b = await game.retry(alice, session.id);
    await game.swipe(alice, session.id, 1);
    const t2 = await game.takeTurn(alice, session.id, 'I step inside.');
    expect(t2.message.parent_id).not.toBe(t1b.message.id);
    await game.settled(session.id);

    const undone = await game.undo(alice, session.id);
    expect(undone).toMatchObject({ undoneAction: 'I step inside.', head: { id: t1.message.id } });
    expect(undone.telling).toEqual({ index: 1, count: 2 });
    expect((await game.undo(alice, session.id)).head.id).toBe(opening.id);
    expect(await sessionOf(session.id)).toMatchObject({ head: opening.id, turn_count: 0 });

    // Not the latest telling (t1b), but the one shown (t1), and on to t2.
    const redone = await game.redo(alice, session.id);
    expect(redone).toMatchObject({ head: { id: t1.message.id }, telling: { index: 1, count: 2 } });
    expect(await sessionOf(session.id)).toMatchObject({ head: t1.message.id, turn_count: 1, state: (await store.getMessage(t1.message.id))?.state });
    const again = await game.redo(alice, session.id);
    expect(again.head.id).toBe(t2.message.id);
    expect(again.session.turn_count).toBe(2);
    expect(await sessionOf(session.id)).toMatchObject({ head: t2.message.id, turn_count: 2, state: (await store.getMessage(t2.message.id))?.state });
    await expect(game.redo(alice, session.id)).rejects.toThrow('Nothing to redo: this is the latest turn of this line.');

    // Another engine (a game loaded later) follows the same line: it is in the store.
    await game.undo(alice, session.id);
    await game.undo(alice, session.id);
    const later = engine();
    expect((await later.redo(alice, session.id)).head.id).toBe(t1.message.id);
  });

  it('edits the last narration as a new telling beside it, and works out its state again', async () => {
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    const t1 = await game.takeTurn(alice, session.id, 'I light the lamp.');
    await game.settled(session.id);
    expect(await game.lastNarration(alice, session.id)).toBe(t1.message.content);
    await expect(game.editNarration(alice, session.id, '  \n ')).rejects.toThrow(/needs some text/);
    await expect(game.editNarration(alice, session.id, 'x'.repeat(20_001))).rejects.toThrow('at most 20000 characters');

    const jsonRequests = () => server.requests.filter((r) => !r.body.stream).length;
    const before = jsonRequests();
    const edited = await game.editNarration(alice, session.id, '  The lamp flares \u001b[31mred\u001b[0m, and the keeper wakes.  ');
    expect(edited.telling).toEqual({ index: 2, count: 2 });
    expect(edited.head).toMatchObject({
      parent_id: t1.message.parent_id,
      sender: 'StoryOS',
      content: 'The lamp flares red, and the keeper wakes.',
      narration: {
        usage: { tokens_in: 0, tokens_out: 0 },
        ttft_ms: null,
        duration_ms: 0,
        interrupted: false,
        finish_reason: 'stop',
        edited_from: t1.message.id,
      },
    });
    expect(edited.head.content).not.toContain('\u001b');
    expect(await sessionOf(session.id)).toMatchObject({ head: edited.head.id, turn_count: 1 });
    await game.settled(session.id);
    expect(jsonRequests()).toBe(before + 1);
    const saved = await store.getMessage(edited.head.id);
    expect(saved?.narration?.edited_from).toBe(t1.message.id);
    expect(saved?.state?.event).not.toBeNull();
    expect((await sessionOf(session.id)).state).toEqual(saved?.state);
    // The original is kept, and /swipe reaches it.
    expect((await store.getMessage(t1.message.id))?.content).toBe(t1.message.content);
    expect((await game.swipe(alice, session.id, 'prev')).head.id).toBe(t1.message.id);
    const json = JSON.parse(await (await import('../../src/game/export.js')).exportJson(store, await sessionOf(session.id)));
    expect(json.messages.find((m: MessageRecord) => m.id === edited.head.id).narration.edited_from).toBe(t1.message.id);

    server.script({ kind: 'status', status: 400 });
    await game.takeTurn(alice, session.id, 'Unanswered.').catch(() => undefined);
    await expect(game.editNarration(alice, session.id, 'Text.')).rejects.toThrow(/no narration to edit yet/);
  });

  it('edits the last action as a new action beside it, with a new narration, keeping the old ones', async () => {
    const game = engine();
    const { session, message: opening } = await game.newSession(alice, SCENARIO);
    await expect(game.editAction(alice, session.id, 'Something.')).rejects.toThrow(
      'The last turn has no action of yours to edit; /edit changes the narration.',
    );
    const t1 = await game.takeTurn(alice, session.id, 'I climb the stair.');
    await game.settled(session.id);
    expect(await game.lastAction(alice, session.id)).toBe('I climb the stair.');
    const edited = await game.editAction(alice, session.id, 'I climb the stairs, slowly.');
    expect(edited.telling).toEqual({ index: 2, count: 2 });
    const action = await store.getMessage(edited.message.parent_id as string);
    expect(action).toMatchObject({ sender: 'player', content: 'I climb the stairs, slowly.', parent_id: opening.id });
    expect(await sessionOf(session.id)).toMatchObject({ head: edited.message.id, turn_count: 1 });
    expect(await game.lastAction(alice, session.id)).toBe('I climb the stairs, slowly.');
    expect(await store.getMessage(t1.message.id)).not.toBeNull();
    expect((await store.getChildren(session.id, opening.id)).map((m) => m.content)).toEqual(['I climb the stair.', 'I climb the stairs, slowly.']);
    // The prompt was told the story up to the opening, and the new action.
    const prompt = server.requests.filter((r) => r.body.stream).at(-1)?.body.messages ?? [];
    expect(prompt.at(-1)?.content).toContain('I climb the stairs, slowly.');
    expect(prompt.map((m) => m.content).join('\n')).not.toContain('I climb the stair.\n');

    await game.continueStory(alice, session.id);
    await expect(game.editAction(alice, session.id, 'Other.')).rejects.toThrow('The last turn has no action of yours to edit');
  });

  it('lists the branch points and jumps to the end of an alternative’s line, counting its turns', async () => {
    const game = engine();
    const { session, message: opening } = await game.newSession(alice, SCENARIO);
    const a = await game.takeTurn(alice, session.id, 'I go left.');
    const a2 = await game.takeTurn(alice, session.id, 'I go on.');
    const a3 = await game.takeTurn(alice, session.id, 'And on.');
    await game.undo(alice, session.id);
    await game.undo(alice, session.id);
    await game.undo(alice, session.id);
    const b = await game.takeTurn(alice, session.id, 'I go right.');
    // An action without a narration at the end of b's line.
    server.script({ kind: 'status', status: 400 });
    await game.takeTurn(alice, session.id, 'I fall.').catch(() => undefined);
    await game.undo(alice, session.id);

    const points = await game.tree(alice, session.id);
    expect(points).toEqual([
      {
        turn: 1,
        alternatives: [
          { id: a.message.id, action: 'I go left.', preview: a.message.content.split(' ').slice(0, 8).join(' '), shown: false },
          { id: b.message.id, action: 'I go right.', preview: b.message.content.split(' ').slice(0, 8).join(' '), shown: true },
        ],
      },
    ]);
    const jumped = await game.jump(alice, session.id, a.message.id);
    expect(jumped.head.id).toBe(a3.message.id);
    expect(jumped.telling).toEqual({ index: 1, count: 1 });
    expect(await sessionOf(session.id)).toMatchObject({ head: a3.message.id, turn_count: 3, state: (await store.getMessage(a3.message.id))?.state });
    expect((await game.tree(alice, session.id))[0]?.alternatives.map((x) => x.shown)).toEqual([true, false]);
    // b's line ends in the unanswered action: the jump stops at the narration before it.
    const toB = await game.jump(alice, session.id, b.message.id);
    expect(toB.head.id).toBe(b.message.id);
    expect(toB.session.turn_count).toBe(1);
    // Undo from a jump and redo: the line jumped to is the one redone.
    expect((await game.jump(alice, session.id, a2.message.id)).head.id).toBe(a3.message.id);
    for (let i = 0; i < 3; i++) await game.undo(alice, session.id);
    expect((await game.redo(alice, session.id)).head.id).toBe(a.message.id);
    await expect(game.jump(alice, session.id, 'not-a-message')).rejects.toThrow(/no such narration/);
    await expect(game.jump(alice, session.id, (await store.getMessage(a.message.parent_id as string))?.id as string)).rejects.toThrow(/no such narration/);
    expect((await game.jump(alice, session.id, opening.id)).head.id).toBe(a3.message.id);
  });

  it('refuses a move made from a head another window has moved since', async () => {
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    await game.takeTurn(alice, session.id, 'One.');
    await game.retry(alice, session.id);
    await game.retry(alice, session.id);
    const other = engine();
    const realSetHead = store.setHead.bind(store);
    let raced = false;
    store.setHead = async (...args) => {
      if (!raced) {
        raced = true;
        await other.swipe(alice, session.id, 1);
      }
      return realSetHead(...args);
    };
    try {
      await expect(game.swipe(alice, session.id, 'prev')).rejects.toThrow(/played in another window meanwhile/);
    } finally {
      store.setHead = realSetHead;
    }
    expect(await game.tellingOf(alice, session.id)).toEqual({ index: 1, count: 3 });
  });

  it('logs each move as a user action and a PERF line', async () => {
    const dir = tempDir();
    logInto(dir);
    {
      const game = engine();
      const { session } = await game.newSession(alice, SCENARIO);
      await game.takeTurn(alice, session.id, 'One.');
      await game.retry(alice, session.id);
      await game.swipe(alice, session.id, 'prev');
      await game.undo(alice, session.id);
      await game.redo(alice, session.id);
      await game.editNarration(alice, session.id, 'Edited.');
      await game.editAction(alice, session.id, 'Two.');
      await game.jump(alice, session.id, (await store.getSession(session.id))?.head as string);
      await game.settled(session.id);
    }
    await shutdownLogging();
    const text = readLog(dir);
    for (const operation of ['swipe', 'redo', 'edit_narration', 'edit_action', 'jump']) {
      expect(text).toMatch(new RegExp(`User action: ${operation}\\b`));
      expect(text).toMatch(new RegExp(`\\[PERF\\] \\[game_logic\\] ${operation} completed`));
    }
  });

  it('keeps a narration left unsaved, or a failed action, when a move is refused or its write fails', async () => {
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    await game.settled(session.id);
    vi.spyOn(store, 'appendMessages').mockRejectedValueOnce(new Error('disk I/O error'));
    await expect(game.retry(alice, session.id)).rejects.toThrow('could not be saved');
    expect(game.hasUnsavedTurn(session.id)).toBe(true);
    // Nothing to undo at the opening: the unsaved telling stays, and /retry saves it.
    await expect(game.undo(alice, session.id)).rejects.toThrow('Nothing to undo');
    expect(game.hasUnsavedTurn(session.id)).toBe(true);
    const saved = await game.retry(alice, session.id);
    expect(saved.telling).toEqual({ index: 2, count: 2 });
    await game.settled(session.id);

    await game.takeTurn(alice, session.id, 'A1');
    await game.settled(session.id);
    vi.spyOn(store, 'appendMessages').mockRejectedValueOnce(new Error('disk I/O error'));
    await expect(game.takeTurn(alice, session.id, 'A2')).rejects.toThrow();
    expect(game.failedAction(session.id)).toBe('A2');
    vi.spyOn(store, 'setHead').mockRejectedValueOnce(new Error('disk I/O error'));
    await expect(game.undo(alice, session.id)).rejects.toThrow('disk I/O error');
    expect(game.failedAction(session.id)).toBe('A2');
  });

  it('gives the session a story-state update of the target that landed while the head moved there', async () => {
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    await game.takeTurn(alice, session.id, 'I climb the stairs.');
    await game.settled(session.id);
    await game.retry(alice, session.id);
    await game.settled(session.id);
    const second = await store.getMessage((await sessionOf(session.id)).head as string);
    const [firstTelling] = await store.getChildren(session.id, second?.parent_id ?? null);
    const landed = { ...EMPTY_STATE, synopsis: 'The update that landed during the move.' };
    const setHead = store.setHead.bind(store);
    vi.spyOn(store, 'setHead').mockImplementationOnce(async (...args) => {
      // The first telling's update lands now, while the head is still on the second: only the message gets it.
      await store.updateMessageState(session.id, (firstTelling as MessageRecord).id, landed);
      return setHead(...args);
    });
    const move = await game.swipe(alice, session.id, 'prev');
    expect(move.head.id).toBe((firstTelling as MessageRecord).id);
    expect((await sessionOf(session.id)).state.synopsis).toBe(landed.synopsis);
    expect(move.session.state.synopsis).toBe(landed.synopsis);
  });
});
