import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { cleanEnv, exited } from '../support/cli.js';
import { FakeLlmServer } from '../support/fake-llm-server.js';
import { tempDir } from '../support/temp.js';

/**
 * A player moving around the story's tree at random (turns, retries, swipes, undo, redo, jumps,
 * both edits), killed by SIGKILL at random moments, then started again on the same game, several
 * times. After each kill the session's head exists, is a message of the session, its branch reaches
 * the story's first message, and the turn count is the branch's; the choices name messages of the session.
 */
const RUNS = Number(process.env.BRANCH_KILL_RUNS ?? 8);
const PLAYER = fileURLToPath(new URL('../support/branch-player.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

let server: FakeLlmServer;
let told = 0;

beforeAll(async () => {
  server = await new FakeLlmServer().start();
  server.answerByDefault({ stream: () => ({ kind: 'stream', chunks: `Narration ${++told} rolls in like the tide, slowly.`.split(/(?<= )/), delayMs: 5 }) });
});
afterAll(async () => {
  await server.stop();
});

function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('moving around the tree, killed at random moments', () => {
  it('always leaves a head that exists, on a branch that reaches the start', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const next = random(20261202);
    let ops = 0;
    for (let run = 0; run < RUNS; run++) {
      const child = spawn(TSX, [PLAYER, dir, server.url, String(1 + run * 7919)], { env: cleanEnv({ NODE_ENV: 'test' }), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // Until it has made a few moves (or ended on its own, which is a failure), then a random moment.
      const wanted = 3 + Math.floor(next() * 100);
      for (const end = Date.now() + 30_000; Date.now() < end && child.exitCode === null; await pause(5)) {
        if ((stdout.match(/^op /gm)?.length ?? 0) >= wanted) break;
      }
      expect(child.exitCode, stderr).toBeNull();
      await pause(Math.floor(next() * 60));
      child.kill('SIGKILL');
      await exited(child);
      ops += stdout.match(/^op /gm)?.length ?? 0;

      const store = SqliteStore.open(dir);
      try {
        const sessions = await store.listSessions('alice');
        expect(sessions).toHaveLength(1);
        const session = await store.getSession((sessions[0] as { id: string }).id);
        if (!session?.head) continue;
        const head = await store.getMessage(session.head);
        expect(head?.session_id).toBe(session.id);
        const branch = await store.getBranch(session.id, session.head, 1_000_000);
        expect(branch.at(-1)?.id).toBe(session.head);
        expect(branch[0]?.parent_id).toBeNull();
        expect(session.turn_count).toBe(branch.filter((m) => m.sender === 'StoryOS').length - 1);
        const ids = new Set((await store.listMessages(session.id)).map((m) => m.id));
        for (const choice of session.choices ?? []) {
          expect(ids.has(choice.child)).toBe(true);
          if (choice.parent !== null) expect(ids.has(choice.parent)).toBe(true);
        }
      } finally {
        await store.close();
      }
    }
    // The runs did move around: more than one move each, on average.
    expect(ops).toBeGreaterThan(RUNS * 3);
  });
});
