import fs from 'node:fs';
import { sleepSync } from './sleep-sync.js';

/** A lock older than this is taken to be left by a crashed process: the work it guards takes milliseconds. */
const STALE_AFTER_MS = 10_000;

export type Release = () => void;

function removeIfStale(lockPath: string): boolean {
  try {
    const age = Date.now() - fs.statSync(lockPath).mtimeMs;
    if (age < STALE_AFTER_MS) return false;
    fs.rmSync(lockPath, { recursive: true, force: true });
    return true;
  } catch {
    return true;
  }
}

/**
 * Cross-process lock on a directory (mkdir is atomic on every local file system).
 * Returns a release function, or null when another process holds the lock.
 */
export function tryLock(lockPath: string): Release | null {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.mkdirSync(lockPath);
      return () => fs.rmSync(lockPath, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!removeIfStale(lockPath)) return null;
    }
  }
  return null;
}

/** Waits (synchronously, in short sleeps) up to `timeoutMs` for the lock. */
export function lockWithin(lockPath: string, timeoutMs: number): Release | null {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const release = tryLock(lockPath);
    if (release || Date.now() >= deadline) return release;
    sleepSync(5);
  }
}
