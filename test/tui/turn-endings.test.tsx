import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildServices } from '../../src/cli/play/tui.js';
import { parseConfig } from '../../src/config/env.js';
import { GameEngine } from '../../src/game/engine.js';
import { seedStore } from '../../src/game/seed.js';
import { OpenAiLlm } from '../../src/llm/openai-client.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { FaultyStore, sqliteError } from '../support/faulty-store.js';
import { FakeLlmServer } from '../support/fake-llm-server.js';
import { tempDir } from '../support/temp.js';
import { atLoginScreen, KEY, renderApp, screenShows, type, inAGame } from './harness.js';

let server: FakeLlmServer;
beforeEach(async () => {
  server = await new FakeLlmServer().start();
});
afterEach(async () => {
  await server.stop();
});

const narrator = () =>
  new OpenAiLlm({ apiKey: 'xai-test-key', baseUrl: server.url, model: 'grok-test', timeoutS: 2, maxRetries: 2, backoff: { baseMs: 5, capMs: 20 } });

describe('how a turn ends, on the game screen', () => {
  it('marks a narration whose connection closed mid-stream "(interrupted)", with one sentence', async () => {
    const app = await atLoginScreen({ llm: narrator() });
    await inAGame(app);
    server.script({ kind: 'close', chunks: ['The rain ', 'stops and'] });
    await type(app.stdin, 'I look up\r');
    const frame = await screenShows(app.lastFrame, 'The narration was cut off mid-way; the partial text is kept, and /retry asks for a new one.');
    expect(frame).toContain('The rain stops and');
    expect(frame).toContain('(interrupted)');
    expect(frame.match(/cut off mid-way/g)).toHaveLength(1);
    await app.store.close();
  });

  it('puts the action back in the input line after an empty answer', async () => {
    const app = await atLoginScreen({ llm: narrator() });
    await inAGame(app);
    server.script({ kind: 'stream', chunks: [], reasoning: ['Thinking hard.'] });
    await type(app.stdin, 'I hail a cab\r');
    const frame = await screenShows(app.lastFrame, 'The narrator answered with no story');
    expect(frame).toContain('Your action is back in the input line.');
    expect(frame).toMatch(/│ I hail a cab/);
    expect(frame).not.toContain('Thinking hard');
    await app.store.close();
  });

  it('says while it waits why, for how long and which attempt, then narrates', async () => {
    const app = await atLoginScreen({ llm: narrator() });
    await inAGame(app);
    server.script({ kind: 'status', status: 429, headers: { 'retry-after': '1' } }, { kind: 'stream', chunks: ['At last the rain.'] });
    await type(app.stdin, 'I wait\r');
    await screenShows(app.lastFrame, 'The narrator: rate-limited — retrying in 1 s, attempt 2 of 3…');
    const frame = await screenShows(app.lastFrame, 'At last the rain.');
    expect(frame).not.toContain('retrying in');
    expect(frame).toMatch(/TTFT 0\.\d\ds \(after 1\.\d\ds waiting\)/);
    await app.store.close();
  });
});

describe('nothing lost on the game screen', () => {
  it('shows a narration it could not save, marked so, and /retry saves it without asking again', async () => {
    const dir = tempDir();
    const inner = SqliteStore.open(dir);
    await seedStore(inner);
    const faulty = new FaultyStore(inner);
    const engine = new GameEngine({ store: faulty.store, llm: narrator(), narratorModel: 'grok-test', summaryModel: 's', storeRetryMs: [5] });
    const services = buildServices(parseConfig({ STORYOS_LOG_DIR: dir, STORYOS_DATA_DIR: dir }, dir), faulty.store, engine);
    await services.accounts.createUser('alice', 'password123', 'user', 'test');
    const app = renderApp(services, { firstRun: false });
    await screenShows(app.lastFrame, '› Log in');
    await inAGame(app);
    await engine.settled();
    server.script({ kind: 'stream', chunks: ['Words ', 'you read.'] });
    faulty.failOn(2, sqliteError('SQLITE_FULL'));
    await type(app.stdin, 'I write it down\r');
    const frame = await screenShows(app.lastFrame, '(not saved: /retry saves it)');
    expect(frame).toContain('Words you read.');
    expect(frame).toContain('The game could not be saved; your action and this narration are kept, and /retry saves them');
    expect(frame).not.toMatch(/│ I write it down/);
    const asked = server.requests.filter((r) => r.body.stream).length;
    await type(app.stdin, '/retry\r');
    await screenShows(() => app.frames.join('\n'), '✓ Saved.');
    expect(server.requests.filter((r) => r.body.stream)).toHaveLength(asked);
    const [session] = await inner.listSessions('alice');
    expect((await inner.getMessage((await inner.getSession(session?.id as string))?.head as string))?.content).toBe('Words you read.');
    await inner.close();
  });

  it('offers an action saved without its narration in the input line when the game is loaded', async () => {
    const app = await atLoginScreen({ llm: narrator() });
    await inAGame(app);
    server.script({ kind: 'status', status: 400 });
    await type(app.stdin, 'I vanish\r');
    await screenShows(app.lastFrame, 'The narrator rejected the request');
    const again = renderApp(app.services, { firstRun: false });
    await screenShows(again.lastFrame, '› Log in');
    await type(again.stdin, KEY.enter);
    await screenShows(again.lastFrame, 'Username:');
    await type(again.stdin, 'alice\r', 'password123\r');
    await screenShows(again.lastFrame, '› New game');
    await type(again.stdin, KEY.down, KEY.enter);
    const frame = await screenShows(again.lastFrame, 'Your last action has no narration yet');
    expect(frame).toMatch(/│ I vanish/);
    await app.store.close();
  });
});
