import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatRecord } from '../../src/logging/format.js';
import { parseBody, type LogEntry } from '../../src/logging/reader/entry.js';
import { buildFilter } from '../../src/logging/reader/filter.js';
import { scanChunk } from '../../src/logging/reader/search.js';
import { RotatingFile } from '../../src/logging/rotating-file.js';
import { tempDir } from '../support/temp.js';

const entry = (message: string, user = 'alice') =>
  formatRecord({ time: new Date(2024, 0, 15, 10, 30, 15, 123), level: 'INFO', category: 'auth', message, context: { user_id: user } });

function read(text: string, options = {}): LogEntry[] {
  const out: LogEntry[] = [];
  scanChunk(Buffer.from(text), buildFilter(options), (e) => void out.push(e));
  return out;
}

const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

/** The next `failures` writes to the log: the first puts half its bytes in the file, then the disk is full. */
function fillDiskFor(failures: number): void {
  const real = fs.writeSync.bind(fs) as (fd: number, buf: Buffer, offset?: number, length?: number) => number;
  let calls = 0;
  vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, buf: Buffer, offset?: number, length?: number) => {
    const from = offset ?? 0;
    const size = length ?? buf.length - from;
    calls++;
    if (calls === 1) return real(fd, buf, from, Math.floor(size / 2));
    if (calls <= failures) throw enospc();
    return real(fd, buf, from, size);
  }) as unknown as typeof fs.writeSync);
}

afterEach(() => vi.restoreAllMocks());

describe('an entry torn by a full disk', () => {
  it('is ended with a newline at once when the disk takes one more byte', () => {
    const dir = tempDir();
    const file = new RotatingFile(path.join(dir, 'storyos.log'), { type: 'size', maxBytes: 1_000_000, backups: 5 });
    fillDiskFor(2);
    file.write(entry('first entry, cut in half by the full disk'));
    vi.restoreAllMocks();
    file.write(entry('second entry'));
    file.close();
    const text = fs.readFileSync(path.join(dir, 'storyos.log'), 'utf8');
    const lines = text.split('\n');
    expect(lines[1]).toMatch(/^\[2024-01-15 10:30:15,123\] \[INFO\] \[auth\] second entry \(user_id: alice\)$/);
    expect(read(text).map((e) => parseBody(e.body).message)).toEqual([expect.stringMatching(/^first e/), 'second entry']);
  });

  it('is ended with a newline before the next entry when the disk stays full', () => {
    const dir = tempDir();
    const file = new RotatingFile(path.join(dir, 'storyos.log'), { type: 'size', maxBytes: 1_000_000, backups: 5 });
    fillDiskFor(3);
    file.write(entry('first entry, cut in half by the full disk'));
    vi.restoreAllMocks();
    file.write(entry('second entry'));
    file.write(entry('third entry'));
    file.close();
    const text = fs.readFileSync(path.join(dir, 'storyos.log'), 'utf8');
    expect(text.split('\n').slice(1)).toEqual([expect.stringContaining('] second entry ('), expect.stringContaining('] third entry ('), '']);
  });

  it('is read as its own entry when another process glued its entry to it (a header mid-line starts an entry)', () => {
    const torn = entry('torn entry of bob', 'bob').slice(0, 60);
    const text = `${entry('before')}${torn}${entry('glued entry')}${entry('after')}`;
    const all = read(text);
    expect(all.map((e) => e.text)).toEqual([entry('before').trimEnd(), torn, entry('glued entry').trimEnd(), entry('after').trimEnd()]);
    // The byte needle finds the glued entry whole, and the torn one is not taken for it.
    expect(read(text, { pattern: 'glued entry', fixedString: true }).map((e) => e.text)).toEqual([entry('glued entry').trimEnd()]);
    expect(read(text, { user: 'alice', levels: ['INFO'] })).toHaveLength(3);
  });

  it('cannot be faked: header text inside a message or value is escaped', () => {
    const fake = '[2024-01-01 00:00:00,000] [INFO] [auth] User admin logged in successfully';
    const text = formatRecord({ time: new Date(), level: 'INFO', category: 'auth', message: `hello ${fake}`, context: { note: fake } });
    expect(text).toContain('hello \\u005b2024-01-01 00:00:00,000] [INFO] [auth] User admin');
    expect(read(text)).toHaveLength(1);
  });
});
