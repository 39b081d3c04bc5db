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
