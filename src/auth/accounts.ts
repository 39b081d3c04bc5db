import { UserFacingError } from '../config/errors.js';
import { formatDuration } from '../logging/format.js';
import { getLogger } from '../logging/logger.js';
import type { PublicUser, Role, Store, UserRecord } from '../store/types.js';
import { DuplicateError } from '../store/errors.js';
import { checkPassword, checkUsername, hashPassword, isValidUsername, ValidationError, verifyAgainstNothing, verifyPassword } from './passwords.js';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60 * 1000;

/** One sentence for every failed login: it never tells whether the username exists or is locked. */
export const LOGIN_FAILED = `Wrong username or password. After ${MAX_FAILED_LOGINS} failed attempts an account is locked for 15 minutes.`;

/**
 * How an unknown username is logged. It may be a password typed in the wrong box, so only its
 * first character and length are kept ("b… (3 characters)"), enough to tell attempts apart.
 */
function unknownName(username: string): string {
  if (!isValidUsername(username)) return '(not a valid username)';
  return `${username[0]}… (${username.length} characters)`;
}

export class LoginError extends UserFacingError {
  constructor() {
    super(LOGIN_FAILED, 1);
  }
}

const log = getLogger('auth');

export function toPublic(user: UserRecord): PublicUser {
  const { password_hash: _hash, ...rest } = user;
  return rest;
}

/** Which field a form should have typed again after `error`: a bad or taken name, or else the password. */
export function fieldToRetry(error: unknown): 'username' | 'password' {
  if (error instanceof ValidationError) return error.field;
  return error instanceof DuplicateError ? 'username' : 'password';
}

export type UnlockOutcome = 'unlocked' | 'failures-cleared' | 'not-locked' | 'no-such-user';

/** What an unlock did, in one sentence for the operator. */
export function unlockMessage(username: string, outcome: UnlockOutcome): string {
  const messages: Record<UnlockOutcome, string> = {
    unlocked: `${username} is unlocked.`,
    'failures-cleared': `${username} was not locked; the failed logins are cleared.`,
    'not-locked': `${username} is not locked; nothing changed.`,
    'no-such-user': `No account named ${username}.`,
  };
  return messages[outcome];
}

export class Accounts {
  constructor(
    private readonly store: Store,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async needsFirstAdmin(): Promise<boolean> {
    return (await this.store.countUsers()) === 0;
  }

  /** The first account of a new installation; refused once any account exists. */
  async createFirstAdmin(username: string, password: string): Promise<PublicUser> {
    const refused = () => new UserFacingError('An administrator already exists; log in with that account.', 1);
    if (!(await this.needsFirstAdmin())) throw refused();
    const user = await this.newUser(username, password, 'admin');
    if (!(await this.store.createFirstUser(user))) throw refused();
    log.info(`User ${username} created`, { user_id: username, role: 'admin', created_by: 'first-run' });
    return toPublic(user);
  }

  async register(username: string, password: string): Promise<PublicUser> {
    return this.createUser(username, password, 'user', 'self');
  }

  private async newUser(username: string, password: string, role: Role): Promise<UserRecord> {
    checkUsername(username);
    checkPassword(password);
    return {
      username,
      username_lower: username.toLowerCase(),
      password_hash: await hashPassword(password),
      role,
      created_at: this.now(),
      last_login_at: null,
      failed_attempts: 0,
      locked_until: null,
    };
  }

  async createUser(username: string, password: string, role: Role, createdBy: string): Promise<PublicUser> {
    const user = await this.newUser(username, password, role);
    await this.store.createUser(user);
    log.info(`User ${username} created`, { user_id: username, role, created_by: createdBy });
    return toPublic(user);
  }

  /**
   * At most MAX_FAILED_LOGINS password checks per account per lockout window, whatever the
   * concurrency: the store reserves the attempt before the password is checked (refusing while
   * locked or at the limit), a wrong password leaves it counted, and a right one clears the count
   * only if no other attempt locked the account meanwhile. An unknown name, a locked account and a
   * refused attempt cost one argon2 verification too, and every failure says the same sentence.
   */
  async login(username: string, password: string): Promise<PublicUser> {
    if (username.trim() === '') throw new ValidationError('Type your username.', 'username');
    const started = performance.now();
    const key = username.toLowerCase();
    const now = this.now();
    // The first thing done, so that parallel attempts take their places in the order they came.
    const reservation = await this.store.reserveLoginAttempt(key, now, { maxFailures: MAX_FAILED_LOGINS, lockMs: LOCKOUT_MS });
    const user = reservation ? await this.store.findUser(key) : null;
    if (!reservation || !user) {
      await verifyAgainstNothing(password);
      log.warn('Login failed', { user_id: unknownName(username), reason: 'unknown_user' });
      throw new LoginError();
    }
    if (!reservation.granted) {
      await verifyAgainstNothing(password);
      log.warn('Login refused: account locked', { user_id: user.username, locked_until: reservation.locked_until ?? 'at the limit of failed logins' });
      throw new LoginError();
    }
    if (!(await verifyPassword(user.password_hash, password))) {
      log.warn('Login failed', { user_id: user.username, reason: 'wrong_password', failed_attempts: reservation.failed_attempts });
      if (reservation.locked_until) {
        log.warn(`Account locked after ${MAX_FAILED_LOGINS} failed logins`, { user_id: user.username, locked_until: reservation.locked_until });
      }
      throw new LoginError();
    }
    if (!(await this.store.completeLogin(key, reservation.locked_until, now))) {
      log.warn('Login refused: account locked', { user_id: user.username, reason: 'locked_during_check' });
      throw new LoginError();
    }
    log.info(`User ${user.username} logged in successfully`, { user_id: user.username, duration: formatDuration(performance.now() - started) });
    return toPublic({ ...user, failed_attempts: 0, locked_until: null, last_login_at: now });
  }

  logout(user: PublicUser): void {
    log.info(`User ${user.username} logged out`, { user_id: user.username });
  }

  /** Lifts a lockout and clears the count of failed logins; an account with neither is left as it is. */
  async unlock(username: string, by: string): Promise<UnlockOutcome> {
    const user = await this.store.findUser(username.toLowerCase());
    if (!user) return 'no-such-user';
    const locked = user.locked_until !== null && user.locked_until > this.now();
    if (!locked && user.failed_attempts === 0) return 'not-locked';
    await this.store.updateLoginState(user.username_lower, { failed_attempts: 0, locked_until: null, last_login_at: user.last_login_at });
    log.info(locked ? `User ${user.username} unlocked` : `User ${user.username}: failed logins cleared`, {
      user_id: user.username,
      unlocked_by: by,
      failed_attempts: user.failed_attempts,
    });
    return locked ? 'unlocked' : 'failures-cleared';
  }

  listUsers(): Promise<PublicUser[]> {
    return this.store.listUsers();
  }
}
