import { describe, expect, it } from 'vitest';
import { SessionAccess } from '../../src/game/sessions.js';
import { NotFoundError } from '../../src/store/errors.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import type { PublicUser } from '../../src/store/types.js';
import { tempDir } from '../support/temp.js';
import { playTurns, session } from '../store/contract.js';

const player = (username: string): PublicUser => ({
  username,
  username_lower: username,
  role: 'user',
  created_at: new Date(),
  last_login_at: null,
  failed_attempts: 0,
  locked_until: null,
});

describe('session access', () => {
  it('shows a player only their own sessions, and answers for another’s as for a missing one', async () => {
    const store = SqliteStore.open(tempDir());
    const mine = session('alice');
    const theirs = session('bob');
    await store.createSession(mine);
    await store.createSession(theirs);
    await playTurns(store, theirs.id, 2);
    const access = new SessionAccess(store);
    expect((await access.list(player('alice'))).map((s) => s.id)).toEqual([mine.id]);
    expect((await access.open(player('alice'), mine.id)).id).toBe(mine.id);
    const other = await access.open(player('alice'), theirs.id).catch((e: unknown) => e);
    const missing = await access.open(player('alice'), 'no-such-id').catch((e: unknown) => e);
    expect(other).toBeInstanceOf(NotFoundError);
    expect((other as Error).message).toBe(`No game session ${theirs.id} of yours.`);
    expect((missing as Error).message).toBe('No game session no-such-id of yours.');
    await expect(access.remove(player('alice'), theirs.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await store.getSession(theirs.id))?.turn_count).toBe(2);
    await access.remove(player('bob'), theirs.id);
    expect(await store.getSession(theirs.id)).toBeNull();
    await store.close();
  });
});
