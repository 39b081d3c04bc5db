import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { BIN, cleanEnv, exited, runCli } from '../support/cli.js';
import { FakeLlmServer, type RecordedRequest } from '../support/fake-llm-server.js';
import { tempDir } from '../support/temp.js';

/**
 * 50 headless turns against a slow narrator, with the process killed at random moments by
 * SIGKILL, SIGTERM or SIGHUP, then started again on the same game (or a new one). Afterwards
 * every game opens, every head exists, every committed turn is there, and every action typed
 * before a SIGTERM or SIGHUP is in the store.
 */
const TURNS = Number(process.env.KILL_TURNS ?? 50);
const SIGNALS = ['SIGKILL', 'SIGTERM', 'SIGHUP'] as const;
const narrationFor = (action: string) => `The narrator answers ${action} slowly, word by word.`;

let dir: string;
let server: FakeLlmServer;

/** A seeded generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

const lastUserText = (request: RecordedRequest) => request.body.messages?.filter((m) => m.role === 'user').at(-1)?.content ?? '';

beforeAll(async () => {
  dir = tempDir();
  server = await new FakeLlmServer().start();
  server.answerByDefault({
    stream: (request) => {
      const action = /^action-\d+$/.test(lastUserText(request)) ? lastUserText(request) : 'the opening';
      return { kind: 'stream', chunks: narrationFor(action).split(/(?<= )/), delayMs: 25 };
    },
  });
  expect(runCli(['users', 'add', 'alice', '--password-stdin'], { cwd: dir, input: 'password123\n' }).code).toBe(0);
});
afterAll(async () => {
  await server.stop();
});

interface Player {
  child: ChildProcess;
  stdout: string;
  stderr: string;
}

function startPlayer(args: string[]): Player {
  const env = cleanEnv({
    XAI_API_KEY: 'xai-test-key-abcdef',
    STORYOS_LLM_BASE_URL: server.url,
    STORYOS_PASSWORD: 'password123',
    STORYOS_LLM_TIMEOUT_S: '5',
    STORYOS_LLM_MAX_RETRIES: '0',
  });
  const child = spawn(process.execPath, [BIN, 'play', '--headless', '--user', 'alice', ...args], { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
  const player: Player = { child, stdout: '', stderr: '' };
  child.stdout?.on('data', (d: Buffer) => (player.stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (player.stderr += d.toString()));
  child.stdin?.on('error', () => undefined);
  return player;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await pause(10)) if (check()) return true;
  return check();
}

describe('killed at random moments', () => {
  it('loses no committed turn and no action typed before SIGTERM or SIGHUP', { timeout: 180_000 }, async () => {
    const next = random(20261201);
    const committed: string[] = [];
    const typedBeforeSignal: string[] = [];
    const signalsSent: Record<string, number> = { SIGKILL: 0, SIGTERM: 0, SIGHUP: 0 };
    let turn = 0;
    let games = 0;
    while (turn < TURNS) {
      const fresh = games === 0 || next() < 0.15;
      if (fresh) games++;
      const player = startPlayer(fresh ? ['--new', 'the-lighthouse-at-gull-point'] : ['--continue']);
      const signal = SIGNALS[Math.floor(next() * SIGNALS.length)] as (typeof SIGNALS)[number];
      const turnsThisRun = 1 + Math.floor(next() * 3);
      // The opening (or the last narration, on --continue) is on screen before the first action.
      const ready = await waitFor(() => /\n\n/.test(player.stdout) || player.child.exitCode !== null, 10_000);
      if (fresh && next() < 0.3) {
        // Killed during a new game's opening.
        player.child.kill(signal);
        signalsSent[signal] = (signalsSent[signal] ?? 0) + 1;
        const code = await exited(player.child);
        if (signal === 'SIGTERM') expect({ code, stderr: player.stderr }).toMatchObject({ code: 143 });
        if (signal === 'SIGHUP') expect(player.child.signalCode).toBe('SIGHUP');
        continue;
      }
      expect(ready, player.stderr).toBe(true);
      for (let i = 0; i < turnsThisRun && turn < TURNS; i++) {
        const action = `action-${++turn}`;
        player.child.stdin?.write(`${action}\n`);
        const last = i === turnsThisRun - 1 || turn === TURNS;
        if (!last) {
          expect(await waitFor(() => player.stdout.includes(`${narrationFor(action)}\n\n`), 10_000), player.stderr).toBe(true);
          committed.push(action);
          continue;
        }
        await pause(20 + Math.floor(next() * 400));
        if (player.stdout.includes(`${narrationFor(action)}\n\n`)) committed.push(action);
        if (signal !== 'SIGKILL') typedBeforeSignal.push(action);
        player.child.kill(signal);
        signalsSent[signal] = (signalsSent[signal] ?? 0) + 1;
      }
      const code = await exited(player.child);
      // SIGTERM: exit 143; SIGHUP: the process ends by the signal itself (a shell shows 129).
      if (signal === 'SIGTERM') expect({ code, stderr: player.stderr }).toMatchObject({ code: 143 });
      if (signal === 'SIGHUP') expect({ signal: player.child.signalCode, stderr: player.stderr }).toMatchObject({ signal: 'SIGHUP' });
    }
    expect(Object.values(signalsSent).every((n) => n > 0)).toBe(true);

    const store = SqliteStore.open(path.join(dir, 'data'));
    try {
      const sessions = await store.listSessions('alice');
      expect(sessions.length).toBeGreaterThanOrEqual(games > 1 ? 2 : 1);
      const contents = new Set<string>();
      const narrationsOf = new Map<string, string[]>();
      for (const summary of sessions) {
        const session = await store.getSession(summary.id);
        expect(session).not.toBeNull();
        if (session?.head) {
          expect(await store.getMessage(session.head)).not.toBeNull();
          expect((await store.getBranch(session.id, session.head, 1_000_000)).at(-1)?.id).toBe(session.head);
        }
        const messages = await store.listMessages(summary.id);
        const byId = new Map(messages.map((m) => [m.id, m]));
        for (const m of messages) {
          contents.add(m.content);
          if (m.sender === 'StoryOS' && m.parent_id) {
            const parent = byId.get(m.parent_id)?.content ?? '';
            narrationsOf.set(parent, [...(narrationsOf.get(parent) ?? []), m.content]);
          }
        }
      }
      for (const action of committed) expect(narrationsOf.get(action), action).toContain(narrationFor(action));
      for (const action of typedBeforeSignal) expect(contents.has(action), action).toBe(true);
    } finally {
      await store.close();
    }
  });
});
