import { UserFacingError } from '../config/errors.js';

/** A unique key is taken (a username, a scenario id). */
export class DuplicateError extends UserFacingError {
  constructor(message: string) {
    super(message, 1);
  }
}

export class NotFoundError extends UserFacingError {
  constructor(message: string) {
    super(message, 1);
  }
}

/** The record changed since it was read (another process played this game meanwhile). */
export class ConflictError extends UserFacingError {
  constructor(message: string) {
    super(message, 1);
  }
}

/** The store cannot be reached or opened; the message says what to check. */
export class StoreUnavailableError extends UserFacingError {
  constructor(message: string) {
    super(message, 1);
  }
}

/** SQLite result codes that pass: another process holds the lock, or a snapshot moved on. */
const TRANSIENT_SQLITE = /^SQLITE_(BUSY|LOCKED)/;
/** MongoDB failures the driver labels as safe to try again, and lost connections. */
const TRANSIENT_MONGO_LABELS = ['RetryableWriteError', 'TransientTransactionError', 'ResetPool'];
const TRANSIENT_MONGO_NAMES = new Set(['MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoServerSelectionError', 'MongoPoolClearedError']);

/**
 * Whether a store failure may pass if the write is tried again shortly (a busy database, a
 * dropped connection); a full disk or a corrupt page does not. Read from the error's code,
 * labels and name, so that the engine needs no driver.
 */
export function isTransientStoreError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, errorLabels } = error as Error & { code?: unknown; errorLabels?: unknown };
  if (typeof code === 'string' && TRANSIENT_SQLITE.test(code)) return true;
  if (Array.isArray(errorLabels) && errorLabels.some((label) => TRANSIENT_MONGO_LABELS.includes(label as string))) return true;
  return TRANSIENT_MONGO_NAMES.has(error.name);
}
