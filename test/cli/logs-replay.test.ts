import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseBody, parseEntry } from '../../src/logging/reader/entry.js';
import { runCli, runCliAsync } from '../support/cli.js';
import { FakeLlmServer } from '../support/fake-llm-server.js';
import { linesOf, readLog } from '../support/logging.js';
import { tempDir } from '../support/temp.js';

let dir: string;
let logDir: string;
let server: FakeLlmServer;

beforeEach(async () => {
  dir = tempDir();
  logDir = path.join(dir, 'logs');
  server = await new FakeLlmServer().start();
  expect(runCli(['users', 'add', 'alice', '--password-stdin'], { cwd: dir, input: 'password123\n' }).code).toBe(0);
});
afterEach(async () => {
  await server.stop();
});

const env = (level: string) => ({
  XAI_API_KEY: 'xai-test-key-abcdef',
  STORYOS_LLM_BASE_URL: server.url,
  STORYOS_PASSWORD: 'password123',
  STORYOS_LLM_TIMEOUT_S: '5',
  STORYOS_LLM_MAX_RETRIES: '2',
  STORYOS_LOG_DIR: logDir,
  STORYOS_LOG_LEVEL: level,
});
const replay = (...args: string[]) => runCli(['logs', 'replay', ...args], { cwd: dir, env: { STORYOS_LOG_DIR: logDir } });

/** Plays a game headless: the opening, an action whose first attempt is refused (429), /retry, and an action after a 500. */
async function playGame(level: string): Promise<string> {
  const soon = { 'retry-after': '0.05' };
  server.script(
    { kind: 'stream', chunks: ['The fog rolls in. ', 'What do you do?'] },
    { kind: 'status', status: 429, headers: soon },
    { kind: 'stream', chunks: ['The lamp room ', 'is cold.'] },
    { kind: 'stream', chunks: ['The lamp room is warm, ', 'this time.'] },
    { kind: 'status', status: 500, headers: soon },
    { kind: 'stream', chunks: ['The bell answers.'] },
  );
  const game = await runCliAsync(['play', '--headless', '--user', 'alice', '--new', 'the-lighthouse-at-gull-point'], {
    cwd: dir,
    env: env(level),
    input: 'I climb to the lamp room.\n/retry\nI ring the bell.\n/quit\n',
  });
  expect(game.code).toBe(0);
  const session = /^storyos: game (\S+) started\.$/m.exec(game.stderr)?.[1];
  expect(session).toBeDefined();
  return session as string;
}

const entries = () =>
  linesOf(readLog(logDir))
    .map(parseEntry)
    .filter((e) => e.time)
    .map((e) => ({ ...e, ...parseBody(e.body) }));

describe('storyos logs replay', () => {
  it('tells a game played headless from its DEBUG log: each turn with its id, action, narrator calls, retry and database work, in order', async () => {
    const session = await playGame('DEBUG');

    // Every line of the session written during a turn carries its id: all but the slash command's own line.
    const lines = entries().filter((e) => e.context.session === session);
    const untagged = lines.filter((e) => e.context.turn === undefined).map((e) => e.message);
    expect(untagged).toEqual(['User action: command /retry', 'User action: command /quit']);
    // The store's and the narrator's lines of the game (they never name the session themselves) carry both.
    const start = lines[0]?.time ?? '';
    const workers = entries().filter((e) => (e.module === 'db_utils' || e.module === 'llm_utils') && e.time >= start);
    expect(workers.length).toBeGreaterThan(20);
    for (const e of workers) expect(e.context).toMatchObject({ session, turn: expect.stringMatching(/^t[0-9a-f]{8}$/) });

    const result = replay('--session', session);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = result.stdout;
    if (process.env.SHOW_REPLAY) console.log(out);
    expect(out).toMatch(new RegExp(`^Session ${session}\\n  player    alice\\n  scenario  the-lighthouse-at-gull-point\\n`));
    const turnHeads = out.split('\n').filter((l) => /^t[0-9a-f]{8} /.test(l));
    expect(turnHeads.map((l) => l.split(/\s+/)[1])).toEqual(['new_game', 'take_turn', 'retry', 'take_turn']);
    for (const head of turnHeads) expect(head).toMatch(/, \d+\.\d\ds, database \d+ operations in \d+\.\d\ds$/);
    // In order: the actions with their words (DEBUG), the refused attempt, the narrator's answers with TTFT and tokens.
    const story = [
      'action     new_game (scenario: the-lighthouse-at-gull-point)',
      'llm        grok-4-fast-reasoning opening (stream): status 200, attempt 1, TTFT',
      'narration  “The fog rolls in. What do you do?”',
      'perf       opening ',
      'action     take_turn “I climb to the lamp room.”',
      'retry      grok-4-fast-reasoning turn attempt 1 failed (rate_limit 429); again in 0.05s',
      'llm        grok-4-fast-reasoning turn (stream): status 200, attempt 2, 1 retry, TTFT',
      'waited',
      'narration  “The lamp room is cold.”',
      'perf       process_player_input ',
      '(no turn id)',
      'command /retry',
      'action     retry',
      'narration  “The lamp room is warm, this time.”',
      'action     take_turn “I ring the bell.”',
      'retry      grok-4-fast-reasoning turn attempt 1 failed (server 500); again in 0.05s',
      'narration  “The bell answers.”',
    ];
    let at = 0;
    for (const piece of story) {
      const found = out.indexOf(piece, at);
      expect(found, `${piece}\n--- after ---\n${out.slice(at)}`).toBeGreaterThan(-1);
      at = found;
    }
    expect(out).toMatch(
      /llm +grok-4-fast-reasoning opening \(stream\): status 200, attempt 1, TTFT \d+\.\d\ds, tokens \d+ in \/ \d+ out, duration \d+\.\d\ds, \d+ chunks/,
    );
    expect(out).toMatch(/db +append_messages, 1 row, \d+\.\d\ds/);
    expect(out).toMatch(/llm +\S+ summary_update \(json\): status 200/);

    const json = JSON.parse(replay('--session', session, '--json').stdout);
    expect(json.turns.map((t: { kind: string }) => t.kind)).toEqual(['new_game', 'take_turn', 'command /retry', 'retry', 'take_turn', 'command /quit']);
    expect(json.turns.filter((t: { id: string | null }) => t.id === null).map((t: { events: unknown[] }) => t.events.length)).toEqual([1, 1]);
    expect(json.turns[1].events.filter((e: { type: string }) => e.type === 'retry')).toHaveLength(1);
  });

  it('at INFO, tells the action by its length and counts the database work from the PERF line', async () => {
    const session = await playGame('INFO');
    const out = replay('--session', session).stdout;
    if (process.env.SHOW_REPLAY) console.log(out);
    expect(out).toContain('action     take_turn (25 characters)');
    expect(out).not.toContain('“I climb');
    expect(out).not.toContain(' db ');
    expect(out.split('\n').filter((l) => /^t[0-9a-f]{8} +take_turn .*, database \d+ operations in \d+\.\d\ds$/.test(l))).toHaveLength(2);
  });

  it('exits 1 with a sentence for a session with no line (in the time window), and 2 for a bad time or without --session', async () => {
    await playGame('INFO');
    const none = replay('--session', 'no-such-game');
    expect(none.code).toBe(1);
    expect(none.stdout).toBe('');
    expect(none.stderr).toBe(`storyos: no line of session "no-such-game" in storyos.log of ${logDir}.\n`);
    const earlier = replay('--session', 'no-such-game', '--until', '2001-01-01');
    expect([earlier.code, earlier.stderr]).toEqual([1, `storyos: no line of session "no-such-game" in storyos.log of ${logDir} in that time window.\n`]);
    const badTime = replay('--session', 'x', '--since', 'soon');
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toMatch(/^storyos: .*--since.*\n$/);
    const missing = replay();
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^storyos: .*--session/);
  });
});
