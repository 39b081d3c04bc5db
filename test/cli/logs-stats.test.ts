import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliAsync } from '../support/cli.js';
import { FakeLlmServer } from '../support/fake-llm-server.js';

/**
 * `storyos logs stats` over the log a real StoryOS run writes: alice, bob and carol play headless
 * games against the fake narrator (a server error retried for alice, an API key refused for bob),
 * then a wrong password. The figures are those of that run, whatever the clock said.
 */
let dir: string;
let server: FakeLlmServer;

beforeAll(async () => {
  // One run for all the tests (tempDir would remove it after the first).
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storyos-stats-'));
  server = await new FakeLlmServer().start();
  for (const user of ['alice', 'bob', 'carol']) expect(runCli(['users', 'add', user, '--password-stdin'], { cwd: dir, input: 'password123\n' }).code).toBe(0);
  const env = {
    XAI_API_KEY: 'xai-test-key-abcdef',
    STORYOS_LLM_BASE_URL: server.url,
    STORYOS_PASSWORD: 'password123',
    STORYOS_LLM_TIMEOUT_S: '5',
    STORYOS_LLM_MAX_RETRIES: '2',
  };
  const play = (user: string, args: string[], input: string, more: Record<string, string> = {}) =>
    runCliAsync(['play', '--headless', '--user', user, ...args], { cwd: dir, env: { ...env, ...more }, input });
  server.script(
    { kind: 'stream', firstDelayMs: 20, chunks: ['The fog rolls in. ', 'What do you do?'], usage: { prompt_tokens: 812, completion_tokens: 40 } },
    { kind: 'status', status: 500 },
    { kind: 'stream', firstDelayMs: 20, chunks: ['The lamp ', 'is cold.'], usage: { prompt_tokens: 655, completion_tokens: 5 } },
    { kind: 'stream', firstDelayMs: 20, chunks: ['A bell tolls.'], usage: { prompt_tokens: 677, completion_tokens: 4 } },
  );
  expect((await play('alice', ['--new', 'the-lighthouse-at-gull-point'], 'I climb to the lamp room.\nI ring the bell.\n/quit\n')).code).toBe(0);
  server.script(
    { kind: 'stream', firstDelayMs: 20, chunks: ['Neon rain. ', 'What now?'], usage: { prompt_tokens: 647, completion_tokens: 5 } },
    { kind: 'status', status: 401 },
  );
  expect((await play('bob', ['--new', 'neon-rain'], 'I look around.\n/quit\n')).code).toBe(1);
  server.script(
    { kind: 'stream', firstDelayMs: 20, chunks: ['Rain on chrome.'], usage: { prompt_tokens: 647, completion_tokens: 22 } },
    { kind: 'stream', firstDelayMs: 20, chunks: ['You walk.'], usage: { prompt_tokens: 627, completion_tokens: 22 } },
  );
  expect((await play('carol', ['--new', 'neon-rain'], 'I walk.\n/quit\n')).code).toBe(0);
  expect((await play('alice', ['--continue'], '', { STORYOS_PASSWORD: 'not-the-password' })).code).toBe(1);
}, 60_000);

afterAll(async () => {
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const logs = (...args: string[]) => runCli(['logs', ...args], { cwd: dir, env: { STORYOS_LOG_DIR: path.join(dir, 'logs') } });

describe('storyos logs stats over a real run', () => {
  it('counts the players and their games, not the accounts an admin made nor a failed login', () => {
    const { activity } = JSON.parse(logs('stats', '--json').stdout);
    expect([activity.users, activity.sessions]).toEqual([3, 3]);
    // The whole run takes seconds: one hour, or two when it straddles one.
    expect(activity.by).toBe('hour');
    expect(activity.buckets.length).toBeLessThanOrEqual(2);
    expect(activity.buckets.reduce((n: number, b: { sessions: number }) => n + b.sessions, 0)).toBe(3);
    expect(activity.buckets[0].label).toMatch(/^\d{4}-\d\d-\d\d \d\d:00$/);
    // alice's last line is the failed login (at WARN), which does not make her active again.
    expect(JSON.parse(logs('stats', '--json', '--level', 'WARN').stdout).activity.users).toBe(0);
  });

  it("gives each model's calls, failures, retries and tokens as the narrator client logged them", () => {
    const { llm } = JSON.parse(logs('stats', '--json').stdout);
    const narrator = llm.find((m: { model: string }) => m.model === 'grok-4-fast-reasoning');
    // Three openings and three turns answered (one after a retry), and bob's turn refused (401).
    expect(narrator).toMatchObject({
      calls: 7,
      failures: 1,
      cancelled: 0,
      retries: 1,
      tokensIn: 812 + 655 + 677 + 647 + 647 + 627,
      tokensOut: 40 + 5 + 4 + 5 + 22 + 22,
    });
    // Each answer's first words came 20 ms after the request (firstDelayMs): a TTFT of at least 0.02s.
    expect(narrator.ttftP50).toBeGreaterThanOrEqual(0.02);
    expect(narrator.ttftP95).toBeGreaterThanOrEqual(narrator.ttftP50);
    expect(narrator.durationP95).toBeGreaterThanOrEqual(narrator.durationP50);
    // The story-state updates: structured answers, no TTFT (null in JSON).
    const summary = llm.find((m: { model: string }) => m.model === 'grok-4-fast-non-reasoning');
    expect(summary).toMatchObject({ failures: 0, retries: 0, ttftP50: null, ttftP95: null });
    expect(summary.calls).toBeGreaterThanOrEqual(5);
  });

  it("gives the error rate of bob's refused turn against the turns that completed", () => {
    const json = JSON.parse(logs('stats', '--json').stdout);
    expect(json.operationErrors).toEqual([{ operation: 'process_player_input', errors: 1, completed: 3, errorRate: 0.25 }]);
    const game = json.modules.find((m: { module: string }) => m.module === 'game_logic');
    expect(game.errors).toBe(1);
    expect(game.errorRate).toBeCloseTo(1 / game.entries);
    const auth = json.modules.find((m: { module: string }) => m.module === 'auth');
    expect([auth.warnings, auth.errors, auth.errorRate]).toEqual([1, 0, 0]);
  });

  it('prints the sections as aligned tables and charts', () => {
    const { code, stdout } = logs('stats');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Activity per hour: 3 users, 3 sessions in all\nhour +users +sessions\n\d{4}-\d\d-\d\d \d\d:00 +\d +\d │█+/m);
    expect(stdout).toMatch(/^grok-4-fast-reasoning +7 +1 +1 +4065 +98 +\d+\.\d\ds +\d+\.\d\ds +\d+\.\d\ds +\d+\.\d\ds$/m);
    expect(stdout).toMatch(/^game_logic +\d+ +0 +1 +\d+\.\d%$/m);
    expect(stdout).toMatch(/^process_player_input +1 +3 +25\.0%$/m);
    // Nothing from a foreign file reaches the terminal raw.
    expect(stdout).not.toMatch(/\u001b/);
  });

  it('charts per day when asked, and says in one sentence what --by takes', () => {
    const { activity } = JSON.parse(logs('stats', '--json', '--by', 'day').stdout);
    expect(activity.by).toBe('day');
    expect(activity.buckets.length).toBeLessThanOrEqual(2);
    expect(logs('stats', '--by', 'day').stdout).toMatch(/^Activity per day: 3 users, 3 sessions in all\nday +users +sessions\n\d{4}-\d\d-\d\d +\d +\d │/m);
    const bad = logs('stats', '--by', 'week');
    expect([bad.code, bad.stdout, bad.stderr]).toEqual([2, '', 'storyos: Invalid --by value "week": use hour or day.\n']);
  });

  it('gives the same figures with STORYOS_NATIVE_SCAN=false (JavaScript alone), and says in one sentence what it takes', () => {
    const run = (value: string) =>
      runCli(['logs', 'stats', '--json'], { cwd: dir, env: { STORYOS_LOG_DIR: path.join(dir, 'logs'), STORYOS_NATIVE_SCAN: value } });
    const javascript = run('false');
    expect(javascript.code).toBe(0);
    expect(JSON.parse(javascript.stdout)).toEqual(JSON.parse(logs('stats', '--json').stdout));
    const bad = run('maybe');
    expect([bad.code, bad.stdout, bad.stderr]).toEqual([2, '', 'storyos: Invalid STORYOS_NATIVE_SCAN="maybe": expected true or false.\n']);
  });

  it('keeps the figures it had before, under their old names', () => {
    const json = JSON.parse(logs('stats', '--json').stdout);
    expect(Object.keys(json)).toEqual(['entries', 'first', 'last', 'operations', 'modules', 'histogram', 'activity', 'llm', 'operationErrors']);
    expect(json.operations.map((o: { operation: string }) => o.operation)).toContain('process_player_input');
    expect(json.histogram).toHaveLength(10);
    expect(fs.readdirSync(path.join(dir, 'logs'))).toContain('storyos.log');
  });
});
