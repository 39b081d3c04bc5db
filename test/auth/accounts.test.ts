import argon2 from 'argon2';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Accounts, fieldToRetry, LOCKOUT_MS, LOGIN_FAILED, LoginError, MAX_FAILED_LOGINS, toPublic } from '../../src/auth/accounts.js';
import {
  checkPassword,
  checkUsername,
  hashPassword,
  PASSWORD_MAX,
  PASSWORD_MIN,
  ValidationError,
  verifyAgainstNothing,
  verifyPassword,
} from '../../src/auth/passwords.js';
import { UserFacingError } from '../../src/config/errors.js';
import { DuplicateError } from '../../src/store/errors.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import type { UserRecord } from '../../src/store/types.js';
import { HEADER, linesOf, logInto, readLog } from '../support/logging.js';
import { tempDir } from '../support/temp.js';

const PASSWORD = 'Correct-Horse-7';
const WRONG = 'Wrong-Guess-99';
const T0 = new Date('2030-06-01T12:00:00.000Z');
const MINUTE = 60_000;

/** Stores opened by a test; closed after it even when it fails half-way. */
const opened: SqliteStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

function openStore(dir = tempDir()): SqliteStore {
  const store = SqliteStore.open(dir);
  opened.push(store);
  return store;
}

/** A controllable clock for the `now` argument of Accounts. */
function clockAt(start: Date) {
  let current = start;
  return {
    now: () => current,
    set: (d: Date) => {
      current = d;
    },
    advance: (ms: number) => {
      current = new Date(current.getTime() + ms);
    },
  };
}

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

async function expectLoginFailed(promise: Promise<unknown>): Promise<void> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(LoginError);
  expect(error).toBeInstanceOf(UserFacingError);
  expect(error.message).toBe(LOGIN_FAILED);
}

async function record(store: SqliteStore, name: string): Promise<UserRecord> {
  const user = await store.findUser(name.toLowerCase());
  if (!user) throw new Error(`no user ${name}`);
  return user;
}

describe('password and username rules (no hashing)', () => {
  it.each(['abc', 'alice', 'Alice_01', 'a.b-c_d', '___', '...', '---', 'A'.repeat(32), 'x9'.repeat(16)])('accepts the username %j', (name) => {
    expect(checkUsername(name)).toBe(name);
  });

  it.each([
    '',
    'ab',
    'A'.repeat(33),
    'has space',
    ' alice',
    'alice ',
    'alice\n',
    'al@ce',
    'al/ce',
    'ålice',
    'алиса',
    'alice!',
    "a'; DROP TABLE users;--",
    'alice\n[2024-01-01 00:00:00,000] [INFO] [auth] User admin logged in successfully',
  ])('refuses the username %j', (name) => {
    expect(() => checkUsername(name)).toThrow(ValidationError);
    expect(() => checkUsername(name)).toThrow('A username is 3 to 32 letters, digits, underscores, dots or hyphens.');
  });

  it('bounds passwords to 8..256 characters', () => {
    expect(PASSWORD_MIN).toBe(8);
    expect(PASSWORD_MAX).toBe(256);
    expect(() => checkPassword('1234567')).toThrow('A password needs at least 8 characters.');
    expect(() => checkPassword('')).toThrow(ValidationError);
    expect(checkPassword('12345678')).toBe('12345678');
    expect(checkPassword('p'.repeat(256))).toBe('p'.repeat(256));
    expect(() => checkPassword('p'.repeat(257))).toThrow('A password can be at most 256 characters.');
    // Spaces around other characters count; nothing is trimmed.
    expect(checkPassword('  pass  word  ')).toBe('  pass  word  ');
  });

  it('refuses a password of only spaces (or other white space) in one sentence', () => {
    for (const blank of ['        ', ' ', '\t\t\t\t\t\t\t\t', '\u00a0'.repeat(12), ' '.repeat(300)]) {
      expect(() => checkPassword(blank)).toThrow(ValidationError);
      expect(() => checkPassword(blank)).toThrow(/^A password cannot be only spaces\.$/);
    }
  });

  it('counts a password in characters as a person sees them (graphemes), not UTF-16 units', () => {
    const family = '\u{1f468}\u200d\u{1f469}\u200d\u{1f467}\u200d\u{1f466}'; // one character, 11 units
    expect(checkPassword('\u{1f409}'.repeat(200))).toHaveLength(400);
    expect(checkPassword('\u{1f409}'.repeat(256))).toHaveLength(512);
    expect(() => checkPassword('\u{1f409}'.repeat(257))).toThrow('A password can be at most 256 characters.');
    expect(checkPassword(family.repeat(8))).toBe(family.repeat(8));
    expect(() => checkPassword(family.repeat(7))).toThrow('A password needs at least 8 characters.');
    expect(() => checkPassword('e\u0301'.repeat(4))).toThrow('A password needs at least 8 characters.');
    expect(checkPassword('e\u0301'.repeat(8))).toBe('e\u0301'.repeat(8));
    // A character of many code points is one character, but the bytes hashed stay bounded.
    expect(() => checkPassword(`a${'\u0301'.repeat(20_000)}bcdefgh`)).toThrow('A password can be at most 256 characters.');
  });

  it('counts usernames as seen too: only ASCII letters, digits and _ . - are allowed, so each is one character', () => {
    expect(() => checkUsername('e\u0301\u0301')).toThrow(ValidationError);
    expect(() => checkUsername('\u{1f409}\u{1f409}')).toThrow(ValidationError);
    expect(checkUsername('z'.repeat(32))).toBe('z'.repeat(32));
  });

  it('ValidationError is a UserFacingError with exit code 2, naming the field to type again', () => {
    const error = new ValidationError('x', 'username');
    expect(fieldToRetry(error)).toBe('username');
    expect(fieldToRetry(new ValidationError('x', 'password'))).toBe('password');
    expect(fieldToRetry(new DuplicateError('The username alice is taken.'))).toBe('username');
    expect(fieldToRetry(new Error('Wrong username or password.'))).toBe('password');
    expect(error).toBeInstanceOf(UserFacingError);
    expect(error.exitCode).toBe(2);
    expect(error.name).toBe('ValidationError');
  });
});

describe('hashing', () => {
  it('uses argon2id with a fresh salt, and verifies only the right password', async () => {
    const [a, b] = await Promise.all([hashPassword(PASSWORD), hashPassword(PASSWORD)]);
    expect(a.startsWith('$argon2id$')).toBe(true);
    expect(a).not.toContain(PASSWORD);
    expect(a).not.toBe(b);
    expect(await verifyPassword(a, PASSWORD)).toBe(true);
    expect(await verifyPassword(a, WRONG)).toBe(false);
  });

  it('treats a malformed hash as a mismatch, not a crash', async () => {
    expect(await verifyPassword('not-a-hash', PASSWORD)).toBe(false);
    expect(await verifyPassword('', PASSWORD)).toBe(false);
    await expect(verifyAgainstNothing(PASSWORD)).resolves.toBeUndefined();
  });
});

describe('first-run administrator', () => {
  it('is created on an empty store, as an admin, then refused', async () => {
    const store = openStore();
    const accounts = new Accounts(store, () => T0);
    expect(await accounts.needsFirstAdmin()).toBe(true);
    const admin = await accounts.createFirstAdmin('root', PASSWORD);
    expect(admin).toEqual({
      username: 'root',
      username_lower: 'root',
      role: 'admin',
      created_at: T0,
      last_login_at: null,
      failed_attempts: 0,
      locked_until: null,
    });
    expect(admin).not.toHaveProperty('password_hash');
    expect(await accounts.needsFirstAdmin()).toBe(false);

    const error = await rejection(accounts.createFirstAdmin('other', PASSWORD));
    expect(error).toBeInstanceOf(UserFacingError);
    expect(error.message).toBe('An administrator already exists; log in with that account.');
    expect((await accounts.listUsers()).map((u) => u.username)).toEqual(['root']);
    await store.close();
  });

  it('is refused once any account exists, even a plain user', async () => {
    const store = openStore();
    const accounts = new Accounts(store, () => T0);
    await accounts.register('alice', PASSWORD);
    expect(await accounts.needsFirstAdmin()).toBe(false);
    await expect(accounts.createFirstAdmin('root', PASSWORD)).rejects.toThrow('An administrator already exists');
    expect(await store.countUsers()).toBe(1);
    await store.close();
  });

  it('applies the username and password rules', async () => {
    const store = openStore();
    const accounts = new Accounts(store);
    await expect(accounts.createFirstAdmin('ro', PASSWORD)).rejects.toThrow(ValidationError);
    await expect(accounts.createFirstAdmin('root', 'short')).rejects.toThrow(ValidationError);
    await expect(accounts.createFirstAdmin("a'; DROP TABLE users;--", PASSWORD)).rejects.toThrow(ValidationError);
    expect(await accounts.needsFirstAdmin()).toBe(true);
    await store.close();
  });

  // Regression: the "no account yet" check and the insert used to be separate steps with an
  // argon2 hash in between, so two concurrent first-run calls (two `storyos` processes sharing the
  // SQLite file at first start) both created an administrator.
  it('refuses the second of two concurrent first-run calls', async () => {
    const store = openStore();
    const accounts = new Accounts(store);
    const results = await Promise.allSettled([accounts.createFirstAdmin('root1', PASSWORD), accounts.createFirstAdmin('root2', PASSWORD)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await store.countUsers()).toBe(1);
    await store.close();
  });
});

describe('register', () => {
  it('creates a plain user with an argon2id hash of the password', async () => {
    const store = openStore();
    const accounts = new Accounts(store, () => T0);
    const user = await accounts.register('Alice', PASSWORD);
    expect(user).toEqual({
      username: 'Alice',
      username_lower: 'alice',
      role: 'user',
      created_at: T0,
      last_login_at: null,
      failed_attempts: 0,
      locked_until: null,
    });
    expect(user).not.toHaveProperty('password_hash');
    const stored = await record(store, 'alice');
    expect(stored.role).toBe('user');
    expect(stored.username).toBe('Alice');
    expect(stored.password_hash.startsWith('$argon2id$')).toBe(true);
    expect(stored.password_hash).not.toBe(PASSWORD);
    expect(stored.password_hash).not.toContain(PASSWORD);
    expect(await verifyPassword(stored.password_hash, PASSWORD)).toBe(true);
    expect(toPublic(stored)).toEqual(user);
    expect(await accounts.listUsers()).toEqual([user]);
    await store.close();
  });

  it('refuses a name taken in another case with a DuplicateError', async () => {
    const store = openStore();
    const accounts = new Accounts(store);
    await accounts.register('alice', PASSWORD);
    const error = await rejection(accounts.register('Alice', 'Another-Pass-1'));
    expect(error).toBeInstanceOf(DuplicateError);
    expect(error).toBeInstanceOf(UserFacingError);
    await expect(accounts.createUser('ALICE', 'Another-Pass-1', 'admin', 'admin')).rejects.toThrow(DuplicateError);
    expect(await store.countUsers()).toBe(1);
    // The first account is untouched.
    const stored = await record(store, 'alice');
    expect(stored.username).toBe('alice');
    expect(stored.role).toBe('user');
    expect(await verifyPassword(stored.password_hash, PASSWORD)).toBe(true);
    await store.close();
  });

  it('accepts usernames of 3 and 32 characters', async () => {
    const store = openStore();
    const accounts = new Accounts(store);
    await accounts.register('a.b', PASSWORD);
    await accounts.register('A_b-c.d9'.repeat(4), PASSWORD);
    expect((await accounts.listUsers()).map((u) => u.username_lower)).toEqual(['a.b', 'a_b-c.d9'.repeat(4)]);
    await store.close();
  });

  it.each(['ab', 'A'.repeat(33), 'bob smith', 'bob@home', 'zoë', ''])('refuses the username %j and stores nothing', async (name) => {
    const store = openStore();
    const accounts = new Accounts(store);
    await expect(accounts.register(name, PASSWORD)).rejects.toThrow(ValidationError);
    expect(await store.countUsers()).toBe(0);
    await store.close();
  });

  it('refuses 7- and 257-character passwords and accepts 8 and 256 (which then log in)', async () => {
    const store = openStore();
    const accounts = new Accounts(store);
    await expect(accounts.register('seven', '1234567')).rejects.toThrow('A password needs at least 8 characters.');
    await expect(accounts.register('long', 'p'.repeat(257))).rejects.toThrow('A password can be at most 256 characters.');
    expect(await store.countUsers()).toBe(0);
    await accounts.register('eight', '12345678');
    await accounts.register('maxed', 'p'.repeat(256));
    expect((await accounts.login('maxed', 'p'.repeat(256))).username).toBe('maxed');
    expect((await accounts.login('eight', '12345678')).username).toBe('eight');
    // 200 emoji are 200 characters (400 UTF-16 units): accepted, and they log in.
    await accounts.register('dragon', '\u{1f409}'.repeat(200));
    expect((await accounts.login('dragon', '\u{1f409}'.repeat(200))).username).toBe('dragon');
    await expect(accounts.register('blank', ' '.repeat(10))).rejects.toThrow('A password cannot be only spaces.');
    expect(await store.findUser('blank')).toBeNull();
    await store.close();
  });

  it.each(["a'; DROP TABLE users;--", 'alice\n[2024-01-01 00:00:00,000] [INFO] [auth] User admin logged in successfully'])(
    'refuses the injection attempt %j by validation',
    async (name) => {
      const store = openStore();
      const accounts = new Accounts(store);
      const error = await rejection(accounts.register(name, PASSWORD));
      expect(error).toBeInstanceOf(ValidationError);
      expect(await store.countUsers()).toBe(0);
      await store.close();
    },
  );
});

describe('login', () => {
  it('succeeds whatever the case of the username and records last_login_at', async () => {
    const store = openStore();
    const clock = clockAt(T0);
    const accounts = new Accounts(store, clock.now);
    await accounts.register('alice', PASSWORD);
    for (const [typed, minutes] of [
      ['alice', 1],
      ['ALICE', 2],
      ['aLiCe', 3],
    ] as const) {
      clock.set(new Date(T0.getTime() + minutes * MINUTE));
      const user = await accounts.login(typed, PASSWORD);
      expect(user).toEqual({
        username: 'alice',
        username_lower: 'alice',
        role: 'user',
        created_at: T0,
        last_login_at: clock.now(),
        failed_attempts: 0,
        locked_until: null,
      });
      expect(user).not.toHaveProperty('password_hash');
      expect((await record(store, 'alice')).last_login_at).toEqual(clock.now());
    }
    await store.close();
  });

  it('answers a wrong password and an unknown username with the same error', async () => {
    const store = openStore();
    const accounts = new Accounts(store, () => T0);
    await accounts.register('alice', PASSWORD);
    const wrong = await rejection(accounts.login('alice', WRONG));
    const unknown = await rejection(accounts.login('mallory', PASSWORD));
    for (const error of [wrong, unknown]) {
      expect(error).toBeInstanceOf(LoginError);
      expect(error.constructor).toBe(LoginError);
      expect(error.message).toBe(LOGIN_FAILED);
      expect((error as LoginError).exitCode).toBe(1);
    }
    expect(LOGIN_FAILED).toBe('Wrong username or password. After 5 failed attempts an account is locked for 15 minutes.');
    // A failure leaves last_login_at alone and counts one attempt.
    const stored = await record(store, 'alice');
    expect(stored.last_login_at).toBeNull();
    expect(stored.failed_attempts).toBe(1);
    await store.close();
  });

  it('asks for a username when none was typed, which is no login attempt', async () => {
    const store = openStore();
    const accounts = new Accounts(store, () => T0);
    await accounts.register('alice', PASSWORD);
    for (const blank of ['', '   ']) {
      const error = await rejection(accounts.login(blank, PASSWORD));
      expect([error.constructor.name, error.message, (error as ValidationError).field]).toEqual(['ValidationError', 'Type your username.', 'username']);
    }
    expect((await record(store, 'alice')).failed_attempts).toBe(0);
    await store.close();
  });

  it('locks the account after five wrong passwords, refuses even the right one, then lets it in after 15 minutes', async () => {
    expect(MAX_FAILED_LOGINS).toBe(5);
    expect(LOCKOUT_MS).toBe(15 * MINUTE);
    const store = openStore();
    const clock = clockAt(T0);
    const accounts = new Accounts(store, clock.now);
    await accounts.register('alice', PASSWORD);

    for (let attempt = 1; attempt <= 4; attempt++) {
      clock.advance(1000);
      await expectLoginFailed(accounts.login('alice', `${WRONG}${attempt}`));
      const stored = await record(store, 'alice');
      expect(stored.failed_attempts).toBe(attempt);
      expect(stored.locked_until).toBeNull();
    }
    clock.advance(1000);
    const fifthAt = clock.now();
    await expectLoginFailed(accounts.login('ALICE', WRONG));
    const locked = await record(store, 'alice');
    expect(locked.locked_until).toEqual(new Date(fifthAt.getTime() + 15 * MINUTE));

    // Locked: the right password gets exactly the same answer, and nothing extends the lock.
    clock.advance(MINUTE);
    await expectLoginFailed(accounts.login('alice', PASSWORD));
    clock.set(new Date(fifthAt.getTime() + 15 * MINUTE - 1));
    await expectLoginFailed(accounts.login('alice', WRONG));
    await expectLoginFailed(accounts.login('alice', PASSWORD));
    expect((await record(store, 'alice')).locked_until).toEqual(locked.locked_until);
    expect((await record(store, 'alice')).last_login_at).toBeNull();

    // Past the lock the right password works and the counters are reset.
    clock.set(new Date(fifthAt.getTime() + 15 * MINUTE + 1));
    const user = await accounts.login('alice', PASSWORD);
    expect(user.failed_attempts).toBe(0);
    expect(user.locked_until).toBeNull();
    const after = await record(store, 'alice');
    expect(after.failed_attempts).toBe(0);
    expect(after.locked_until).toBeNull();
    expect(after.last_login_at).toEqual(clock.now());
    await store.close();
  });

  it('starts counting afresh after a lock expires (one wrong password does not re-lock)', async () => {
    const store = openStore();
    const clock = clockAt(T0);
    const accounts = new Accounts(store, clock.now);
    await accounts.register('alice', PASSWORD);
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) await expectLoginFailed(accounts.login('alice', WRONG));
    expect((await record(store, 'alice')).locked_until).toEqual(new Date(T0.getTime() + LOCKOUT_MS));
    clock.advance(LOCKOUT_MS + 1);
    await expectLoginFailed(accounts.login('alice', WRONG));
    const stored = await record(store, 'alice');
    expect(stored.failed_attempts).toBe(1);
    expect(stored.locked_until).toBeNull();
    expect((await accounts.login('alice', PASSWORD)).username).toBe('alice');
    await store.close();
  });

  it('resets the failure count on a success', async () => {
    const store = openStore();
    const clock = clockAt(T0);
    const accounts = new Accounts(store, clock.now);
    await accounts.register('alice', PASSWORD);
    for (let i = 0; i < 4; i++) await expectLoginFailed(accounts.login('alice', WRONG));
    expect((await record(store, 'alice')).failed_attempts).toBe(4);
    await accounts.login('alice', PASSWORD);
    expect((await record(store, 'alice')).failed_attempts).toBe(0);
    // Four more wrong ones do not lock: the count started again.
    for (let i = 0; i < 4; i++) await expectLoginFailed(accounts.login('alice', WRONG));
    const stored = await record(store, 'alice');
    expect(stored.failed_attempts).toBe(4);
    expect(stored.locked_until).toBeNull();
    expect((await accounts.login('alice', PASSWORD)).failed_attempts).toBe(0);
    await store.close();
  });

  it('unlock clears the lock and the count', async () => {
    const store = openStore();
    const accounts = new Accounts(store, () => T0);
    await accounts.register('alice', PASSWORD);
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) await expectLoginFailed(accounts.login('alice', WRONG));
    expect((await record(store, 'alice')).locked_until).not.toBeNull();
    expect(await accounts.unlock('ALICE', 'root')).toBe('unlocked');
    const stored = await record(store, 'alice');
    expect(stored.locked_until).toBeNull();
    expect(stored.failed_attempts).toBe(0);
    expect((await accounts.login('alice', PASSWORD)).username).toBe('alice');
    expect(await accounts.unlock('alice', 'root')).toBe('not-locked');
    await expectLoginFailed(accounts.login('alice', WRONG));
    expect(await accounts.unlock('alice', 'root')).toBe('failures-cleared');
    expect((await record(store, 'alice')).failed_attempts).toBe(0);
    expect(await accounts.unlock('nobody', 'root')).toBe('no-such-user');
    await store.close();
  });

  it('keeps the lock in the store: a new Accounts, and a reopened store, still refuse', async () => {
    const dir = tempDir();
    const store = openStore(dir);
    const clock = clockAt(T0);
    await new Accounts(store, clock.now).register('alice', PASSWORD);
    const first = new Accounts(store, clock.now);
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) await expectLoginFailed(first.login('alice', WRONG));

    clock.advance(5 * MINUTE);
    await expectLoginFailed(new Accounts(store, clock.now).login('alice', PASSWORD));
    await store.close();

    const reopened = openStore(dir);
    const stored = await record(reopened, 'alice');
    expect(stored.locked_until).toEqual(new Date(T0.getTime() + LOCKOUT_MS));
    await expectLoginFailed(new Accounts(reopened, clock.now).login('alice', PASSWORD));
    clock.advance(LOCKOUT_MS);
    expect((await new Accounts(reopened, clock.now).login('alice', PASSWORD)).username).toBe('alice');
    await reopened.close();
  });

  // Regression (security): the failure count used to be read before the ~0.1 s argon2 verification and
  // written after it, without an atomic increment. Five wrong passwords sent concurrently all read
  // failed_attempts = 0 and all write 1, so the account is not locked (failed_attempts ends at 1,
  // locked_until null). An attacker who sends guesses in parallel batches is never locked out.
  it('locks the account after five wrong passwords sent concurrently', async () => {
    const store = openStore();
    const accounts = new Accounts(store, () => T0);
    await accounts.register('alice', PASSWORD);
    const results = await Promise.allSettled(Array.from({ length: MAX_FAILED_LOGINS }, () => accounts.login('alice', WRONG)));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect((await record(store, 'alice')).locked_until).toEqual(new Date(T0.getTime() + LOCKOUT_MS));
    await store.close();
  });
});

describe('the lockout under concurrency', () => {
  /** Counts argon2 verifications of `hash`: a refused attempt's dummy verification is not a check of the password. */
  function spyOnChecks(hash: () => string) {
    const verify = vi.spyOn(argon2, 'verify');
    return { checks: () => verify.mock.calls.filter(([h]) => h === hash()).length, restore: () => verify.mockRestore() };
  }

  // Regression (security): the lock was read before the ~0.1 s argon2 check and the failure counted
  // after it, so 19 parallel logins checked 19 passwords, and a right password sent 0.45 s after
  // the lock line logged in and cleared the lock.
  it('checks at most 5 passwords for 20 concurrent wrong logins and a right one, and refuses the right one', async () => {
    const store = openStore();
    const accounts = new Accounts(store, () => T0);
    await accounts.register('alice', PASSWORD);
    const hash = (await record(store, 'alice')).password_hash;
    const spy = spyOnChecks(() => hash);
    try {
      const attempts = [...Array.from({ length: 20 }, (_, i) => accounts.login('alice', `${WRONG}-${i}`)), accounts.login('alice', PASSWORD)];
      const results = await Promise.allSettled(attempts);
      expect(results.every((r) => r.status === 'rejected' && (r.reason as Error).message === LOGIN_FAILED)).toBe(true);
      expect(spy.checks()).toBe(MAX_FAILED_LOGINS);
      expect(await record(store, 'alice')).toMatchObject({
        failed_attempts: MAX_FAILED_LOGINS,
        locked_until: new Date(T0.getTime() + LOCKOUT_MS),
        last_login_at: null,
      });
      // Locked: the right password is refused without being checked.
      await expectLoginFailed(accounts.login('alice', PASSWORD));
      expect(spy.checks()).toBe(MAX_FAILED_LOGINS);
    } finally {
      spy.restore();
    }
  });

  it('never lets a right password whose check began before the lock clear it', async () => {
    const store = openStore();
    const accounts = new Accounts(store, () => T0);
    await accounts.register('alice', PASSWORD);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const realVerify = argon2.verify.bind(argon2);
    const verify = vi.spyOn(argon2, 'verify').mockImplementation(async (hash, password, ...rest) => {
      if (password === PASSWORD) await held;
      return realVerify(hash, password, ...rest);
    });
    try {
      // The right password is checked first, slowly; four wrong ones meanwhile reach the limit and lock.
      const right = accounts.login('alice', PASSWORD);
      for (let i = 0; i < MAX_FAILED_LOGINS - 1; i++) await expectLoginFailed(accounts.login('alice', `${WRONG}-${i}`));
      const lockedUntil = new Date(T0.getTime() + LOCKOUT_MS);
      expect((await record(store, 'alice')).locked_until).toEqual(lockedUntil);
      release();
      await expectLoginFailed(right);
      expect(await record(store, 'alice')).toMatchObject({ failed_attempts: MAX_FAILED_LOGINS, locked_until: lockedUntil, last_login_at: null });
    } finally {
      verify.mockRestore();
    }
  });

  it('lets the right password in on the fifth attempt: the lock its own attempt set is lifted', async () => {
    const store = openStore();
    const accounts = new Accounts(store, () => T0);
    await accounts.register('alice', PASSWORD);
    for (let i = 0; i < MAX_FAILED_LOGINS - 1; i++) await expectLoginFailed(accounts.login('alice', WRONG));
    expect((await accounts.login('alice', PASSWORD)).failed_attempts).toBe(0);
    expect(await record(store, 'alice')).toMatchObject({ failed_attempts: 0, locked_until: null, last_login_at: T0 });
  });
});

describe('what login writes to the log', () => {
  it('logs success at INFO, failures and the lockout at WARN, and never a password or any part of the hash', async () => {
    const logDir = tempDir();
    logInto(logDir, { STORYOS_LOG_LEVEL: 'DEBUG' });
    const store = openStore();
    const clock = clockAt(T0);
    const accounts = new Accounts(store, clock.now);
    await accounts.register('alice', PASSWORD);
    await accounts.login('Alice', PASSWORD);
    await expectLoginFailed(accounts.login('bob', PASSWORD));
    for (let i = 1; i <= MAX_FAILED_LOGINS; i++) await expectLoginFailed(accounts.login('alice', `${WRONG}-${i}`));
    await expectLoginFailed(accounts.login('alice', PASSWORD));
    await accounts.unlock('alice', 'root');
    await accounts.login('alice', PASSWORD);
    accounts.logout({ ...toPublic(await record(store, 'alice')) });

    const text = readLog(logDir);
    const lines = linesOf(text);
    for (const line of lines) expect(line).toMatch(HEADER);
    const auth = lines.filter((l) => l.includes('] [auth] '));

    const successes = auth.filter((l) => l.includes('logged in successfully'));
    expect(successes).toHaveLength(2);
    for (const line of successes) {
      expect(line).toMatch(/\] \[INFO\] \[auth\] User alice logged in successfully \(user_id: alice, duration: \d+\.\d\ds\)$/);
    }
    expect(auth.some((l) => /\[INFO\] \[auth\] User alice created \(user_id: alice, role: user, created_by: self\)$/.test(l))).toBe(true);
    expect(auth.filter((l) => l.endsWith('[WARN] [auth] Login failed (user_id: b… (3 characters), reason: unknown_user)'))).toHaveLength(1);
    // An unknown name may be a password typed in the wrong box: it is not logged whole.
    expect(text).not.toMatch(/user_id: bob\b/);
    for (let i = 1; i <= MAX_FAILED_LOGINS; i++) {
      expect(auth.filter((l) => l.includes(`[WARN] [auth] Login failed (user_id: alice, reason: wrong_password, failed_attempts: ${i})`))).toHaveLength(1);
    }
    const lockUntil = new Date(T0.getTime() + LOCKOUT_MS).toISOString();
    expect(auth.filter((l) => l.includes(`[WARN] [auth] Account locked after 5 failed logins (user_id: alice, locked_until: ${lockUntil})`))).toHaveLength(1);
    expect(auth.filter((l) => l.includes(`[WARN] [auth] Login refused: account locked (user_id: alice, locked_until: ${lockUntil})`))).toHaveLength(1);
    expect(auth.filter((l) => l.includes('[INFO] [auth] User alice unlocked (user_id: alice, unlocked_by: root, failed_attempts: 5)'))).toHaveLength(1);
    expect(auth.filter((l) => l.includes('[INFO] [auth] User alice logged out (user_id: alice)'))).toHaveLength(1);
    // Every failure is a WARN line, and nothing about authentication is louder than WARN.
    expect(auth.filter((l) => l.includes('[WARN]'))).toHaveLength(1 + MAX_FAILED_LOGINS + 2);
    expect(auth.some((l) => /\[(ERROR|FATAL)\]/.test(l))).toBe(false);

    // No password, no hash, no piece of one, anywhere in the log.
    const hash = (await record(store, 'alice')).password_hash;
    const [, , , , salt, digest] = hash.split('$');
    expect(salt && digest).toBeTruthy();
    for (const secret of [PASSWORD, WRONG, hash, salt as string, digest as string, '$argon2id$', 'storyos-timing-equaliser']) {
      expect(text).not.toContain(secret);
    }
    for (let i = 1; i <= MAX_FAILED_LOGINS; i++) expect(text).not.toContain(`${WRONG}-${i}`);
    // Not even a long fragment of the digest or the salt.
    for (const part of [salt as string, digest as string]) {
      for (let start = 0; start + 8 <= part.length; start += 4) expect(text).not.toContain(part.slice(start, start + 8));
    }
    await store.close();
  });

  it('treats injection attempts at login as failed logins: the table is intact and no line is forged', async () => {
    const logDir = tempDir();
    logInto(logDir);
    const store = openStore();
    const accounts = new Accounts(store, () => T0);
    await accounts.register('alice', PASSWORD);
    const forged = 'alice\n[2024-01-01 00:00:00,000] [INFO] [auth] User admin logged in successfully';
    const attempts = [
      "a'; DROP TABLE users;--",
      forged,
      "alice' OR '1'='1",
      'alice\r\n[2024-01-01 00:00:00,000] [INFO] [auth] User admin logged in successfully',
      "' OR 1=1 --",
    ];
    for (const name of attempts) await expectLoginFailed(accounts.login(name, PASSWORD));
    await expectLoginFailed(accounts.login(forged, "x' OR '1'='1"));

    // The users table is still there, with alice in it, and her account is untouched.
    expect(await store.countUsers()).toBe(1);
    expect((await store.counts()).users).toBe(1);
    const alice = await record(store, 'alice');
    expect(alice.failed_attempts).toBe(0);
    expect(alice.locked_until).toBeNull();

    const text = readLog(logDir);
    const lines = linesOf(text);
    for (const line of lines) expect(line).toMatch(HEADER);
    expect(lines.some((l) => l.startsWith('[2024-01-01 00:00:00,000]'))).toBe(false);
    // No line says that admin (or anyone) logged in.
    expect(lines.some((l) => /^\[[^\]]+\] \[[A-Z]+\] \[auth\] User \S+ logged in successfully/.test(l))).toBe(false);
    // The attempts are there, escaped onto one WARN line each.
    const failures = lines.filter((l) => l.includes('[WARN] [auth] Login failed'));
    expect(failures).toHaveLength(attempts.length + 1);
    // A name that breaks the username rules may be a password typed in the wrong box: not logged.
    expect(text).toContain('[WARN] [auth] Login failed (user_id: (not a valid username), reason: unknown_user)');
    expect(text).not.toContain('DROP TABLE');
    expect(failures.every((l) => l.endsWith('(user_id: (not a valid username), reason: unknown_user)'))).toBe(true);
    expect(text).not.toContain(PASSWORD);
    // And the real user can still log in.
    expect((await accounts.login('alice', PASSWORD)).username).toBe('alice');
    await store.close();
  });
});
