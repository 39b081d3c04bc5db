import { expect } from 'vitest';
import { UserFacingError } from '../../src/config/errors.js';

/** The error `fn` throws, checked to be of `type` (a user-facing error by default). */
export function thrown<T extends Error = UserFacingError>(fn: () => unknown, type: abstract new (...args: never[]) => T = UserFacingError as never): T {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as T;
  }
  throw new Error('expected the call to throw');
}
