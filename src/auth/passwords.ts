import { UserFacingError } from '../config/errors.js';
import { graphemeLength } from '../text/format.js';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;
/** ASCII only, so that its length in UTF-16 units is its length in characters as seen. */
const USERNAME = /^[A-Za-z0-9_.-]{3,32}$/;
/** A ceiling on the bytes hashed, whatever the characters (a character may be built of many code points). */
const PASSWORD_MAX_BYTES = 16 * 1024;

/** Input that breaks a rule; `field` is the one to type again. */
export class ValidationError extends UserFacingError {
  constructor(
    message: string,
    readonly field: 'username' | 'password',
  ) {
    super(message, 2);
  }
}

export function isValidUsername(username: string): boolean {
  return USERNAME.test(username);
}

export function checkUsername(username: string): string {
  if (!isValidUsername(username)) throw new ValidationError('A username is 3 to 32 letters, digits, underscores, dots or hyphens.', 'username');
  return username;
}

/**
 * 8 to 256 characters as a person counts them (graphemes: 200 emoji are 200), not all white
 * space; nothing is trimmed, so spaces around other characters count.
 */
export function checkPassword(password: string): string {
  if (password !== '' && password.trim() === '') throw new ValidationError('A password cannot be only spaces.', 'password');
  const tooLong = () => new ValidationError(`A password can be at most ${PASSWORD_MAX} characters.`, 'password');
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) throw tooLong();
  const length = graphemeLength(password);
  if (length < PASSWORD_MIN) throw new ValidationError(`A password needs at least ${PASSWORD_MIN} characters.`, 'password');
  if (length > PASSWORD_MAX) throw tooLong();
  return password;
}

/** The native argon2 module loads on the first hash or check, not before the login screen is drawn. */
const loadArgon2 = async () => (await import('argon2')).default;

/** argon2id, with the library's defaults (64 MiB, 3 passes); the encoded string holds salt and parameters. */
export async function hashPassword(password: string): Promise<string> {
  const argon2 = await loadArgon2();
  return argon2.hash(password, { type: argon2.argon2id });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  const argon2 = await loadArgon2();
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** A hash with the same parameters as real ones, of a password nobody uses. */
const DUMMY_HASH = '$argon2id$v=19$m=65536,p=4,t=3$nRbszKkt7SNvThlFiLj2Aw$ree+TLRJI2LZCRtF92SzK+IBk6453zcv1/B7fi8MxRE';

/** Spends the time of a real verification, so that an unknown username answers as slowly as a known one. */
export async function verifyAgainstNothing(password: string): Promise<void> {
  await verifyPassword(DUMMY_HASH, password);
}
