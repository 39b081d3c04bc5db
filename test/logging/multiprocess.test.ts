import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listLogSet } from '../../src/logging/log-files.js';
import { cleanEnv, exited, runCli, startCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const WRITER = fileURLToPath(new URL('../support/log-writer.mjs', import.meta.url));
const LINES = 3000;

function startWriter(id: string, env: Record<string, string>, pauseEvery = 0, lines = LINES) {
  return spawn(process.execPath, [WRITER, id, String(lines), String(pauseEvery)], { env: cleanEnv(env), stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Counts each `line <writer>-<n> end` across every file of the log set. */
function countLines(dir: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const file of listLogSet(dir, 'storyos.log')) {
    for (const m of fs.readFileSync(file.path, 'utf8').matchAll(/line ([AB]-\d+) end/g)) counts.set(m[1] as string, (counts.get(m[1] as string) ?? 0) + 1);
  }
  return counts;
}

function expectEveryLineOnce(dir: string): void {
  const counts = countLines(dir);
  const missing: string[] = [];
  const repeated: string[] = [];
  for (const id of ['A', 'B']) {
    for (let i = 0; i < LINES; i++) {
      const n = counts.get(`${id}-${i}`) ?? 0;
      if (n === 0) missing.push(`${id}-${i}`);
      if (n > 1) repeated.push(`${id}-${i}`);
    }
  }
  expect({ missing: missing.slice(0, 10), repeated: repeated.slice(0, 10) }).toEqual({ missing: [], repeated: [] });
  expect(counts.size).toBe(2 * LINES);
}

describe('two processes logging at once', () => {
  it('lose no line while `storyos logs rotate` runs again and again', async () => {
    const dir = tempDir();
    const env = { STORYOS_LOG_DIR: dir, STORYOS_LOG_BACKUP_COUNT: '10000', STORYOS_LOG_MAX_SIZE_MB: '100' };
    const writers = [startWriter('A', env, 3), startWriter('B', env, 3)];
    const done = Promise.all(writers.map(exited));
    let finished = false;
    void done.then(() => (finished = true));
    let rotations = 0;
    while (!finished) {
      const result = runCli(['logs', 'rotate'], { cwd: dir, env });
      expect(result.stderr).toBe('');
      rotations++;
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(await done).toEqual([0, 0]);
    expect(rotations).toBeGreaterThan(3);
    expect(listLogSet(dir, 'storyos.log').length).toBeGreaterThan(2);
    expectEveryLineOnce(dir);
  });

  it('lose no line with automatic size rotation at a tiny size', async () => {
    const dir = tempDir();
    const env = { STORYOS_LOG_DIR: dir, STORYOS_LOG_BACKUP_COUNT: '10000', STORYOS_LOG_MAX_SIZE_MB: '0.004' };
    const codes = await Promise.all([startWriter('A', env), startWriter('B', env)].map(exited));
    expect(codes).toEqual([0, 0]);
    const files = listLogSet(dir, 'storyos.log');
    expect(files.length).toBeGreaterThan(50);
    // Writers check the size before appending, so entries in flight at once may overshoot a little.
    const maxBytes = Math.round(0.004 * 1024 * 1024);
    for (const file of files) expect(file.size).toBeLessThanOrEqual(maxBytes + 1024);
    expectEveryLineOnce(dir);
  });
});

describe('storyos logs tail -f while three processes log', () => {
  it('shows every entry exactly once, in the order the files hold them, with rotation at 1 KB', async () => {
    const dir = tempDir();
    const env = { STORYOS_LOG_DIR: dir, STORYOS_LOG_BACKUP_COUNT: '10000', STORYOS_LOG_MAX_SIZE_MB: '0.001' };
    fs.writeFileSync(`${dir}/storyos.log`, '[2024-01-15 10:30:15,123] [INFO] [app] before the follower\n');
    const follower = startCli(['logs', 'tail', '-n', '0', '-f', '--module', 'game_logic'], { cwd: dir, env });
    let out = '';
    follower.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => setTimeout(r, 800));
    const count = 400;
    const codes = await Promise.all(['A', 'B', 'C'].map((id) => exited(startWriter(id, env, 2, count))));
    expect(codes).toEqual([0, 0, 0]);
    const shown = () => [...out.matchAll(/line ([ABC]-\d+) end/g)].map((m) => m[1] as string);
    for (let i = 0; i < 100 && shown().length < 3 * count; i++) await new Promise((r) => setTimeout(r, 100));
    follower.kill('SIGINT');
    expect(await exited(follower)).toBe(130);
    const files = listLogSet(dir, 'storyos.log');
    expect(files.length).toBeGreaterThan(50);
    const inFiles = files.flatMap((f) => [...fs.readFileSync(f.path, 'utf8').matchAll(/line ([ABC]-\d+) end/g)].map((m) => m[1] as string));
    expect(inFiles).toHaveLength(3 * count);
    expect(shown()).toEqual(inFiles);
  }, 60_000);
});
