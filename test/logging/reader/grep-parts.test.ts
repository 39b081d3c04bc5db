import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { listLogSet, MAIN_LOG } from '../../../src/logging/log-files.js';
import type { FilterOptions } from '../../../src/logging/reader/filter.js';
import { inertLine } from '../../../src/logging/reader/output.js';
import { grepFiles } from '../../../src/logging/reader/parallel.js';
import { logTimeToMs } from '../../../src/logging/reader/time-spec.js';
import { tempDir } from '../../support/temp.js';

/** What `logs grep` prints for the log set in `dir`: the search in parts, as the command runs it (one thread here). */
async function grep(dir: string, options: FilterOptions): Promise<string> {
  let out = '';
  await grepFiles(listLogSet(dir, MAIN_LOG), { options, mode: 'text', colour: false, terminal: false }, (bytes) => {
    out += bytes.toString('utf8');
    return true;
  });
  return out;
}

const line = (time: string, level: string, message: string) => `[2024-01-15 ${time},000] [${level}] [auth] ${message}\n`;

describe('logs grep over parts of the files', () => {
  it('prints an entry longer than a part once, and each entry after it once', async () => {
    const dir = tempDir();
    const stack = `    at frame (x.js:1:1)\n`.repeat(Math.ceil((40 * 1024 * 1024) / 24));
    fs.writeFileSync(
      path.join(dir, MAIN_LOG),
      line('10:00:00', 'ERROR', 'huge') + stack + line('10:00:01', 'INFO', 'tail entry 0') + line('10:00:02', 'INFO', 'tail entry 1'),
    );
    const out = await grep(dir, { pattern: 'tail entry' });
    expect(out.match(/tail entry \d/g)).toEqual(['tail entry 0', 'tail entry 1']);
    expect((await grep(dir, { levels: ['ERROR'] })).length).toBeGreaterThan(40 * 1024 * 1024);
  });

  it('keeps, for --since, the entries a file holds out of order, glued after a torn one, or before a torn last line', async () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, 'storyos.log.3'),
      line('10:00:01', 'INFO', 'one') + line('10:00:04', 'INFO', 'four') + line('10:00:02', 'INFO', 'written late'),
    );
    fs.writeFileSync(
      path.join(dir, 'storyos.log.2'),
      `${line('09:59:00', 'INFO', 'before')}[2024-01-15 09:59:30,000] [INFO] [auth] torn by a full di${line('10:30:00', 'ERROR', 'disk is back')}`,
    );
    fs.writeFileSync(path.join(dir, 'storyos.log.1'), `${line('10:31:00', 'INFO', 'kept')}[2024-01-15 1\n`);
    fs.writeFileSync(path.join(dir, MAIN_LOG), line('10:40:00', 'INFO', 'last'));
    const out = await grep(dir, { since: logTimeToMs('2024-01-15 10:00:03,000') });
    for (const kept of ['four', 'disk is back', 'kept', 'last']) expect(out, kept).toContain(kept);
    expect(out).not.toContain('one');
  });

  it('finds --since past a line that starts with [ but is no header, in a file it bisects', async () => {
    const dir = tempDir();
    const stack = `    at frame (x.js:1:1)\n`.repeat(5000);
    fs.writeFileSync(
      path.join(dir, MAIN_LOG),
      `${line('09:00:00', 'ERROR', 'boom')}${stack}[1/3] a line of someone's output\n${line('10:00:00', 'INFO', 'wanted')}`,
    );
    expect(await grep(dir, { since: logTimeToMs('2024-01-15 09:30:00,000') })).toContain('wanted');
  });

  it('skips a compressed file it cannot inflate, saying so, and goes on with the rest', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'storyos.log.2.gz'), 'not gzip');
    fs.writeFileSync(path.join(dir, 'storyos.log.1.gz'), zlib.gzipSync(line('10:00:00', 'INFO', 'inflated')));
    fs.writeFileSync(path.join(dir, MAIN_LOG), line('10:01:00', 'INFO', 'active'));
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stderr.write;
    try {
      const out = await grep(dir, {});
      expect(out).toContain('inflated');
      expect(out).toContain('active');
    } finally {
      process.stderr.write = write;
    }
    expect(written.join('')).toMatch(/^storyos: skipped \S+storyos\.log\.2\.gz: it is not a readable gzip file \(.+\)\.\n$/);
  });
});

describe('logs grep to a terminal', () => {
  it('prints a line another program wrote with raw control characters inert, and copies it as it is into a pipe', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, MAIN_LOG), line('10:00:00', 'WARNING', 'red \u001b[31malert\u001b[0m and \u202eevil'));
    const run = async (terminal: boolean) => {
      let out = '';
      await grepFiles(listLogSet(dir, MAIN_LOG), { options: {}, mode: 'text', colour: false, terminal }, (bytes) => {
        out += bytes.toString('utf8');
        return true;
      });
      return out;
    };
    expect(await run(true)).toBe(line('10:00:00', 'WARNING', 'red \\u001b[31malert\\u001b[0m and \\u202eevil'));
    expect(await run(false)).toBe(line('10:00:00', 'WARNING', 'red \u001b[31malert\u001b[0m and \u202eevil'));
  });
});

describe('inertLine: one line of log text for replay and top', () => {
  it('escapes newlines and controls as the writer does, and bidi controls as a terminal needs', () => {
    expect(inertLine('a\nb\u001b[31m \u202eevil\u2066')).toBe('a\\nb\\u001b[31m \\u202eevil\\u2066');
  });
});

describe('a v2 file that cannot be inflated', () => {
  it('is skipped with one sentence, and the search goes on with the rest', async () => {
    const dir = tempDir();
    // A v2 log, compressed, whose head inflates (so it is known for v2's) but whose end is cut off.
    const v2 = Array.from(
      { length: 2000 },
      (_, i) => `2025-01-15 10:30:15,${String(i % 1000).padStart(3, '0')} - auth - INFO - login:42 - User u${i} logged in\n`,
    ).join('');
    const gz = zlib.gzipSync(v2);
    fs.writeFileSync(path.join(dir, 'storyos.log.1.gz'), gz.subarray(0, gz.length - 200));
    fs.writeFileSync(path.join(dir, MAIN_LOG), line('10:01:00', 'INFO', 'active'));
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stderr.write;
    try {
      expect(await grep(dir, {})).toContain('active');
    } finally {
      process.stderr.write = write;
    }
    expect(written.join('')).toMatch(/^storyos: skipped \S+storyos\.log\.1\.gz: it is not a readable gzip file \(.+\)\.\n$/);
  });
});
