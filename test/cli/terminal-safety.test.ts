import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Accounts } from '../../src/auth/accounts.js';
import { GameEngine } from '../../src/game/engine.js';
import { seedStore } from '../../src/game/seed.js';
import { OpenAiLlm } from '../../src/llm/openai-client.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { runCli, runCliAsync } from '../support/cli.js';
import { FakeLlmServer } from '../support/fake-llm-server.js';
import { tempDir } from '../support/temp.js';

/** What a hostile model or import put there: a title, a clipboard write, a clear, the alternate screen, a bidi override. */
const NASTY = '\u001b]0;pwned\u0007\u001b]52;c;SGVsbG8=\u0007\u001b[2J\u001b[?1049h\u202eevil';
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

let server: FakeLlmServer;
let dir: string;
beforeEach(async () => {
  server = await new FakeLlmServer().start();
  dir = tempDir();
});
afterEach(async () => {
  await server.stop();
});

/** A state update full of escape sequences, as a hostile or broken summary model sends. */
function nastyStateUpdate(): string {
  return JSON.stringify({
    event_title: `Title ${NASTY}`,
    event_summary: `Summary ${NASTY}`,
    involved_characters: [`Mara ${NASTY}`],
    character_updates: [{ name: `Mara ${NASTY}`, summary: `Summary ${NASTY}` }],
    world_state: `World ${NASTY}`,
    last_scene: `Scene ${NASTY}`,
    location: `Place ${NASTY}`,
    synopsis: `Synopsis ${NASTY}`,
  });
}

describe('text from the model never reaches the terminal raw', () => {
  it('the state update is made safe where it enters the store', async () => {
    const store = SqliteStore.open(path.join(dir, 'data'));
    await seedStore(store);
    const alice = await new Accounts(store).createUser('alice', 'password123', 'user', 'test');
    server.answerByDefault({ json: () => ({ kind: 'json', content: nastyStateUpdate() }) });
    const game = new GameEngine({
      store,
      llm: new OpenAiLlm({ apiKey: 'k-123456', baseUrl: server.url, model: 'm', timeoutS: 2, maxRetries: 0 }),
      narratorModel: 'm',
      summaryModel: 's',
    });
    const { session } = await game.newSession(alice, 'neon-rain');
    await game.settled();
    const saved = await store.getSession(session.id);
    expect(JSON.stringify(saved?.state)).not.toMatch(/\\u001b|\\u202e|\u001b|\u202e/);
    expect(saved?.state.synopsis).toBe('Synopsis evil');
    await store.close();
  });

  it('and where it leaves: CLI tables, exports, headless /story and /context, for a state stored raw before this fix', async () => {
    expect(runCli(['users', 'add', 'alice', '--password-stdin'], { cwd: dir, input: 'password123\n' }).code).toBe(0);
    const store = SqliteStore.open(path.join(dir, 'data'));
    await seedStore(store);
    const now = new Date();
    const state = {
      world_state: `World ${NASTY}`,
      last_scene: `Scene ${NASTY}`,
      location: `Place ${NASTY}`,
      synopsis: `Synopsis ${NASTY}`,
      characters: { [`Mara ${NASTY}`]: `Summary ${NASTY}` },
      event: { title: `T ${NASTY}`, description: `D ${NASTY}`, characters: [] },
    };
    await store.createSession({
      id: 'raw',
      user: 'alice',
      scenario_id: 'neon-rain',
      scenario_name: `Neon ${NASTY}`,
      created_at: now,
      updated_at: now,
      head: null,
      turn_count: 0,
      usage: { tokens_in: 0, tokens_out: 0 },
      state,
    });
    await store.appendMessages(
      'raw',
      [
        {
          id: 'm1',
          parent_id: null,
          sender: 'StoryOS',
          content: `Opening ${NASTY}`,
          created_at: now,
          narration: { model: 'm', usage: { tokens_in: 1, tokens_out: 1 }, ttft_ms: 1, duration_ms: 1, interrupted: false, finish_reason: 'stop' },
          state,
        },
      ],
      { turn_count: 0, usage: { tokens_in: 1, tokens_out: 1 }, state, updated_at: now },
    );
    const scenario = await store.getScenario('neon-rain');
    await store.saveScenario({ ...scenario!, name: `Neon ${NASTY}`, description: `Desc ${NASTY}` });
    await store.close();
    const outputs = [
      runCli(['sessions', 'list'], { cwd: dir }),
      runCli(['sessions', 'export', 'raw', '--format', 'md'], { cwd: dir }),
      runCli(['scenarios', 'list'], { cwd: dir }),
      runCli(['scenarios', 'show', 'neon-rain'], { cwd: dir }),
      await runCliAsync(['play', '--headless', '--user', 'alice', '--session', 'raw', '--offline'], {
        cwd: dir,
        env: { STORYOS_PASSWORD: 'password123' },
        input: '/story\n/context\n/nope\u001b]0;x\u0007\n',
      }),
    ];
    for (const { stdout, stderr } of outputs) {
      expect(stdout).not.toMatch(UNSAFE);
      expect(stderr).not.toMatch(UNSAFE);
    }
    expect(outputs[4]?.stdout).toContain('**Synopsis**: Synopsis evil');
    expect(outputs[0]?.stdout).toMatch(/Neon evil +0 .+ Scene evil\n/);
    const json = runCli(['sessions', 'list', '--json'], { cwd: dir }).stdout;
    expect(json).not.toMatch(UNSAFE);
    expect(json).toContain('\\u001b]0;pwned');
    expect(json).toContain('\\u202e');
  });
});
