import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportJson, exportMarkdown } from '../../src/game/export.js';
import { SessionAccess } from '../../src/game/sessions.js';
import { NotFoundError } from '../../src/store/errors.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import type { NewMessage, PublicUser, SessionRecord } from '../../src/store/types.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';
import { headUpdate, LORE, playTurns, session, STEERING, turn, user } from '../store/contract.js';

const player = (username: string): PublicUser => ({
  username,
  username_lower: username,
  role: 'user',
  created_at: new Date(),
  last_login_at: null,
  failed_attempts: 0,
  locked_until: null,
});

/** Three turns, the second retried (a sibling) and the head moved back to the first retry. */
async function storyWithBranches(store: SqliteStore, owner = 'alice'): Promise<SessionRecord> {
  const s = session(owner);
  await store.createSession(s);
  const [, second] = await playTurns(store, s.id, 3);
  const secondAction = (await store.getMessage(second as string))?.parent_id as string;
  const retry: NewMessage = {
    ...(turn(null, 20)[1] as NewMessage),
    parent_id: secondAction,
    content: 'narration 2, retried\n# not a heading\n\u001b[31mred\u001b[0m',
  };
  await store.appendMessages(s.id, [retry], headUpdate(2));
  const interrupted: NewMessage[] = turn(retry.id, 30);
  (interrupted[1] as NewMessage).narration = {
    model: 'm',
    usage: { tokens_in: 1, tokens_out: 1 },
    ttft_ms: 1,
    duration_ms: 1,
    interrupted: true,
    finish_reason: 'cut',
  };
  await store.appendMessages(s.id, interrupted, headUpdate(3));
  return (await store.getSession(s.id)) as SessionRecord;
}

describe('exporting a session', () => {
  it('writes the current branch as a Markdown transcript, the actions quoted', async () => {
    const store = SqliteStore.open(tempDir());
    const s = await storyWithBranches(store);
    const md = await exportMarkdown(store, s);
    expect(md).toMatch(
      /^# The Lighthouse\n\n\*Played by alice · started 2024-01-15 · 3 turns · session \S+\*\n\n## Story so far\n\nstory so far, 3 turns\n\n---\n\n> \*\*You:\*\* action 1\n\nnarration 1\n\n> \*\*You:\*\* action 2\n\nnarration 2, retried\n/,
    );
    expect(md).toContain('> **You:** action 30\n\nnarration 30\n\n*(interrupted)*\n');
    expect(md).not.toContain('narration 3\n');
    expect(md).not.toContain('narration 2\n\n');
    await store.close();
  });

  it('writes the whole tree as JSON, every alternative included, and nothing secret', async () => {
    const store = SqliteStore.open(tempDir());
    await store.createUser(user('alice'));
    const s = await storyWithBranches(store);
    const data = JSON.parse(await exportJson(store, s));
    expect(data).toMatchObject({ format: 'storyos-session', version: 1, session: { id: s.id, user: 'alice', head: s.head, turn_count: 3 } });
    expect(data.messages).toHaveLength(9);
    expect(data.messages.map((m: { content: string }) => m.content)).toContain('narration 3');
    expect(data.messages.map((m: { content: string }) => m.content)).toContain('narration 2');
    const text = JSON.stringify(data);
    expect(text).not.toContain('argon2');
    expect(text).not.toContain('password');
    await store.close();
  });

  it('includes the steering of the game in the JSON: memory, note, settings and lore, and nothing else a settings object carried', async () => {
    const store = SqliteStore.open(tempDir());
    const s = await storyWithBranches(store);
    const bare = JSON.parse(await exportJson(store, s));
    for (const key of ['memory', 'note', 'settings', 'lore']) expect(key in bare.session, key).toBe(false);
    await store.updateSteering(s.id, { ...STEERING, lore: LORE });
    const steered = (await store.getSession(s.id)) as SessionRecord;
    const data = JSON.parse(await exportJson(store, steered));
    expect(data.session).toMatchObject({ memory: STEERING.memory, note: STEERING.note, settings: STEERING.settings, lore: LORE });
    const withKey = { ...steered, settings: { ...STEERING.settings, api_key: 'xai-secret' } } as SessionRecord;
    expect(await exportJson(store, withKey)).not.toContain('xai-secret');
    await store.close();
  });

  it('lets a player export only their own sessions', async () => {
    const store = SqliteStore.open(tempDir());
    const theirs = await storyWithBranches(store, 'bob');
    const access = new SessionAccess(store);
    await expect(access.export(player('alice'), theirs.id, 'json')).rejects.toBeInstanceOf(NotFoundError);
    expect(await access.export(player('bob'), theirs.id, 'md')).toContain('Played by bob');
    await store.close();
  });
});

describe('storyos sessions', () => {
  it('lists sessions, filtered by player, and exports one', async () => {
    const dir = tempDir();
    const store = SqliteStore.open(path.join(dir, 'data'));
    await store.createUser(user('alice'));
    const mine = await storyWithBranches(store, 'alice');
    await storyWithBranches(store, 'bob');
    await store.close();
    const all = runCli(['sessions', 'list'], { cwd: dir });
    expect(all.code).toBe(0);
    expect(all.stdout.trim().split('\n')).toHaveLength(4);
    const alice = JSON.parse(runCli(['sessions', 'list', '--user', 'alice', '--json'], { cwd: dir }).stdout);
    expect(runCli(['sessions', 'list', '--user', 'ALICE'], { cwd: dir }).stdout).toContain(mine.id);
    expect(alice.map((s: { id: string }) => s.id)).toEqual([mine.id]);
    expect(runCli(['sessions', 'list', '--user', 'carol'], { cwd: dir })).toMatchObject({ code: 1, stdout: 'No game sessions for carol.\n' });
    const md = runCli(['sessions', 'export', mine.id], { cwd: dir });
    expect(md.stdout).toContain('> **You:** action 30');
    expect(JSON.parse(runCli(['sessions', 'export', mine.id, '--format', 'json'], { cwd: dir }).stdout).messages).toHaveLength(9);
    const missing = runCli(['sessions', 'export', 'nope'], { cwd: dir });
    expect([missing.code, missing.stderr]).toEqual([1, 'storyos: No game session nope; `storyos sessions list` shows them.\n']);
  });
});
