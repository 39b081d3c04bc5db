import { beforeEach, describe, expect, it } from 'vitest';
import { GameEngine } from '../../src/game/engine.js';
import { OfflineLlm } from '../../src/llm/offline.js';
import { OpenAiLlm } from '../../src/llm/openai-client.js';
import type { LlmClient } from '../../src/llm/types.js';
import type { SqliteStore } from '../../src/store/sqlite/store.js';
import type { PublicUser } from '../../src/store/types.js';
import type { FakeLlmServer, RecordedRequest } from '../support/fake-llm-server.js';
import { setUpGameFixture } from '../support/game-fixture.js';

const SCENARIO = 'the-lighthouse-at-gull-point';
const fixture = setUpGameFixture();
let server: FakeLlmServer;
let store: SqliteStore;
let alice: PublicUser;
beforeEach(() => ({ server, store, alice } = fixture));

function engine(options: { llm?: LlmClient; narratorTemperature?: number } = {}): GameEngine {
  return new GameEngine({
    store,
    llm:
      options.llm ??
      new OpenAiLlm({ apiKey: 'xai-test-key', baseUrl: server.url, model: 'grok-test', timeoutS: 2, maxRetries: 0, backoff: { baseMs: 5, capMs: 20 } }),
    narratorModel: 'grok-test',
    summaryModel: 'grok-summary',
    narratorTemperature: options.narratorTemperature,
  });
}

const narrations = () => server.requests.filter((r) => r.body.stream);
const lastNarration = () => narrations().at(-1) as RecordedRequest;
const bodyText = (r: RecordedRequest) => JSON.stringify(r.body.messages);

/** Whatever the fake server is sent, it answers with prompt_tokens `factor` times its own count of the prompt. */
function countsTimes(factor: number): void {
  server.answerByDefault({
    stream: (request) => {
      const chars = (request.body.messages ?? []).reduce((n, m) => n + m.content.length, 0);
      return {
        kind: 'stream',
        chunks: ['The fog ', 'lifts. ', 'What do you do?'],
        usage: { prompt_tokens: Math.ceil((chars / 4) * factor), completion_tokens: 5 },
      };
    },
  });
}

describe('steering the narrator (issue 14)', () => {
  it('sends the memory, the note at its depth, the fired entries and the game’s settings, and nothing of entries that did not fire', async () => {
    const scenario = await store.getScenario(SCENARIO);
    await store.saveScenario({
      ...(scenario as NonNullable<typeof scenario>),
      world_info: [
        { keys: ['fog bell'], content: 'SCENARIO-BELL: the fog bell rings by itself at midnight.', order: 50, always: false },
        { keys: ['chapel'], content: 'SCENARIO-CHAPEL: the chapel crypt is flooded.', order: 50, always: false },
      ],
    });
    const game = engine({ narratorTemperature: 0.7 });
    const { session } = await game.newSession(alice, SCENARIO);
    expect(lastNarration().body.temperature).toBe(0.7);
    await game.setMemory(alice, session.id, 'Mara is afraid of deep water.');
    await game.setNote(alice, session.id, { text: 'Keep it tense; short paragraphs.', depth: 1 });
    await game.setSettings(alice, session.id, { model: 'grok-game-model', temperature: 1.3, max_tokens: 700 });
    const added = await game.addLore(alice, session.id, {
      keys: ['Tobiah', '/lamp\\s*room/i'],
      content: 'GAME-TOBIAH: Tobiah hides the lamp wick.',
      order: 120,
    });
    expect(added.index).toBe(1);
    await game.addLore(alice, session.id, { keys: ['Jonas'], content: 'GAME-JONAS: Jonas is no sailor.' });
    await game.takeTurn(alice, session.id, 'I ring the fog bell and call for Tobiah.');
    await game.takeTurn(alice, session.id, 'I wait.');
    const request = lastNarration();
    expect(request.body.model).toBe('grok-game-model');
    expect(request.body.temperature).toBe(1.3);
    expect(request.body.max_tokens).toBe(700);
    const messages = request.body.messages ?? [];
    const system = messages[0]?.content ?? '';
    expect(system.indexOf('## Memory\nMara is afraid of deep water.')).toBeGreaterThan(system.indexOf('## Scenario'));
    expect(system.indexOf('## Memory')).toBeLessThan(system.indexOf('## Current state'));
    // The bell and Tobiah were in the action before last: in the window (the last 3 messages, all there are).
    expect(system).toContain('## World info\nGAME-TOBIAH: Tobiah hides the lamp wick.\n\nSCENARIO-BELL: the fog bell rings by itself at midnight.');
    expect(bodyText(request)).not.toContain('SCENARIO-CHAPEL');
    expect(bodyText(request)).not.toContain('GAME-JONAS');
    const noteAt = messages.findIndex((m) => m.content === "[Author's note: Keep it tense; short paragraphs.]");
    expect(messages[noteAt]?.role).toBe('system');
    expect(messages.length - 1 - noteAt - 1).toBe(1);
    expect(messages.at(-1)).toEqual({ role: 'user', content: 'I wait.' });

    const report = await game.loreReport(alice, session.id);
    expect(report.basis).toBe('last');
    expect(report.match.fired.map((f) => [f.source, f.index, f.why])).toEqual([
      ['game', 1, "key 'Tobiah' in message 2 of the last 3"],
      ['scenario', 1, "key 'fog bell' in message 2 of the last 3"],
    ]);
    expect(report.match.silent.map((s) => s.entry.content)).toEqual(['SCENARIO-CHAPEL: the chapel crypt is flooded.', 'GAME-JONAS: Jonas is no sailor.']);
  });

  it('says what the steering is, with the defaults in effect, and checks each change in one sentence', async () => {
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    const fresh = await game.steering(alice, session.id);
    expect(fresh).toEqual({
      memory: '',
      note: { text: '', depth: 3 },
      settings: { model: 'grok-test', temperature: null, max_tokens: 2048, custom: {} },
      // The built-in scenario's own world info, shared by its games.
      scenarioLore: (await store.getScenario(SCENARIO))?.world_info ?? [],
      lore: [],
    });
    expect(fresh.scenarioLore.length).toBeGreaterThan(0);
    expect(lastNarration().body.temperature).toBeUndefined();
    await expect(game.setSettings(alice, session.id, { temperature: 2.5 })).rejects.toThrow('The temperature goes from 0 to 2 (not 2.5).');
    await expect(game.setSettings(alice, session.id, { max_tokens: 8 })).rejects.toThrow(
      'The longest narration is a whole number of tokens from 16 to 32768 (not 8).',
    );
    await expect(game.setSettings(alice, session.id, { model: '  ' })).rejects.toThrow('A model is a name without spaces');
    await expect(game.setMemory(alice, session.id, 'x'.repeat(4001))).rejects.toThrow('Memory can be at most 4000 characters (this has 4001).');
    await expect(game.setNote(alice, session.id, { depth: -1 })).rejects.toThrow("The note's depth is a whole number of messages from 0 to 100 (not -1).");
    await expect(game.setNote(alice, session.id, { text: 'n'.repeat(1001) })).rejects.toThrow(
      "An author's note can be at most 1000 characters (this one has 1001).",
    );
    await expect(game.addLore(alice, session.id, { keys: ['/gull(/'], content: 'x' })).rejects.toThrow(
      /^The key \/gull\(\/ is not a valid regular expression \(.+\)\.$/,
    );
    await expect(game.addLore(alice, session.id, { keys: [' '], content: 'x' })).rejects.toThrow('A lore entry needs a key');
    await expect(game.addLore(alice, session.id, { keys: ['a'], content: 'y'.repeat(2001) })).rejects.toThrow(
      'A lore entry can be at most 2000 characters (this one has 2001).',
    );
    await expect(game.removeLore(alice, session.id, 1)).rejects.toThrow('This game has no lore entries of its own');

    await game.setNote(alice, session.id, { text: 'Slow\u001b[31m burn.' });
    let view = await game.setSettings(alice, session.id, { temperature: 0, max_tokens: 512 });
    expect(view.note).toEqual({ text: 'Slow burn.', depth: 3 });
    expect(view.settings).toEqual({ model: 'grok-test', temperature: 0, max_tokens: 512, custom: { temperature: 0, max_tokens: 512 } });
    view = await game.setSettings(alice, session.id, { temperature: null });
    expect(view.settings.custom).toEqual({ max_tokens: 512 });
    await game.addLore(alice, session.id, { keys: ['a'], content: 'First.' });
    await game.addLore(alice, session.id, { keys: [], content: 'Always.', always: true, order: 5 });
    await expect(game.removeLore(alice, session.id, 3)).rejects.toThrow('There is no lore entry 3 of this game: it has 2, numbered 1 to 2.');
    const removed = await game.removeLore(alice, session.id, 1);
    expect(removed.removed.content).toBe('First.');
    // What the store keeps is what steering() says after a new engine reads it.
    const stored = await engine().steering(alice, session.id);
    expect(stored).toEqual({ ...removed, removed: undefined, lore: [{ keys: [], content: 'Always.', order: 5, always: true }] } as unknown as typeof stored);
    expect(stored.note).toEqual({ text: 'Slow burn.', depth: 3 });
    const bob = await fixture.store.getSession(session.id);
    expect(bob?.settings).toEqual({ max_tokens: 512 });
  });

  it('holds 200 matching game entries within the world-info budget, dropping the lowest order first, said in /context', async () => {
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    for (let i = 0; i < 200; i++) await game.addLore(alice, session.id, { keys: ['storm'], content: `Lore ${i}: ${'rain and wind '.repeat(100)}`, order: i });
    await expect(game.addLore(alice, session.id, { keys: ['storm'], content: 'One more.' })).rejects.toThrow(
      'A game can have at most 200 lore entries of its own',
    );
    const view = await game.nextPrompt(alice, session.id, 'I watch the storm.');
    const worldInfo = view.sections.find((s) => s.name === 'World info');
    expect(worldInfo?.tokens).toBeLessThanOrEqual(worldInfo?.budget ?? 0);
    expect(view.totalTokens).toBeLessThanOrEqual(view.budgetTokens);
    expect(view.worldInfo.fired[0]?.entry.order).toBe(199);
    expect(view.worldInfo.dropped[0]?.entry.order).toBe(0);
    expect(view.worldInfo.fired.length + view.worldInfo.dropped.length).toBe(200);
    // The fake server counts about 4 characters a token, as the estimate does: calibrated near 1.
    expect(view.estimate).toMatchObject({ calibrated: true, label: 'calibrated on 1 turn of grok-test' });
    expect(view.estimate.ratio).toBeGreaterThan(0.8);
    expect(view.estimate.ratio).toBeLessThan(1.2);
  });

  it('calibrates the estimate by the endpoint’s prompt_tokens, per model, and again after a restart from the stored narrations', async () => {
    countsTimes(2);
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    const first = await game.takeTurn(alice, session.id, 'I knock.');
    expect(first.prompt?.real).toBe(true);
    expect(first.prompt?.tokens).toBe(first.usage.tokens_in);
    await game.takeTurn(alice, session.id, 'I knock again.');
    await game.settled(session.id);
    const view = await game.nextPrompt(alice, session.id, 'I open the door.');
    expect(view.estimate).toMatchObject({ calibrated: true, model: 'grok-test', turns: 3, label: 'calibrated on 3 turns of grok-test' });
    expect(view.totalTokens / view.estimatedTokens).toBeGreaterThan(1.8);
    expect(view.totalTokens / view.estimatedTokens).toBeLessThan(2.2);
    expect(view.budgetTokens).toBeGreaterThan(view.sections.reduce((n, s) => n + s.estimated, 0));
    expect(game.promptGauge(session.id)?.estimate.calibrated).toBe(true);

    // Another model for this game starts uncalibrated.
    await game.setSettings(alice, session.id, { model: 'grok-other' });
    expect((await game.nextPrompt(alice, session.id)).estimate.calibrated).toBe(false);
    await game.setSettings(alice, session.id, { model: null });

    const restarted = engine();
    const again = await restarted.nextPrompt(alice, session.id, 'I open the door.');
    expect(again.estimate.calibrated).toBe(true);
    expect(again.estimate.turns).toBe(3);
    expect(again.totalTokens / again.estimatedTokens).toBeGreaterThan(1.8);
    const report = await restarted.loreReport(alice, session.id);
    expect(report.basis).toBe('next');
    expect(report.about).toMatch(/what would fire for the next turn/);
  });

  it('plays offline with the steering in the prompt, the temperature ignored and the numbers said to be estimates', async () => {
    const offline = new OfflineLlm(0);
    const game = engine({ llm: offline, narratorTemperature: 1 });
    const { session } = await game.newSession(alice, SCENARIO);
    await game.setMemory(alice, session.id, 'The keeper is alive.');
    await game.addLore(alice, session.id, { keys: ['lamp'], content: 'The lamp is sabotaged.' });
    const turn = await game.takeTurn(alice, session.id, 'I climb to the lamp.');
    expect(turn.message.content).toContain('I climb to the lamp.');
    expect(turn.prompt).toMatchObject({ real: false, estimate: { calibrated: false } });
    const view = await game.nextPrompt(alice, session.id);
    expect(view.estimate.label).toBe('estimated (the offline narrator reports no real counts)');
    expect(view.messages[0]?.content).toContain('The keeper is alive.');
    expect(server.requests).toHaveLength(0);
  });

  it("looks for world-info keys in the player's own words only, not in StoryOS's instruction for an opening or a continuation", async () => {
    const game = engine();
    const { session } = await game.newSession(alice, SCENARIO);
    await game.addLore(alice, session.id, { keys: ['begin the story', 'continue the story'], content: 'INSTRUCTION-WORDS' });
    await game.continueStory(alice, session.id);
    expect(bodyText(lastNarration())).not.toContain('INSTRUCTION-WORDS');
    await game.takeTurn(alice, session.id, 'I begin the story of my life.');
    expect(bodyText(lastNarration())).toContain('INSTRUCTION-WORDS');
    // A retry of that turn looks in the same action.
    await game.settled(session.id);
    await game.retry(alice, session.id);
    expect(bodyText(lastNarration())).toContain('INSTRUCTION-WORDS');
  });

  it('loses no change when two windows steer the same game at once', async () => {
    const [one, two] = [engine(), engine()];
    const { session } = await one.newSession(alice, SCENARIO);
    await Promise.all([
      one.addLore(alice, session.id, { keys: ['one'], content: 'ONE' }),
      two.addLore(alice, session.id, { keys: ['two'], content: 'TWO' }),
      one.setSettings(alice, session.id, { model: 'grok-other' }),
      two.setSettings(alice, session.id, { temperature: 1.5 }),
      one.setNote(alice, session.id, { text: 'tense' }),
      two.setNote(alice, session.id, { depth: 0 }),
    ]);
    const saved = await store.getSession(session.id);
    expect(saved?.lore?.map((e) => e.content).sort()).toEqual(['ONE', 'TWO']);
    expect(saved?.settings).toEqual({ model: 'grok-other', temperature: 1.5 });
    expect(saved?.note).toEqual({ text: 'tense', depth: 0 });
  });
});
