import fs from 'node:fs';
import path from 'node:path';
import { datedName, listRotated, numberedName, yyyymmdd } from './log-files.js';
import { lockWithin, tryLock, type Release } from './file-lock.js';

export type RotationPolicy = { type: 'size'; maxBytes: number; backups: number } | { type: 'time'; backups: number };

export function startOfToday(now = new Date()): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

const TAIL_BYTES = 64 * 1024;
const HEADER_DAY = /\[(\d{4})-(\d\d)-(\d\d) \d\d:\d\d:\d\d,\d{3}\] \[[A-Z]+\] \[/g;

/** `YYYYMMDD` of an entry's text (its header's date), or undefined when it has none. */
export function entryDay(text: string): string | undefined {
  const m = /^\[(\d{4})-(\d\d)-(\d\d) /.exec(text);
  return m ? `${m[1]}${m[2]}${m[3]}` : undefined;
}

/**
 * `YYYYMMDD` of the last entry in a file, read from its end (the writer escapes header text inside
 * entries, so every header found is one); the day of its modification time when it holds none.
 */
export function lastEntryDay(file: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.size === 0) return undefined;
    const from = Math.max(0, st.size - TAIL_BYTES);
    const buf = Buffer.alloc(st.size - from);
    const tail = buf.toString('latin1', 0, fs.readSync(fd, buf, 0, buf.length, from));
    let day: string | undefined;
    for (const m of tail.matchAll(HEADER_DAY)) day = `${m[1]}${m[2]}${m[3]}`;
    return day ?? yyyymmdd(st.mtime);
  } finally {
    fs.closeSync(fd);
  }
}

/** What is about to be written: its size, and the day of its entry (time rotation). */
export interface Incoming {
  bytes: number;
  day: string;
}

/**
 * Whether writing `incoming` to a file in this state should first rotate it. By size: when it
 * would pass the limit. By time: when the entry's day is later than the day of the file's last
 * entry (`lastDay`), so neither the file's modification time nor a moving clock decides, and a
 * rotated file is named after the day of what it holds.
 */
export function needsRotation(st: fs.Stats, policy: RotationPolicy, incoming: Incoming, lastDay: () => string | undefined): boolean {
  if (st.size === 0) return false;
  if (policy.type === 'size') return st.size + incoming.bytes > policy.maxBytes;
  const last = lastDay();
  return last !== undefined && last < incoming.day;
}

function renameIfExists(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** `.N` → `.N+1` for every numbered backup, newest last, dropping those past the backup count. */
function shiftNumbered(activePath: string, backups: number): void {
  const dir = path.dirname(activePath);
  const existing = listRotated(dir, path.basename(activePath))
    .filter((f) => f.kind === 'numbered')
    .sort((a, b) => b.index - a.index);
  for (const file of existing) {
    const suffix = file.gzip ? '.gz' : '';
    if (file.index >= backups) fs.rmSync(file.path, { force: true });
    else renameIfExists(file.path, numberedName(activePath, file.index + 1) + suffix);
  }
  renameIfExists(activePath, numberedName(activePath, 1));
}

/** Renames the active file after the day of its last entry, then keeps the `backups` most recent days. */
function rotateToDated(activePath: string, day: string, backups: number): void {
  let part = 1;
  while (fs.existsSync(datedName(activePath, day, part)) || fs.existsSync(`${datedName(activePath, day, part)}.gz`)) part++;
  renameIfExists(activePath, datedName(activePath, day, part));
  const dated = listRotated(path.dirname(activePath), path.basename(activePath)).filter((f) => f.kind === 'dated');
  const keptDays = [...new Set(dated.map((f) => f.date))].sort().slice(-backups);
  for (const file of dated) if (!keptDays.includes(file.date)) fs.rmSync(file.path, { force: true });
}

function rotateLocked(activePath: string, policy: RotationPolicy, force: boolean, incoming: Incoming): boolean {
  let st: fs.Stats;
  try {
    st = fs.statSync(activePath);
  } catch {
    return false;
  }
  let lastDay: string | undefined;
  const readLastDay = () => (lastDay ??= lastEntryDay(activePath));
  if (st.size === 0 || (!force && !needsRotation(st, policy, incoming, readLastDay))) return false;
  if (policy.type === 'size') shiftNumbered(activePath, policy.backups);
  else rotateToDated(activePath, readLastDay() ?? yyyymmdd(st.mtime), policy.backups);
  fs.closeSync(fs.openSync(activePath, 'a'));
  return true;
}

export type RotationOutcome = 'rotated' | 'not-needed' | 'busy';

/**
 * Rotates under a lock shared by every process writing this log. Writers that lose the race
 * keep writing to the file they hold (now renamed), then reopen: no line is lost.
 * Returns 'busy' when another process held the lock for longer than `waitMs`.
 */
export function rotateFile(
  activePath: string,
  policy: RotationPolicy,
  options: { force: boolean; waitMs?: number; incomingBytes?: number; incomingDay?: string },
): RotationOutcome {
  const lockPath = `${activePath}.lock`;
  const release: Release | null = options.waitMs ? lockWithin(lockPath, options.waitMs) : tryLock(lockPath);
  if (!release) return 'busy';
  try {
    const incoming = { bytes: options.incomingBytes ?? 0, day: options.incomingDay ?? yyyymmdd(new Date()) };
    return rotateLocked(activePath, policy, options.force, incoming) ? 'rotated' : 'not-needed';
  } finally {
    release();
  }
}
