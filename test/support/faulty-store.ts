import type { Store } from '../../src/store/types.js';

/** The writes a game makes; reads always go through. */
const WRITES = new Set(['appendMessages', 'setHead', 'updateMessageState', 'createSession', 'deleteSession']);

/** An error as better-sqlite3 throws it, with its SQLite result code. */
export function sqliteError(
  code: 'SQLITE_BUSY' | 'SQLITE_FULL' | 'SQLITE_CORRUPT' | 'SQLITE_IOERR',
  message = code === 'SQLITE_BUSY' ? 'database is locked' : code === 'SQLITE_CORRUPT' ? 'database disk image is malformed' : 'disk I/O error',
): Error {
  return Object.assign(new Error(message), { name: 'SqliteError', code });
}

/**
 * A real store that fails on chosen writes: `failOn(n, error, times)` makes the nth write from
 * now (1 = the next) and the `times - 1` after it throw `error`. Counts every write it sees.
 */
export class FaultyStore {
  writes = 0;
  private faults: Array<{ at: number; error: Error; afterCommit?: boolean }> = [];
  readonly store: Store;

  constructor(inner: Store) {
    this.store = new Proxy(inner, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        if (!WRITES.has(String(property))) return (value as (...a: unknown[]) => unknown).bind(target);
        return async (...args: unknown[]) => {
          this.writes++;
          const index = this.faults.findIndex((f) => f.at === this.writes);
          const fault = index === -1 ? undefined : this.faults.splice(index, 1)[0];
          if (fault && !fault.afterCommit) throw fault.error;
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (fault) throw fault.error;
          return result;
        };
      },
    });
  }

  /** The nth write from now is done, but its caller is told it failed (an answer lost on the way back). */
  commitThenFail(nth: number, error: Error): this {
    this.faults.push({ at: this.writes + nth, error, afterCommit: true });
    return this;
  }

  failOn(nth: number, error: Error, times = 1): this {
    for (let i = 0; i < times; i++) this.faults.push({ at: this.writes + nth + i, error });
    return this;
  }
}
