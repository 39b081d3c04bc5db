import { beforeEach, describe, expect, it } from 'vitest';
import { GameEngine } from '../../src/game/engine.js';
import { OpenAiLlm } from '../../src/llm/openai-client.js';
import { parseBody, parseEntry } from '../../src/logging/reader/entry.js';
import type { SqliteStore } from '../../src/store/sqlite/store.js';
import type { PublicUser } from '../../src/store/types.js';
import type { FakeLlmServer } from '../support/fake-llm-server.js';
import { setUpGameFixture } from '../support/game-fixture.js';
import { linesOf, logInto, readLog } from '../support/logging.js';
import { tempDir } from '../support/temp.js';

const SCENARIO = 'the-lighthouse-at-gull-point';
const fixture = setUpGameFixture();
let server: FakeLlmServer;
let store: SqliteStore;
let alice: PublicUser;
beforeEach(() => ({ server, store, alice } = fixture));

function engine(): GameEngine {
  return new GameEngine({
    store,
    llm: new OpenAiLlm({ apiKey: 'xai-test-key', baseUrl: server.url, model: 'grok-test', timeoutS: 2, maxRetries: 2, backoff: { baseMs: 5, capMs: 20 } }),
    narratorModel: 'grok-test',
    summaryModel: 'grok-summary',
  });
}

const entriesOf = (dir: string) =>
  linesOf(readLog(dir))
    .map(parseEntry)
    .map((e) => ({ ...e, ...parseBody(e.body) }));

describe('the log context of a turn', () => {
  it("puts the session and the turn's id on the lines of every module written during it, the background state update's too", async () => {
    const dir = tempDir();
    logInto(dir, { STORYOS_LOG_LEVEL: 'DEBUG' });
    const game = engine();
    const opening = await game.newSession(alice, SCENARIO);
    const sessionId = opening.session.id;
    await game.settled(sessionId);
    server.script({ kind: 'status', status: 429 });
    await game.takeTurn(alice, sessionId, 'I ring the bell.');
    await game.settled(sessionId);
    await game.undo(alice, sessionId);

    const entries = entriesOf(dir).filter((e) => e.context.session === sessionId);
    const turns = [...new Set(entries.map((e) => e.context.turn))];
    expect(turns).toHaveLength(3); // the opening, the turn, the undo
    for (const turn of turns) expect(turn).toMatch(/^t[0-9a-f]{8}$/);
    const [openingTurn, turn, undoTurn] = turns;
    const of = (id: string | undefined) => entries.filter((e) => e.context.turn === id);
    const modules = (id: string | undefined) => new Set(of(id).map((e) => e.module));
    expect(modules(openingTurn)).toEqual(new Set(['game_logic', 'db_utils', 'llm_utils']));
    expect(modules(turn)).toEqual(new Set(['game_logic', 'db_utils', 'llm_utils']));
    expect(modules(undoTurn)).toEqual(new Set(['game_logic', 'db_utils']));

    const messages = of(turn).map((e) => `${e.module} ${e.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'game_logic User action: take_turn',
        'game_logic Player action',
        'llm_utils LLM request failed, retrying',
        'llm_utils API call: llm chat.completions (stream)',
        'game_logic process_player_input completed',
        'llm_utils API call: llm chat.completions (json_schema)',
        'db_utils Database query executed: update_message_state',
        'game_logic summary_update completed',
      ]),
    );
    // The turn's PERF line counts its database operations; the action's text is there at DEBUG only.
    const perf = of(turn).find((e) => e.message === 'process_player_input completed');
    expect(Number(perf?.context.db_ops)).toBeGreaterThan(2);
    expect(perf?.context.db_time).toMatch(/^\d+\.\d\ds$/);
    expect(of(turn).find((e) => e.message === 'Player action')?.context.text).toBe('I ring the bell.');
    // The session is written once on a line that gives it itself.
    for (const e of entries) expect(e.body.match(/session: /g)).toHaveLength(1);

    // Every db_utils and llm_utils line of the game's time carries it: none was written outside a turn.
    const all = entriesOf(dir);
    const during = all.filter((e) => (e.module === 'db_utils' || e.module === 'llm_utils') && e.time >= (entries[0]?.time ?? ''));
    expect(during.length).toBeGreaterThan(10);
    for (const e of during) expect(e.context).toMatchObject({ session: sessionId, turn: expect.stringMatching(/^t/) });
  });

  it('at INFO, a turn is still one group: its action, its narrator call and its PERF line with the database count', async () => {
    const dir = tempDir();
    logInto(dir);
    const game = engine();
    const opening = await game.newSession(alice, SCENARIO);
    await game.takeTurn(alice, opening.session.id, 'I wait.');
    await game.settled(opening.session.id);
    const lines = entriesOf(dir).filter((e) => e.context.session === opening.session.id);
    expect(lines.every((e) => e.context.turn !== undefined)).toBe(true);
    expect(lines.some((e) => e.level === 'DEBUG' || e.message === 'Player action')).toBe(false);
    const turn = lines.find((e) => e.message === 'User action: take_turn')?.context.turn;
    expect(lines.filter((e) => e.context.turn === turn).map((e) => e.message)).toEqual([
      'User action: take_turn',
      'API call: llm chat.completions (stream)',
      'llm_stream completed',
      'process_player_input completed',
      'API call: llm chat.completions (json_schema)',
      'summary_update completed',
    ]);
    expect(Number(lines.find((e) => e.message === 'process_player_input completed')?.context.db_ops)).toBeGreaterThan(2);
  });
});
