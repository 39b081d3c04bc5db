import argon2 from 'argon2';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Accounts, LOGIN_FAILED, MAX_FAILED_LOGINS } from '../../src/auth/accounts.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { ConflictError, DuplicateError, NotFoundError } from '../../src/store/errors.js';
import { newMessageId, newSessionId } from '../../src/store/ids.js';
import { GameEngine } from '../../src/game/engine.js';
import { OfflineLlm } from '../../src/llm/offline.js';
import {
  EMPTY_STATE,
  type HeadUpdate,
  type MessageRecord,
  type NarrationMeta,
  type NewMessage,
  type PublicUser,
  type ScenarioRecord,
  type SessionRecord,
  type SessionSteering,
  type Store,
  type StoryState,
  type UserRecord,
  type WorldInfoEntry,
} from '../../src/store/types.js';

/** Test records, with dates rounded to the millisecond as both stores keep them. */
export const at = (iso: string) => new Date(iso);

export function user(name: string, role: UserRecord['role'] = 'user'): UserRecord {
  return {
    username: name,
    username_lower: name.toLowerCase(),
    password_hash: `$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$${name}`,
    role,
    created_at: at('2024-01-15T10:00:00.000Z'),
    last_login_at: null,
    failed_attempts: 0,
    locked_until: null,
  };
}

export function scenario(id: string, name = `Scenario ${id}`): ScenarioRecord {
  return {
    scenario_id: id,
    name,
    author: 'Tester',
    version: '1.0.0',
    description: 'A test scenario.',
    setting: 'A place with \'quotes\', "double quotes", ; DROP TABLE scenarios; -- and \u001b[31mescapes\u001b[0m.',
    player_name: 'Pat',
    role: 'Hero',
    initial_location: 'Start',
    dungeon_master_behaviour: 'Be fair.',
    created_by: 'admin',
    created_at: at('2024-01-15T10:00:00.000Z'),
    updated_at: at('2024-01-15T10:00:00.000Z'),
  };
}

/** World info whose keys MongoDB could not take as field names (they are values), a regex among them. */
export const LORE: WorldInfoEntry[] = [
  { keys: ['Dr. Mara', '$ilver', 'a.b'], content: 'Mara is the keeper\'s doctor; "$ilver" is her cat.', order: 100, always: false },
  { keys: ['/gull\\s+point/i'], content: 'Gull Point: a rock, a lighthouse, fog.', order: 50, always: true },
];

/** Every steering field set. */
export const STEERING: Required<SessionSteering> = {
  memory: 'The keeper is dead. Mara lies.\nNever forget the lamp.',
  note: { text: 'Keep it tense; short paragraphs.', depth: 3 },
  settings: { model: 'grok-4-fast', temperature: 0.7, max_tokens: 600 },
  lore: [{ keys: ['the lamp', '/lamp(s)?/'], content: 'The lamp has not been lit for ten years.', order: 80, always: false }],
};

export function state(n: number): StoryState {
  return {
    world_state: `world after turn ${n}`,
    last_scene: `scene ${n}`,
    location: `place ${n % 3}`,
    synopsis: `story so far, ${n} turns`,
    characters: { Mara: `met at turn ${n}` },
    event: { title: `Turn ${n}`, description: `Something happened at turn ${n}.`, characters: ['Mara'] },
  };
}

export function session(userName: string, id = newSessionId()): SessionRecord {
  return {
    id,
    user: userName,
    scenario_id: 'lighthouse',
    scenario_name: 'The Lighthouse',
    created_at: at('2024-01-15T10:00:00.000Z'),
    updated_at: at('2024-01-15T10:00:00.000Z'),
    head: null,
    turn_count: 0,
    usage: { tokens_in: 0, tokens_out: 0 },
    state: EMPTY_STATE,
  };
}

/** A player action and its narration, the narration carrying the state after turn n. */
export function turn(parent: string | null, n: number): NewMessage[] {
  const action: NewMessage = {
    id: newMessageId(),
    parent_id: parent,
    sender: 'player',
    content: `action ${n}`,
    created_at: at(`2024-01-15T11:00:00.${String(n % 1000).padStart(3, '0')}Z`),
    narration: null,
    state: null,
  };
  const narration: NewMessage = {
    id: newMessageId(),
    parent_id: action.id,
    sender: 'StoryOS',
    content: `narration ${n}`,
    created_at: at(`2024-01-15T11:00:01.${String(n % 1000).padStart(3, '0')}Z`),
    narration: {
      model: 'grok-test',
      usage: { tokens_in: 100 + n, tokens_out: 50 + n },
      ttft_ms: 120,
      duration_ms: 900,
      interrupted: false,
      finish_reason: 'stop',
    },
    state: state(n),
  };
  return [action, narration];
}

export function headUpdate(n: number): HeadUpdate {
  return {
    turn_count: n,
    usage: { tokens_in: n * 100, tokens_out: n * 50 },
    state: state(n),
    updated_at: at(`2024-01-15T12:00:00.${String(n % 1000).padStart(3, '0')}Z`),
  };
}

/** Appends `count` turns on the current head and returns the ids of the narration messages. */
export async function playTurns(store: Store, sessionId: string, count: number, from = 1): Promise<string[]> {
  const heads: string[] = [];
  let head = (await store.getSession(sessionId))?.head ?? null;
  for (let n = from; n < from + count; n++) {
    const messages = turn(head, n);
    await store.appendMessages(sessionId, messages, headUpdate(n));
    head = (messages[1] as NewMessage).id;
    heads.push(head);
  }
  return heads;
}

/**
 * 20 wrong passwords and a right one sent at once, then the right one again: the argon2
 * verifications of the account's hash are counted (the dummy verification of a refused attempt
 * is not a check of the password). At most 5, and the right password is refused while locked.
 */
export async function lockoutRace(store: Store): Promise<void> {
  const right = 'Correct-Horse-7';
  const hash = await hashPassword(right);
  await store.createUser({ ...user('alice'), password_hash: hash });
  const verify = vi.spyOn(argon2, 'verify');
  try {
    const checks = () => verify.mock.calls.filter(([h]) => h === hash).length;
    const accounts = new Accounts(store);
    const wrong = Array.from({ length: 20 }, (_, i) => accounts.login('alice', `Wrong-Guess-${i}`));
    // The right one comes once the account is locked, while the wrong ones are still being checked.
    while ((await store.findUser('alice'))?.locked_until == null) await new Promise((resolve) => setTimeout(resolve, 1));
    const results = await Promise.allSettled([...wrong, accounts.login('alice', right)]);
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'logged in'))).toEqual(Array.from({ length: 21 }, () => LOGIN_FAILED));
    expect(checks()).toBeGreaterThan(0);
    expect(checks()).toBeLessThanOrEqual(MAX_FAILED_LOGINS);
    const locked = await store.findUser('alice');
    expect(locked).toMatchObject({ failed_attempts: MAX_FAILED_LOGINS, last_login_at: null });
    expect(locked?.locked_until?.getTime()).toBeGreaterThan(Date.now());
    await expect(accounts.login('alice', right)).rejects.toThrow(LOGIN_FAILED);
    expect(checks()).toBeLessThanOrEqual(MAX_FAILED_LOGINS);
  } finally {
    verify.mockRestore();
  }
}

/** The contract both stores must keep; `open` gives a fresh, empty store. */
export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(`${name} store contract`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('users', () => {
      it('creates, finds by lower-case name, and lists without hashes', async () => {
        await store.createUser(user('Alice', 'admin'));
        await store.createUser(user('bob'));
        expect(await store.countUsers()).toBe(2);
        expect(await store.findUser('alice')).toEqual(user('Alice', 'admin'));
        expect(await store.findUser('Alice')).toBeNull();
        const listed = await store.listUsers();
        expect(listed.map((u) => u.username)).toEqual(['Alice', 'bob']);
        expect(JSON.stringify(listed)).not.toContain('argon2');
      });

      it('refuses a name that differs only in case', async () => {
        await store.createUser(user('alice'));
        await expect(store.createUser(user('ALICE'))).rejects.toBeInstanceOf(DuplicateError);
      });

      it('reserves at most maxFailures login attempts whatever the concurrency, the last of them locking, and refuses the rest while locked', async () => {
        await store.createUser(user('alice'));
        const now = at('2024-01-15T10:00:00.000Z');
        const policy = { maxFailures: 5, lockMs: 15 * 60_000 };
        const lock = at('2024-01-15T10:15:00.000Z');
        const results = await Promise.all(Array.from({ length: 21 }, () => store.reserveLoginAttempt('alice', now, policy)));
        const granted = results.filter((r) => r?.granted);
        expect(granted.map((r) => r?.failed_attempts).sort()).toEqual([1, 2, 3, 4, 5]);
        expect(granted.filter((r) => r?.locked_until !== null)).toEqual([{ granted: true, failed_attempts: 5, locked_until: lock }]);
        expect(results.filter((r) => !r?.granted)).toEqual(Array.from({ length: 16 }, () => ({ granted: false, failed_attempts: 5, locked_until: lock })));
        expect(await store.findUser('alice')).toMatchObject({ failed_attempts: 5, locked_until: lock });
        // Still locked a second before the end: refused, and the lock is not extended.
        expect(await store.reserveLoginAttempt('alice', at('2024-01-15T10:14:59.000Z'), policy)).toEqual({
          granted: false,
          failed_attempts: 5,
          locked_until: lock,
        });
        // Past it, the count starts again.
        expect(await store.reserveLoginAttempt('alice', at('2024-01-15T10:20:00.000Z'), policy)).toEqual({
          granted: true,
          failed_attempts: 1,
          locked_until: null,
        });
        expect(await store.findUser('alice')).toMatchObject({ failed_attempts: 1, locked_until: null });
        expect(await store.reserveLoginAttempt('nobody', now, policy)).toBeNull();
      });

      it('refuses an attempt once the limit is counted even without a lock', async () => {
        await store.createUser({ ...user('alice'), failed_attempts: 5 });
        const policy = { maxFailures: 5, lockMs: 15 * 60_000 };
        expect(await store.reserveLoginAttempt('alice', at('2024-01-15T10:00:00.000Z'), policy)).toEqual({
          granted: false,
          failed_attempts: 5,
          locked_until: null,
        });
        expect(await store.findUser('alice')).toMatchObject({ failed_attempts: 5, locked_until: null });
      });

      it('completes a login only if no lock was set since its reservation', async () => {
        await store.createUser(user('alice'));
        const policy = { maxFailures: 5, lockMs: 15 * 60_000 };
        const now = at('2024-01-15T10:00:00.000Z');
        const first = await store.reserveLoginAttempt('alice', now, policy);
        expect(first).toEqual({ granted: true, failed_attempts: 1, locked_until: null });
        for (let i = 0; i < 4; i++) await store.reserveLoginAttempt('alice', now, policy);
        const lock = at('2024-01-15T10:15:00.000Z');
        // The first attempt's password was right, but four others locked the account meanwhile.
        expect(await store.completeLogin('alice', null, at('2024-01-15T10:00:01.000Z'))).toBe(false);
        expect(await store.findUser('alice')).toMatchObject({ failed_attempts: 5, locked_until: lock, last_login_at: null });
        // The attempt that set the lock itself may lift it.
        expect(await store.completeLogin('alice', lock, at('2024-01-15T10:00:02.000Z'))).toBe(true);
        expect(await store.findUser('alice')).toMatchObject({ failed_attempts: 0, locked_until: null, last_login_at: at('2024-01-15T10:00:02.000Z') });
        // No lock now (lifted by an admin, say): the login goes through.
        await store.reserveLoginAttempt('alice', now, policy);
        expect(await store.completeLogin('alice', lock, at('2024-01-15T10:00:03.000Z'))).toBe(true);
        expect(await store.completeLogin('nobody', null, now)).toBe(false);
      });

      it('lets 20 concurrent wrong logins and a right one check at most 5 passwords, refusing the right one once locked', async () => {
        await lockoutRace(store);
      });

      it('creates the first user only while there is none', async () => {
        const results = await Promise.all([store.createFirstUser(user('root1', 'admin')), store.createFirstUser(user('root2', 'admin'))]);
        expect(results.sort()).toEqual([false, true]);
        expect(await store.countUsers()).toBe(1);
        expect(await store.createFirstUser(user('root3', 'admin'))).toBe(false);
      });

      it('persists login state', async () => {
        await store.createUser(user('alice'));
        const lockedUntil = at('2024-01-15T10:15:00.000Z');
        await store.updateLoginState('alice', { failed_attempts: 3, locked_until: lockedUntil, last_login_at: at('2024-01-15T09:00:00.000Z') });
        expect(await store.findUser('alice')).toMatchObject({ failed_attempts: 3, locked_until: lockedUntil, last_login_at: at('2024-01-15T09:00:00.000Z') });
      });
    });

    describe('scenarios', () => {
      it('saves, updates in place keeping its creation, lists by name and deletes', async () => {
        await store.saveScenario(scenario('b-one', 'Beta'));
        await store.saveScenario(scenario('a-two', 'Alpha'));
        expect((await store.listScenarios()).map((s) => s.scenario_id)).toEqual(['a-two', 'b-one']);
        const updated = {
          ...scenario('b-one', 'Beta'),
          version: '1.1.0',
          created_by: 'someone else',
          created_at: at('2030-01-01T00:00:00.000Z'),
          updated_at: at('2024-02-01T00:00:00.000Z'),
        };
        await store.saveScenario(updated);
        expect(await store.getScenario('b-one')).toEqual({ ...updated, created_by: 'admin', created_at: at('2024-01-15T10:00:00.000Z') });
        expect(await store.deleteScenario('b-one')).toBe(true);
        expect(await store.deleteScenario('b-one')).toBe(false);
        expect(await store.getScenario('b-one')).toBeNull();
      });

      it('keeps its world info (keys with dots and dollars, regexes), and a save without it leaves none', async () => {
        const withLore = { ...scenario('lore'), world_info: LORE };
        await store.saveScenario(withLore);
        expect(await store.getScenario('lore')).toEqual(withLore);
        expect((await store.listScenarios())[0]).toEqual(withLore);
        const changed = { ...withLore, world_info: [{ ...(LORE[0] as WorldInfoEntry), content: 'changed' }] };
        await store.saveScenario(changed);
        expect((await store.getScenario('lore'))?.world_info).toEqual(changed.world_info);
        await store.saveScenario(scenario('lore'));
        const without = (await store.getScenario('lore')) as ScenarioRecord;
        expect(without).toEqual(scenario('lore'));
        expect('world_info' in without).toBe(false);
        // A scenario saved before world info existed has none.
        await store.saveScenario(scenario('plain'));
        expect('world_info' in ((await store.getScenario('plain')) as ScenarioRecord)).toBe(false);
        await store.saveScenario({ ...scenario('empty'), world_info: [] });
        expect((await store.getScenario('empty'))?.world_info).toEqual([]);
      });

      it('keeps text verbatim: quotes, SQL and escape sequences are inert data', async () => {
        await store.saveScenario(scenario('x'));
        expect((await store.getScenario('x'))?.setting).toBe(scenario('x').setting);
        expect(await store.listScenarios()).toHaveLength(1);
      });
    });

    describe('system prompts', () => {
      it('versions each edit, keeps one active, and re-activates older versions', async () => {
        const v1 = await store.addSystemPrompt('narrator', 'first', 'admin', at('2024-01-15T10:00:00.000Z'));
        const v2 = await store.addSystemPrompt('narrator', 'second', 'admin', at('2024-01-15T11:00:00.000Z'));
        expect([v1.version, v2.version]).toEqual([1, 2]);
        expect((await store.getActiveSystemPrompt('narrator'))?.content).toBe('second');
        expect(await store.activateSystemPrompt('narrator', 1)).toBe(true);
        expect((await store.getActiveSystemPrompt('narrator'))?.content).toBe('first');
        expect((await store.listSystemPrompts('narrator')).map((p) => [p.version, p.active])).toEqual([
          [1, true],
          [2, false],
        ]);
        expect(await store.activateSystemPrompt('narrator', 9)).toBe(false);
        expect((await store.addSystemPrompt('narrator', 'third', 'admin', at('2024-01-15T12:00:00.000Z'))).version).toBe(3);
        expect((await store.listSystemPrompts('narrator')).filter((p) => p.active).map((p) => p.version)).toEqual([3]);
      });

      it('imports a given version once', async () => {
        const prompt = { name: 'narrator', version: 4, content: 'imported', active: true, created_at: at('2024-01-15T10:00:00.000Z'), created_by: 'x' };
        expect(await store.importSystemPrompt(prompt)).toBe(true);
        expect(await store.importSystemPrompt({ ...prompt, content: 'changed' })).toBe(false);
        expect(await store.listSystemPrompts('narrator')).toEqual([prompt]);
      });
    });

    describe('sessions and the message tree', () => {
      it('appends turns, moving the head, the counters and the state together', async () => {
        const s = session('alice');
        await store.createSession(s);
        const heads = await playTurns(store, s.id, 3);
        const saved = await store.getSession(s.id);
        expect(saved).toMatchObject({ head: heads[2], turn_count: 3, usage: { tokens_in: 300, tokens_out: 150 }, state: state(3) });
        const branch = await store.getBranch(s.id, heads[2] as string, 100);
        expect(branch.map((m) => m.content)).toEqual(['action 1', 'narration 1', 'action 2', 'narration 2', 'action 3', 'narration 3']);
        expect(branch[5]).toMatchObject({
          sender: 'StoryOS',
          narration: {
            model: 'grok-test',
            usage: { tokens_in: 103, tokens_out: 53 },
            ttft_ms: 120,
            duration_ms: 900,
            interrupted: false,
            finish_reason: 'stop',
          },
          state: state(3),
        });
        expect(branch[4]).toMatchObject({ sender: 'player', narration: null, state: null, parent_id: heads[1] });
      });

      it('returns only the last messages of the branch, oldest first', async () => {
        const s = session('alice');
        await store.createSession(s);
        const heads = await playTurns(store, s.id, 15);
        const last = await store.getBranch(s.id, heads[14] as string, 20);
        expect(last.map((m) => m.content)).toEqual(Array.from({ length: 10 }, (_, i) => [`action ${i + 6}`, `narration ${i + 6}`]).flat());
        expect((await store.getBranch(s.id, heads[14] as string, 1)).map((m) => m.content)).toEqual(['narration 15']);
        expect(await store.getBranch('other-session', heads[14] as string, 5)).toEqual([]);
      });

      it('keeps every alternative: retry adds a sibling, undo moves the head back with its state', async () => {
        const s = session('alice');
        await store.createSession(s);
        const [first, second] = await playTurns(store, s.id, 2);
        const secondMessage = await store.getMessage(second as string);
        const retry: NewMessage = { ...(turn(null, 22)[1] as NewMessage), parent_id: secondMessage?.parent_id ?? null, content: 'narration 2, retried' };
        await store.appendMessages(s.id, [retry], headUpdate(22));
        const siblings = await store.getChildren(s.id, secondMessage?.parent_id ?? null);
        expect(siblings.map((m) => m.content)).toEqual(['narration 2', 'narration 2, retried']);
        await store.setHead(s.id, first as string, headUpdate(1));
        expect(await store.getSession(s.id)).toMatchObject({ head: first, turn_count: 1, state: state(1) });
        expect((await store.listMessages(s.id)).length).toBe(5);
        expect((await store.getChildren(s.id, null)).map((m) => m.content)).toEqual(['action 1']);
      });

      it('refuses to move a head that moved since it was read, saving nothing', async () => {
        const s = session('alice');
        await store.createSession(s);
        const [first] = await playTurns(store, s.id, 1);
        const before = await store.counts();
        const late = turn(null, 9);
        await expect(store.appendMessages(s.id, late, headUpdate(9), null)).rejects.toBeInstanceOf(ConflictError);
        expect((await store.getSession(s.id))?.head).toBe(first);
        expect(await store.counts()).toEqual(before);
        await store.appendMessages(s.id, turn(first as string, 2), headUpdate(2), first);
        expect((await store.getSession(s.id))?.turn_count).toBe(2);
      });

      it('keeps messages in the order they were appended: a turn shares one created_at, and a clock may step back', async () => {
        const s = session('alice');
        await store.createSession(s);
        const when = at('2024-01-15T11:00:00.000Z');
        // Ids in reverse alphabetical order and one created_at: only the order of appending tells.
        const message = (id: string, parent: string | null, sender: NewMessage['sender'], created_at = when): NewMessage => ({
          ...(turn(parent, 1)[sender === 'player' ? 0 : 1] as NewMessage),
          id,
          parent_id: parent,
          content: id,
          created_at,
        });
        await store.appendMessages(s.id, [message('m9', null, 'player'), message('m8', 'm9', 'StoryOS')], headUpdate(1));
        await store.appendMessages(s.id, [message('m7', 'm8', 'player'), message('m6', 'm7', 'StoryOS')], headUpdate(2));
        await store.appendMessages(s.id, [message('m5', 'm7', 'StoryOS')], headUpdate(2));
        await store.appendMessages(s.id, [message('m4', 'm7', 'StoryOS', at('2024-01-15T10:59:59.000Z'))], headUpdate(2));
        const contents = (messages: Array<{ content: string }>) => messages.map((m) => m.content);
        expect(contents(await store.listMessages(s.id))).toEqual(['m9', 'm8', 'm7', 'm6', 'm5', 'm4']);
        expect(contents(await store.getChildren(s.id, 'm7'))).toEqual(['m6', 'm5', 'm4']);
        expect(contents(await store.getChildren(s.id, null))).toEqual(['m9']);
        expect(contents(await store.getBranch(s.id, 'm4', 100))).toEqual(['m9', 'm8', 'm7', 'm4']);
        expect(contents(await store.getBranch(s.id, 'm5', 3))).toEqual(['m8', 'm7', 'm5']);

        // A migrated session keeps the order, and what is appended after it comes after it.
        const saved = (await store.getSession(s.id)) as SessionRecord;
        const messages = await store.listMessages(s.id);
        await store.deleteSession(s.id);
        await store.importSession(saved, messages);
        await store.appendMessages(s.id, [message('m3', 'm4', 'player'), message('m2', 'm3', 'StoryOS')], headUpdate(3));
        expect(contents(await store.listMessages(s.id))).toEqual(['m9', 'm8', 'm7', 'm6', 'm5', 'm4', 'm3', 'm2']);
      });

      it('reads a whole long branch, and its last messages, in order', async () => {
        const s = session('alice');
        await store.createSession(s);
        const heads = await playTurns(store, s.id, 150);
        const whole = await store.getBranch(s.id, heads[149] as string, 1_000_000_000);
        expect(whole).toHaveLength(300);
        expect(whole.map((m) => m.content)).toEqual(Array.from({ length: 150 }, (_, i) => [`action ${i + 1}`, `narration ${i + 1}`]).flat());
        expect((await store.getBranch(s.id, heads[149] as string, 101)).map((m) => m.content)[0]).toBe('narration 100');
        expect((await store.getBranch(s.id, heads[149] as string, 64)).map((m) => m.content)[0]).toBe('action 119');
      });

      it('keeps character names that MongoDB could not take as field names', async () => {
        const s = session('alice');
        await store.createSession({ ...s, state: { ...state(0), characters: { 'Dr. Mara': 'a doctor', $ilver: 'a thief', 'a.b.c': 'dots' } } });
        const [action, narration] = turn(null, 1);
        const characters = { 'Dr. Mara': 'met again', $ilver: 'gone', 'St. John': 'new' };
        await store.appendMessages(s.id, [action as NewMessage, { ...(narration as NewMessage), state: { ...state(1), characters } }], {
          ...headUpdate(1),
          state: { ...state(1), characters },
        });
        expect((await store.getSession(s.id))?.state.characters).toEqual(characters);
        expect((await store.getMessage((narration as NewMessage).id))?.state?.characters).toEqual(characters);
        await store.updateMessageState(s.id, (narration as NewMessage).id, { ...state(2), characters: { 'Mrs. $mith': 'updated' } });
        expect((await store.getSession(s.id))?.state.characters).toEqual({ 'Mrs. $mith': 'updated' });
        expect((await store.listMessages(s.id))[1]?.state?.characters).toEqual({ 'Mrs. $mith': 'updated' });
      });

      it('refuses a head that is not a message of the session', async () => {
        const a = session('alice');
        const b = session('bob');
        await store.createSession(a);
        await store.createSession(b);
        const [headB] = await playTurns(store, b.id, 1);
        await expect(store.setHead(a.id, headB as string, headUpdate(1))).rejects.toBeInstanceOf(NotFoundError);
        await expect(store.setHead(a.id, 'missing', headUpdate(1))).rejects.toBeInstanceOf(NotFoundError);
        expect((await store.getSession(a.id))?.head).toBeNull();
      });

      it('updates a message’s state, and the session’s only when it is the head', async () => {
        const s = session('alice');
        await store.createSession(s);
        const [first, second] = await playTurns(store, s.id, 2);
        await store.updateMessageState(s.id, second as string, state(99));
        expect((await store.getMessage(second as string))?.state).toEqual(state(99));
        expect((await store.getSession(s.id))?.state).toEqual(state(99));
        await store.updateMessageState(s.id, first as string, state(77));
        expect((await store.getMessage(first as string))?.state).toEqual(state(77));
        expect((await store.getSession(s.id))?.state).toEqual(state(99));
      });

      it('lists a player’s sessions only, newest first, with the last scene', async () => {
        const a1 = session('alice');
        const a2 = session('alice');
        const b = session('bob');
        for (const s of [a1, a2, b]) await store.createSession(s);
        await playTurns(store, a1.id, 2);
        await playTurns(store, b.id, 1);
        const alice = await store.listSessions('alice');
        expect(alice.map((s) => s.id)).toEqual([a1.id, a2.id]);
        expect(alice[0]).toMatchObject({ user: 'alice', turn_count: 2, last_scene: 'scene 2', scenario_name: 'The Lighthouse' });
        expect((await store.listSessions('bob')).map((s) => s.id)).toEqual([b.id]);
        expect(await store.listSessions('carol')).toEqual([]);
        expect((await store.listSessions(null)).length).toBe(3);
      });

      it('deletes a session with its messages', async () => {
        const s = session('alice');
        await store.createSession(s);
        const [head] = await playTurns(store, s.id, 2);
        expect(await store.deleteSession(s.id)).toBe(true);
        expect(await store.getSession(s.id)).toBeNull();
        expect(await store.getMessage(head as string)).toBeNull();
        expect((await store.counts()).messages).toBe(0);
      });

      it('imports a session with its tree exactly once', async () => {
        const s = session('alice');
        await store.createSession(s);
        await playTurns(store, s.id, 2);
        const saved = (await store.getSession(s.id)) as SessionRecord;
        const messages = await store.listMessages(s.id);
        await store.deleteSession(s.id);
        expect(await store.importSession(saved, messages)).toBe(true);
        expect(await store.importSession(saved, messages)).toBe(false);
        expect(await store.getSession(s.id)).toEqual(saved);
        expect(await store.listMessages(s.id)).toEqual(messages);
      });

      it('remembers the child shown at branch points with the head, in one write, and keeps them until a write gives others', async () => {
        const s = session('alice');
        await store.createSession(s);
        const [first, second] = await playTurns(store, s.id, 2);
        const choices = [
          { parent: null, child: 'opening-b' },
          { parent: first as string, child: 'a.b$c' },
        ];
        await store.setHead(s.id, first as string, { ...headUpdate(1), choices });
        expect(await store.getSession(s.id)).toMatchObject({ head: first, turn_count: 1, choices });
        // A write without choices leaves them; an empty list clears them (and a session without any has none).
        await store.setHead(s.id, second as string, headUpdate(2));
        expect((await store.getSession(s.id))?.choices).toEqual(choices);
        const [action, narration] = turn(second as string, 3) as [NewMessage, NewMessage];
        await store.appendMessages(s.id, [action, narration], { ...headUpdate(3), choices: [{ parent: second as string, child: action.id }] }, second);
        expect((await store.getSession(s.id))?.choices).toEqual([{ parent: second, child: action.id }]);
        await store.setHead(s.id, first as string, { ...headUpdate(1), choices: [] });
        const cleared = (await store.getSession(s.id)) as SessionRecord;
        expect(cleared.choices).toBeUndefined();
        expect('choices' in cleared).toBe(false);
        // They travel with a migrated session.
        await store.setHead(s.id, second as string, { ...headUpdate(2), choices });
        const saved = (await store.getSession(s.id)) as SessionRecord;
        const messages = await store.listMessages(s.id);
        await store.deleteSession(s.id);
        await store.importSession(saved, messages);
        expect((await store.getSession(s.id))?.choices).toEqual(choices);
      });

      it('writes steering only over the values it read, when told them (two windows)', async () => {
        const s = session('alice');
        await store.createSession(s);
        // Never set: written over "never set", and then not again over it.
        expect(await store.updateSteering(s.id, { lore: LORE }, { lore: undefined })).toBe(true);
        expect(await store.updateSteering(s.id, { lore: [] }, {})).toBe(false);
        expect((await store.getSession(s.id))?.lore).toEqual(LORE);
        // Over what it read back, whole: an object field as stored, and a text.
        const read = (await store.getSession(s.id)) as SessionRecord;
        expect(await store.updateSteering(s.id, { lore: [...LORE, ...STEERING.lore], note: STEERING.note }, { lore: read.lore, note: read.note })).toBe(true);
        expect(await store.updateSteering(s.id, { lore: [] }, { lore: read.lore })).toBe(false);
        expect(await store.updateSteering(s.id, { memory: 'a' }, { memory: undefined })).toBe(true);
        expect(await store.updateSteering(s.id, { memory: 'b' }, { memory: 'a' })).toBe(true);
        expect(await store.updateSteering(s.id, { memory: 'c' }, { memory: 'a' })).toBe(false);
        expect(await store.getSession(s.id)).toMatchObject({ memory: 'b', lore: [...LORE, ...STEERING.lore], note: STEERING.note });
        await expect(store.updateSteering('missing', { memory: 'x' }, {})).rejects.toBeInstanceOf(NotFoundError);
      });

      it('keeps the steering fields: absent until set, set one at a time leaving the others, untouched by turns, and migrated', async () => {
        const s = session('alice');
        await store.createSession(s);
        const fresh = (await store.getSession(s.id)) as SessionRecord;
        for (const key of ['memory', 'note', 'settings', 'lore']) expect(key in fresh, key).toBe(false);
        expect(fresh).toEqual(s);

        await store.updateSteering(s.id, { memory: STEERING.memory });
        expect(await store.getSession(s.id)).toEqual({ ...s, memory: STEERING.memory });
        await store.updateSteering(s.id, { note: STEERING.note, settings: STEERING.settings });
        expect(await store.getSession(s.id)).toEqual({ ...s, memory: STEERING.memory, note: STEERING.note, settings: STEERING.settings });
        await store.updateSteering(s.id, { lore: [...LORE, ...STEERING.lore], memory: undefined });
        expect(await store.getSession(s.id)).toEqual({ ...s, ...STEERING, lore: [...LORE, ...STEERING.lore] });
        // A partial update replaces the fields given, whole, and nothing else.
        await store.updateSteering(s.id, { settings: { temperature: 1.1 }, lore: STEERING.lore });
        expect(await store.getSession(s.id)).toEqual({ ...s, ...STEERING, settings: { temperature: 1.1 } });
        await store.updateSteering(s.id, {});
        // Turns and moves of the head leave them; the head's write leaves updated_at to the turn.
        const [first] = await playTurns(store, s.id, 2);
        await store.setHead(s.id, first as string, headUpdate(1));
        expect(await store.getSession(s.id)).toMatchObject({ ...STEERING, settings: { temperature: 1.1 }, head: first, turn_count: 1 });
        await store.updateSteering(s.id, { memory: '', lore: [] });
        const cleared = (await store.getSession(s.id)) as SessionRecord;
        expect(cleared).toMatchObject({ memory: '', lore: [], note: STEERING.note });
        expect(cleared.updated_at).toEqual(headUpdate(1).updated_at);
        await expect(store.updateSteering('missing', { memory: 'x' })).rejects.toBeInstanceOf(NotFoundError);
        await expect(store.updateSteering('missing', {})).rejects.toBeInstanceOf(NotFoundError);

        // A session made with them keeps them; they travel with a migrated session.
        const made = { ...session('bob'), ...STEERING, lore: LORE };
        await store.createSession(made);
        expect(await store.getSession(made.id)).toEqual(made);
        await store.updateSteering(s.id, { memory: STEERING.memory, lore: LORE });
        const saved = (await store.getSession(s.id)) as SessionRecord;
        const messages = await store.listMessages(s.id);
        await store.deleteSession(s.id);
        await store.importSession(saved, messages);
        expect(await store.getSession(s.id)).toEqual(saved);
      });

      it('moves the head only from the head expected, changing nothing otherwise', async () => {
        const s = session('alice');
        await store.createSession(s);
        const [first, second] = await playTurns(store, s.id, 2);
        await expect(store.setHead(s.id, first as string, { ...headUpdate(1), choices: [{ parent: null, child: 'x' }] }, first)).rejects.toBeInstanceOf(
          ConflictError,
        );
        expect(await store.getSession(s.id)).toMatchObject({ head: second, turn_count: 2 });
        expect((await store.getSession(s.id))?.choices).toBeUndefined();
        await store.setHead(s.id, first as string, headUpdate(1), second);
        expect((await store.getSession(s.id))?.head).toBe(first);
      });

      it('keeps which narration an edit was made from', async () => {
        const s = session('alice');
        await store.createSession(s);
        const [first] = await playTurns(store, s.id, 1);
        const original = (await store.getMessage(first as string)) as MessageRecord;
        const edit: NewMessage = {
          ...(turn(null, 1)[1] as NewMessage),
          parent_id: original.parent_id,
          content: 'The fog, as the player wrote it.',
          narration: {
            ...(original.narration as NarrationMeta),
            usage: { tokens_in: 0, tokens_out: 0 },
            ttft_ms: null,
            duration_ms: 0,
            edited_from: original.id,
          },
        };
        await store.appendMessages(s.id, [edit], headUpdate(1), first);
        expect((await store.getMessage(edit.id))?.narration?.edited_from).toBe(original.id);
        expect((await store.getMessage(original.id))?.narration?.edited_from).toBeUndefined();
        const listed = await store.listMessages(s.id);
        expect(listed.map((m) => m.narration?.edited_from ?? null)).toEqual([null, null, original.id]);
        expect((await store.getBranch(s.id, edit.id, 10)).map((m) => m.content)).toEqual(['action 1', 'The fog, as the player wrote it.']);
      });

      it('gives the children of several messages in the one order they were appended', async () => {
        const s = session('alice');
        await store.createSession(s);
        const when = at('2024-01-15T11:00:00.000Z');
        const message = (id: string, parent: string | null, sender: NewMessage['sender']): NewMessage => ({
          ...(turn(parent, 1)[sender === 'player' ? 0 : 1] as NewMessage),
          id,
          parent_id: parent,
          content: id,
          created_at: when,
        });
        await store.appendMessages(s.id, [message('z-open', null, 'StoryOS')], headUpdate(0));
        await store.appendMessages(s.id, [message('y-act', 'z-open', 'player'), message('x-told', 'y-act', 'StoryOS')], headUpdate(1));
        await store.appendMessages(s.id, [message('w-open2', null, 'StoryOS')], headUpdate(0));
        await store.appendMessages(s.id, [message('v-cont', 'z-open', 'StoryOS')], headUpdate(1));
        await store.appendMessages(s.id, [message('u-retold', 'y-act', 'StoryOS')], headUpdate(1));
        await store.appendMessages(s.id, [message('t-other', 'w-open2', 'player')], headUpdate(1));
        const contents = (messages: Array<{ content: string }>) => messages.map((m) => m.content);
        expect(contents(await store.getChildrenOf(s.id, ['z-open', 'y-act']))).toEqual(['y-act', 'x-told', 'v-cont', 'u-retold']);
        expect(contents(await store.getChildrenOf(s.id, [null, 'y-act']))).toEqual(['z-open', 'x-told', 'w-open2', 'u-retold']);
        expect(contents(await store.getChildrenOf(s.id, ['w-open2']))).toEqual(['t-other']);
        expect(await store.getChildrenOf(s.id, [])).toEqual([]);
        expect(await store.getChildrenOf('other-session', ['z-open'])).toEqual([]);
      });

      it('counts every collection', async () => {
        await store.createUser(user('alice'));
        await store.saveScenario(scenario('x'));
        await store.addSystemPrompt('narrator', 'p', 'admin', at('2024-01-15T10:00:00.000Z'));
        const s = session('alice');
        await store.createSession(s);
        await playTurns(store, s.id, 3);
        expect(await store.counts()).toEqual({ users: 1, scenarios: 1, system_prompts: 1, game_sessions: 1, messages: 6 });
      });
    });

    describe('the story tree, through the engine', () => {
      it('swipe, redo, edit and jump leave the right head, state, turn count and tree', async () => {
        await store.saveScenario(scenario('tree-test', 'Tree Test'));
        const alice = { ...user('alice') } as unknown as PublicUser;
        const game = new GameEngine({ store, llm: new OfflineLlm(0), narratorModel: 'offline', summaryModel: 'offline', storeRetryMs: [] });
        const { session } = await game.newSession(alice, 'tree-test');
        const id = session.id;
        const head = async () => (await store.getSession(id)) as SessionRecord;
        const first = await game.takeTurn(alice, id, 'I climb the stairs.');
        await game.settled(id);
        await game.retry(alice, id);
        await game.settled(id);
        const third = await game.retry(alice, id);
        await game.settled(id);
        expect(third.telling).toEqual({ index: 3, count: 3 });
        // Back to the first telling: head, state and turn count follow it.
        const swiped = await game.swipe(alice, id, 1);
        expect([swiped.head.id, (await head()).head, (await head()).turn_count]).toEqual([first.message.id, first.message.id, 1]);
        expect((await head()).state).toEqual((await store.getMessage(first.message.id))?.state);
        const later = await game.takeTurn(alice, id, 'I ring the bell.');
        await game.settled(id);
        expect((await head()).turn_count).toBe(2);
        // The tree: one branch point, turn 1, three alternatives, the first shown.
        const points = await game.tree(alice, id);
        expect(points.map((p) => [p.turn, p.alternatives.map((a) => a.shown)])).toEqual([[1, [true, false, false]]]);
        const second = points[0]?.alternatives[1]?.id as string;
        const jumped = await game.jump(alice, id, second);
        expect([jumped.head.id, (await head()).turn_count]).toEqual([second, 1]);
        const edited = await game.editNarration(alice, id, 'The second telling, as I tell it.');
        await game.settled(id);
        expect(edited.telling).toEqual({ index: 4, count: 4 });
        expect((await store.getMessage(edited.head.id))?.narration?.edited_from).toBe(second);
        expect((await store.getMessage(second))?.content).not.toBe('The second telling, as I tell it.');
        const undone = await game.undo(alice, id);
        expect([undone.undoneAction, (await head()).turn_count]).toEqual(['I climb the stairs.', 0]);
        // Redo goes forward along the telling last shown: the edited one, not the latest turn.
        const redone = await game.redo(alice, id);
        expect([redone.head.id, (await head()).head, (await head()).turn_count]).toEqual([edited.head.id, edited.head.id, 1]);
        // The line through the first telling is still there, and a jump goes to its end.
        const back = await game.jump(alice, id, first.message.id);
        expect([back.head.id, (await head()).turn_count]).toEqual([later.message.id, 2]);
        expect(await store.listMessages(id)).toHaveLength(8);
      });
    });
  });
}
