import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatTimestamp } from '../../src/logging/format.js';
import { listLogSet, yyyymmdd } from '../../src/logging/log-files.js';
import { makeDirectory, RotatingFile } from '../../src/logging/rotating-file.js';
import { rotateFile } from '../../src/logging/rotation.js';
import { tempDir } from '../support/temp.js';

const line = (i: number) => `[2024-01-15 10:30:15,123] [INFO] [app] line ${String(i).padStart(4, '0')}\n`;

function contentsOldestFirst(dir: string, base = 'storyos.log'): string {
  return listLogSet(dir, base)
    .map((f) => fs.readFileSync(f.path, 'utf8'))
    .join('');
}

describe('size rotation', () => {
  it('rotates to .1 (newest) … .N and loses nothing', () => {
    const dir = tempDir();
    const file = new RotatingFile(path.join(dir, 'storyos.log'), { type: 'size', maxBytes: 500, backups: 100 });
    const written = Array.from({ length: 100 }, (_, i) => line(i));
    for (const text of written) file.write(text);
    file.close();
    const names = fs.readdirSync(dir).sort();
    expect(names).toContain('storyos.log.1');
    expect(names.length).toBeGreaterThanOrEqual(10);
    for (const name of names) expect(fs.statSync(path.join(dir, name)).size).toBeLessThanOrEqual(500);
    expect(contentsOldestFirst(dir)).toBe(written.join(''));
    expect(fs.readFileSync(path.join(dir, 'storyos.log.1'), 'utf8') < fs.readFileSync(path.join(dir, 'storyos.log'), 'utf8')).toBe(true);
  });

  it('keeps only the backup count of rotated files', () => {
    const dir = tempDir();
    const file = new RotatingFile(path.join(dir, 'storyos.log'), { type: 'size', maxBytes: 200, backups: 2 });
    for (let i = 0; i < 50; i++) file.write(line(i));
    file.close();
    expect(fs.readdirSync(dir).sort()).toEqual(['storyos.log', 'storyos.log.1', 'storyos.log.2']);
    expect(fs.readFileSync(path.join(dir, 'storyos.log'), 'utf8')).toContain('line 0049');
  });

  it('shifts compressed backups along with plain ones', () => {
    const dir = tempDir();
    const active = path.join(dir, 'storyos.log');
    fs.writeFileSync(`${active}.1.gz`, 'old');
    fs.writeFileSync(active, line(1));
    expect(rotateFile(active, { type: 'size', maxBytes: 10_000, backups: 5 }, { force: true })).toBe('rotated');
    expect(fs.readdirSync(dir).sort()).toEqual(['storyos.log', 'storyos.log.1', 'storyos.log.2.gz']);
    expect(fs.readFileSync(active, 'utf8')).toBe('');
  });

  it('does not rotate an empty file, even when forced', () => {
    const dir = tempDir();
    const active = path.join(dir, 'storyos.log');
    fs.writeFileSync(active, '');
    expect(rotateFile(active, { type: 'size', maxBytes: 1, backups: 5 }, { force: true })).toBe('not-needed');
    expect(fs.readdirSync(dir)).toEqual(['storyos.log']);
  });

  it('takes over a lock left by a crashed process once it is stale, but waits for a fresh one', () => {
    const dir = tempDir();
    const active = path.join(dir, 'storyos.log');
    fs.writeFileSync(active, line(1));
    fs.mkdirSync(`${active}.lock`);
    expect(rotateFile(active, { type: 'size', maxBytes: 1, backups: 5 }, { force: true, waitMs: 50 })).toBe('busy');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(`${active}.lock`, old, old);
    expect(rotateFile(active, { type: 'size', maxBytes: 1, backups: 5 }, { force: true })).toBe('rotated');
    expect(fs.existsSync(`${active}.lock`)).toBe(false);
  });

  it('follows a rotation made by someone else: the next entry goes to the new file', () => {
    const dir = tempDir();
    const active = path.join(dir, 'storyos.log');
    const file = new RotatingFile(active, { type: 'size', maxBytes: 1_000_000, backups: 5 });
    file.write(line(1));
    rotateFile(active, { type: 'size', maxBytes: 1_000_000, backups: 5 }, { force: true });
    file.write(line(2));
    fs.rmSync(active);
    file.write(line(3));
    file.close();
    expect(fs.readFileSync(`${active}.1`, 'utf8')).toBe(line(1));
    expect(fs.readFileSync(active, 'utf8')).toBe(line(3));
  });
});

describe('a log directory that cannot be made', () => {
  it('fails at once under /proc (Node’s recursive mkdirSync spins there), and the writer reports it once', () => {
    const started = Date.now();
    expect(() => makeDirectory('/proc/self/no/such/logs')).toThrow(/ENOENT/);
    const errors: string[] = [];
    const file = new RotatingFile('/proc/self/no/logs/storyos.log', { type: 'size', maxBytes: 100, backups: 1 }, (e) =>
      errors.push((e as NodeJS.ErrnoException).code ?? ''),
    );
    file.write(line(1));
    file.write(line(2));
    expect(errors).toEqual(['ENOENT']);
    expect(Date.now() - started).toBeLessThan(2000);
    const dir = tempDir();
    makeDirectory(path.join(dir, 'a', 'b', 'c'));
    expect(fs.statSync(path.join(dir, 'a', 'b', 'c')).isDirectory()).toBe(true);
  });
});

describe('time rotation', () => {
  const daysAgo = (n: number) => {
    const d = new Date();
    d.setDate(d.getDate() - n);
    d.setHours(12, 0, 0, 0);
    return d;
  };
  /** An entry written `n` days ago. */
  const lineOn = (n: number, i: number) => `[${formatTimestamp(daysAgo(n))}] [INFO] [app] line ${String(i).padStart(4, '0')}\n`;

  it('renames yesterday’s file after its date at the first write of a new day', () => {
    const dir = tempDir();
    const active = path.join(dir, 'storyos.log');
    fs.writeFileSync(active, lineOn(1, 1));
    const file = new RotatingFile(active, { type: 'time', backups: 5 });
    file.write(lineOn(0, 2));
    file.write(lineOn(0, 3));
    file.close();
    expect(fs.readFileSync(`${active}.${yyyymmdd(daysAgo(1))}`, 'utf8')).toBe(lineOn(1, 1));
    expect(fs.readFileSync(active, 'utf8')).toBe(lineOn(0, 2) + lineOn(0, 3));
  });

  it('decides from the dates of the entries, not from the file’s modification time or the clock', () => {
    const dir = tempDir();
    const active = path.join(dir, 'storyos.log');
    // Today's entries in a file last modified days ago (copied in, or a clock that moved): no rotation.
    fs.writeFileSync(active, lineOn(0, 1));
    fs.utimesSync(active, daysAgo(3), daysAgo(3));
    for (let start = 0; start < 3; start++) {
      const file = new RotatingFile(active, { type: 'time', backups: 5 });
      file.write(lineOn(0, 2 + start));
      file.close();
    }
    expect(fs.readdirSync(dir)).toEqual(['storyos.log']);
    // Entries of three days ago in a file modified just now: rotated, named after the entries' day.
    fs.writeFileSync(active, lineOn(3, 10) + lineOn(3, 11));
    const file = new RotatingFile(active, { type: 'time', backups: 5 });
    file.write(lineOn(0, 12));
    file.close();
    expect(fs.readdirSync(dir).sort()).toEqual(['storyos.log', `storyos.log.${yyyymmdd(daysAgo(3))}`]);
    expect(fs.readFileSync(`${active}.${yyyymmdd(daysAgo(3))}`, 'utf8')).toBe(lineOn(3, 10) + lineOn(3, 11));
    // `logs rotate` names the file after its last entry too.
    fs.writeFileSync(active, lineOn(5, 20) + lineOn(4, 21));
    expect(rotateFile(active, { type: 'time', backups: 5 }, { force: true })).toBe('rotated');
    expect(fs.readFileSync(`${active}.${yyyymmdd(daysAgo(4))}`, 'utf8')).toBe(lineOn(5, 20) + lineOn(4, 21));
  });

  it('keeps the backup count of days, and numbers a second rotation on the same day', () => {
    const dir = tempDir();
    const active = path.join(dir, 'storyos.log');
    for (let n = 6; n >= 1; n--) {
      fs.writeFileSync(active, lineOn(n, n));
      expect(rotateFile(active, { type: 'time', backups: 3 }, { force: false })).toBe('rotated');
    }
    fs.writeFileSync(active, lineOn(0, 100));
    expect(rotateFile(active, { type: 'time', backups: 3 }, { force: false })).toBe('not-needed');
    rotateFile(active, { type: 'time', backups: 3 }, { force: true });
    fs.writeFileSync(active, lineOn(0, 101));
    rotateFile(active, { type: 'time', backups: 3 }, { force: true });
    const today = yyyymmdd(new Date());
    const names = fs.readdirSync(dir).sort();
    expect(names).toEqual(
      ['storyos.log', `storyos.log.${yyyymmdd(daysAgo(2))}`, `storyos.log.${yyyymmdd(daysAgo(1))}`, `storyos.log.${today}`, `storyos.log.${today}-2`].sort(),
    );
    expect(contentsOldestFirst(dir)).toBe(lineOn(2, 2) + lineOn(1, 1) + lineOn(0, 100) + lineOn(0, 101));
  });
});
