import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DATABASE_FILE, SqliteStore } from '../../src/store/sqlite/store.js';
import { cleanEnv, exited } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const WRITER = fileURLToPath(new URL('../support/turn-writer.mjs', import.meta.url));

function startWriter(dataDir: string, sessionId: string, turns: number, prompts = 0) {
  const child = spawn(process.execPath, [WRITER, dataDir, sessionId, String(turns), String(prompts)], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  return { child, out };
}

function committedTurns(stdout: string): Array<{ n: number; head: string }> {
  return [...stdout.matchAll(/^committed (\d+) (\S+)$/gm)].map((m) => ({ n: Number(m[1]), head: m[2] as string }));
}

describe('SQLite durability', () => {
  it('keeps every turn whose write returned when the writer is killed with SIGKILL', async () => {
    const dir = tempDir();
    const { child, out } = startWriter(dir, 'crashy', 100_000);
    for (let i = 0; i < 200 && committedTurns(out.stdout).length < 150; i++) await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGKILL');
    await exited(child);
    const committed = committedTurns(out.stdout);
    expect(committed.length).toBeGreaterThanOrEqual(150);

    const db = new Database(path.join(dir, DATABASE_FILE));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    const store = SqliteStore.open(dir);
    const session = await store.getSession('crashy');
    expect(session?.head).toBeTruthy();
    const head = await store.getMessage(session?.head as string);
    expect(head).not.toBeNull();
    expect(head?.content).toBe(`crashy narration ${session?.turn_count}`);
    expect(session?.turn_count).toBeGreaterThanOrEqual(committed.length);
    const branch = await store.getBranch('crashy', session?.head as string, 1_000_000);
    expect(branch).toHaveLength(2 * (session?.turn_count as number));
    const contents = new Set(branch.map((m) => m.content));
    for (const { n, head: id } of committed) {
      expect(contents.has(`crashy action ${n}`) && contents.has(`crashy narration ${n}`)).toBe(true);
      expect((await store.getMessage(id))?.state?.last_scene).toBe(`scene ${n}`);
    }
    await store.close();
  });

  it('lets two processes write one file at once: nothing lost, no "database is locked"', async () => {
    const dir = tempDir();
    SqliteStore.open(dir).close();
    const writers = [startWriter(dir, 'left', 300, 25), startWriter(dir, 'right', 300, 25)];
    const codes = await Promise.all(writers.map((w) => exited(w.child)));
    for (const w of writers) expect(w.out.stderr).toBe('');
    expect(codes).toEqual([0, 0]);
    const store = SqliteStore.open(dir);
    for (const id of ['left', 'right']) {
      const session = await store.getSession(id);
      expect(session?.turn_count).toBe(300);
      const branch = await store.getBranch(id, session?.head as string, 10_000);
      expect(branch.map((m) => m.content)).toEqual(Array.from({ length: 300 }, (_, i) => [`${id} action ${i + 1}`, `${id} narration ${i + 1}`]).flat());
    }
    const versions = (await store.listSystemPrompts('narrator')).map((p) => p.version);
    expect(versions).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((await store.listSystemPrompts('narrator')).filter((p) => p.active)).toHaveLength(1);
    const printed = writers.flatMap((w) => [...w.out.stdout.matchAll(/^prompt (\d+)$/gm)].map((m) => Number(m[1])));
    expect(printed.sort((a, b) => a - b)).toEqual(versions);
    await store.close();
  });
});
