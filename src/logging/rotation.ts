import fs from 'node:fs';
import path from 'node:path';
import { datedName, listRotated, numberedName, yyyymmdd } from './log-files.js';
import { lockWithin, tryLock, type Release } from './file-lock.js';

export type RotationPolicy =
  | { type: 'size'; maxBytes: number; backups: number }
  | { type: 'time'; backups: number };

export function startOfToday(now = new Date()): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** Whether writing `incomingBytes` more to a file in this state should first rotate it. */
export function needsRotation(st: fs.Stats, policy: RotationPolicy, incomingBytes: number): boolean {
  if (st.size === 0) return false;
  if (policy.type === 'size') return st.size + incomingBytes > policy.maxBytes;
  return st.mtimeMs < startOfToday();
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

/** Renames the active file after the day of its last write, then keeps the `backups` most recent days. */
function rotateToDated(activePath: string, lastWrite: Date, backups: number): void {
  const day = yyyymmdd(lastWrite);
  let part = 1;
  while (fs.existsSync(datedName(activePath, day, part)) || fs.existsSync(`${datedName(activePath, day, part)}.gz`)) part++;
  renameIfExists(activePath, datedName(activePath, day, part));
  const dated = listRotated(path.dirname(activePath), path.basename(activePath)).filter((f) => f.kind === 'dated');
  const keptDays = [...new Set(dated.map((f) => f.date))].sort().slice(-backups);
  for (const file of dated) if (!keptDays.includes(file.date)) fs.rmSync(file.path, { force: true });
}

function rotateLocked(activePath: string, policy: RotationPolicy, force: boolean, incomingBytes: number): boolean {
  let st: fs.Stats;
  try {
    st = fs.statSync(activePath);
  } catch {
    return false;
  }
  if (st.size === 0 || (!force && !needsRotation(st, policy, incomingBytes))) return false;
  if (policy.type === 'size') shiftNumbered(activePath, policy.backups);
  else rotateToDated(activePath, st.mtime, policy.backups);
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
  options: { force: boolean; waitMs?: number; incomingBytes?: number },
): RotationOutcome {
  const lockPath = `${activePath}.lock`;
  const release: Release | null = options.waitMs ? lockWithin(lockPath, options.waitMs) : tryLock(lockPath);
  if (!release) return 'busy';
  try {
    return rotateLocked(activePath, policy, options.force, options.incomingBytes ?? 0) ? 'rotated' : 'not-needed';
  } finally {
    release();
  }
}
