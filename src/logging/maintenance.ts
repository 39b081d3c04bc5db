import fs from 'node:fs';
import path from 'node:path';
import type { LogConfig } from '../config/env.js';
import { UserFacingError } from '../config/errors.js';
import { ERROR_LOG, listLogSet, listRotated, MAIN_LOG, type LogFileInfo } from './log-files.js';
import { rotateFile, type RotationPolicy } from './rotation.js';
import { errorLogPolicy, mainLogPolicy } from './policies.js';

export type LogChoice = 'main' | 'errors' | 'all';

const LOGS: Record<'main' | 'errors', { name: string; policy: (log: LogConfig) => RotationPolicy }> = {
  main: { name: MAIN_LOG, policy: mainLogPolicy },
  errors: { name: ERROR_LOG, policy: errorLogPolicy },
};

function chosen(which: LogChoice): Array<'main' | 'errors'> {
  return which === 'all' ? ['main', 'errors'] : [which];
}

export interface RotationResult {
  file: string;
  rotated: boolean;
}

const WHY: Record<string, string> = {
  EACCES: 'StoryOS may not write there',
  EPERM: 'StoryOS may not write there',
  EROFS: 'it is on a read-only file system',
  ENOENT: 'files cannot be created there (a directory under /proc or /sys, or one just removed)',
  ENOTDIR: 'part of its path is not a directory',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
};

/** One sentence naming what to fix, instead of an errno and a stack. */
function cannotRotate(name: string, dir: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const why = WHY[code];
  if (!why) return error as Error;
  return new UserFacingError(
    `Cannot rotate ${name} in ${dir}: ${why} (${code}); make the directory writable or set STORYOS_LOG_DIR (or --dir) to one that is.`,
    1,
  );
}

/** Rotates now, waiting for any rotation another process has under way. */
export function rotateNow(log: LogConfig, which: LogChoice): RotationResult[] {
  return chosen(which).map((key) => {
    const { name, policy } = LOGS[key];
    const file = path.join(log.dir, name);
    let outcome: ReturnType<typeof rotateFile>;
    try {
      outcome = rotateFile(file, policy(log), { force: true, waitMs: 5000 });
    } catch (error) {
      throw cannotRotate(name, log.dir, error);
    }
    if (outcome === 'busy') throw new UserFacingError(`Another process has been rotating ${name} for over 5 seconds; try again.`, 1);
    return { file, rotated: outcome === 'rotated' };
  });
}

/** Rotated files (never the active ones) last written before `now - ageMs`. */
export function filesOlderThan(dir: string, ageMs: number, now = Date.now()): LogFileInfo[] {
  const cutoff = now - ageMs;
  return [MAIN_LOG, ERROR_LOG].flatMap((name) => listRotated(dir, name)).filter((f) => f.mtimeMs < cutoff);
}

export function deleteFiles(files: LogFileInfo[]): void {
  for (const file of files) fs.rmSync(file.path, { force: true });
}

export interface LogSetSummary {
  log: string;
  policy: string;
  files: Array<{ name: string; size: number; modified: string }>;
  totalBytes: number;
  /** `max_size × (backups + 1)`, or null when rotation is by time and size is unbounded. */
  maxBytes: number | null;
}

export function summarize(log: LogConfig): LogSetSummary[] {
  return (['main', 'errors'] as const).map((key) => {
    const { name, policy: policyOf } = LOGS[key];
    const policy = policyOf(log);
    const files = listLogSet(log.dir, name);
    return {
      log: name,
      policy:
        policy.type === 'size'
          ? `by size, ${Number((policy.maxBytes / 1024 / 1024).toFixed(2))} MB a file, ${policy.backups} backups`
          : `daily, ${policy.backups} days kept`,
      files: files.map((f) => ({ name: f.name, size: f.size, modified: new Date(f.mtimeMs).toISOString() })),
      totalBytes: files.reduce((sum, f) => sum + f.size, 0),
      maxBytes: policy.type === 'size' ? policy.maxBytes * (policy.backups + 1) : null,
    };
  });
}
