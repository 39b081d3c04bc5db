import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { formatTimestamp } from '../../../src/logging/format.js';
import { listLogSet } from '../../../src/logging/log-files.js';
import { entryChunks } from '../../../src/logging/reader/chunks.js';
import type { LogEntry } from '../../../src/logging/reader/entry.js';
import { buildFilter, type FilterOptions } from '../../../src/logging/reader/filter.js';
import { scanChunk, searchFiles } from '../../../src/logging/reader/search.js';
import { lastEntries } from '../../../src/logging/reader/tail.js';
import { tempDir } from '../../support/temp.js';

const BASE = new Date(2024, 0, 15, 10, 0, 0, 0).getTime();
const LEVELS = ['DEBUG', 'INFO', 'INFO', 'PERF', 'WARN', 'ERROR'];
const MODULES = ['auth', 'db_utils', 'game_logic', 'llm_utils'];

/** Entry i: one second after entry i-1; every sixth an ERROR with a two-line stack. */
function entryText(i: number): string {
  const level = LEVELS[i % LEVELS.length] as string;
  const module = MODULES[i % MODULES.length] as string;
  const time = formatTimestamp(new Date(BASE + i * 1000));
  const user = i % 3 === 0 ? 'alice' : 'bob';
  const body =
    level === 'PERF'
      ? `op${i % 2} completed (duration: ${((i % 7) * 0.5).toFixed(2)}s, session: s${i % 4}, user_id: ${user})`
      : `event ${i} (user_id: ${user}, session: s${i % 4})`;
  const stack = level === 'ERROR' ? `\n    Error: failure ${i}\n    at thing (file.js:${i}:1)` : '';
  return `[${time}] [${level}] [${module}] ${body}${stack}`;
}

/** Writes entries 0..count-1 over rotated files: `.3` oldest (gzip), `.2`, `.1`, then the active file. */
function writeLogSet(dir: string, count: number): string[] {
  const texts = Array.from({ length: count }, (_, i) => entryText(i));
  const quarter = Math.ceil(count / 4);
  const parts = [0, 1, 2, 3].map((q) =>
    texts
      .slice(q * quarter, (q + 1) * quarter)
      .map((t) => `${t}\n`)
      .join(''),
  );
  fs.writeFileSync(path.join(dir, 'storyos.log.3.gz'), zlib.gzipSync(parts[0] as string));
  fs.writeFileSync(path.join(dir, 'storyos.log.2'), parts[1] as string);
  fs.writeFileSync(path.join(dir, 'storyos.log.1'), parts[2] as string);
  fs.writeFileSync(path.join(dir, 'storyos.log'), parts[3] as string);
  return texts;
}

function search(dir: string, options: FilterOptions): string[] {
  const found: string[] = [];
  searchFiles(listLogSet(dir, 'storyos.log'), buildFilter(options), (e: LogEntry) => void found.push(e.text));
  return found;
}

/** The same filter applied to every entry one by one, without needles or bisection. */
function bruteForce(texts: string[], options: FilterOptions): string[] {
  const filter = buildFilter(options);
  const found: string[] = [];
  const plain = { ...filter, needle: undefined, since: undefined, until: undefined };
  scanChunk(Buffer.from(texts.map((t) => `${t}\n`).join('')), plain, (e) => void found.push(e.text));
  return found;
}

describe('searching a rotated log set', () => {
  it('returns every entry oldest first, across gzip and plain files, with continuation lines', () => {
    const dir = tempDir();
    const texts = writeLogSet(dir, 400);
    const all = search(dir, {});
    expect(all).toEqual(texts);
    const errors = all.filter((t) => t.includes('] [ERROR] ['));
    expect(errors).toHaveLength(66);
    expect(errors.every((t) => /\n {4}Error: failure \d+\n {4}at thing/.test(t))).toBe(true);
  });

  it.each<[string, FilterOptions]>([
    ['a level', { levels: ['PERF'] }],
    ['two levels', { levels: ['WARN', 'error'] }],
    ['a minimum level', { minLevel: 'WARNING' }],
    ['a module', { modules: ['db_utils'] }],
    ['a user', { user: 'alice' }],
    ['a session', { session: 's2' }],
    ['slower than', { slowerThanSeconds: 2 }],
    ['a regex', { pattern: 'event 1\\d\\b' }],
    ['a regex over continuation lines', { pattern: 'failure 3\\d+\\n\\s+at' }],
    ['a fixed string', { pattern: '(duration: 1.50s', fixedString: true }],
    ['ignore case', { pattern: 'EVENT 2', ignoreCase: true, fixedString: true }],
    ['level, module and user', { levels: ['INFO'], modules: ['auth', 'game_logic'], user: 'bob' }],
    ['since and until', { since: BASE + 95_000, until: BASE + 310_500 }],
    ['since, level and pattern', { since: BASE + 250_000, levels: ['ERROR'], pattern: 'failure' }],
  ])('filters by %s exactly as a full scan does', (_name, options) => {
    const dir = tempDir();
    const texts = writeLogSet(dir, 400);
    const expected = bruteForce(texts, options);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(texts.length);
    expect(search(dir, options)).toEqual(expected);
  });

  it('finds the --since start by bisection in large files, matching a full scan', () => {
    const dir = tempDir();
    const texts = Array.from({ length: 60_000 }, (_, i) => entryText(i));
    fs.writeFileSync(
      path.join(dir, 'storyos.log.1'),
      texts
        .slice(0, 30_000)
        .map((t) => `${t}\n`)
        .join(''),
    );
    fs.writeFileSync(
      path.join(dir, 'storyos.log'),
      texts
        .slice(30_000)
        .map((t) => `${t}\n`)
        .join(''),
    );
    for (const at of [0, 1, 29_999, 30_000, 45_123, 59_999, 70_000]) {
      expect(search(dir, { since: BASE + at * 1000 })).toEqual(texts.slice(at));
    }
  });

  it('never splits an entry across chunks, whatever the chunk size', () => {
    const dir = tempDir();
    const texts = writeLogSet(dir, 200);
    const active = listLogSet(dir, 'storyos.log').at(-1);
    expect(active?.name).toBe('storyos.log');
    for (const size of [7, 64, 333, 4096]) {
      const entries: string[] = [];
      for (const chunk of entryChunks(active!, 0, size)) {
        expect(chunk[0]).toBe(0x5b);
        scanChunk(chunk, buildFilter({}), (e) => void entries.push(e.text));
      }
      expect(entries).toEqual(texts.slice(150));
    }
  });

  it('returns the last entries across files for tail, oldest first', () => {
    const dir = tempDir();
    const texts = writeLogSet(dir, 400);
    const files = listLogSet(dir, 'storyos.log');
    expect(lastEntries(files, buildFilter({}), 5).map((e) => e.text)).toEqual(texts.slice(-5));
    expect(lastEntries(files, buildFilter({}), 120).map((e) => e.text)).toEqual(texts.slice(-120));
    const errors = bruteForce(texts, { levels: ['ERROR'] });
    expect(lastEntries(files, buildFilter({ levels: ['ERROR'] }), 30).map((e) => e.text)).toEqual(errors.slice(-30));
    expect(lastEntries(files, buildFilter({}), 10_000).map((e) => e.text)).toEqual(texts);
  });
});
