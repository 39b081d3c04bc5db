import { describe, expect, it } from 'vitest';
import { migrateStore, type MigrationProgress } from '../../src/store/migrate.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { tempDir } from '../support/temp.js';
import { at, LORE, playTurns, STEERING, scenario, session, user } from './contract.js';

function recordingProgress() {
  const calls = { total: -1, ticks: [] as string[], stopped: false };
  const progress: MigrationProgress = { start: (total) => (calls.total = total), tick: (what) => calls.ticks.push(what), stop: () => (calls.stopped = true) };
  return { calls, progress };
}

async function populated(): Promise<SqliteStore> {
  const source = SqliteStore.open(tempDir());
  await source.createUser(user('alice', 'admin'));
  await source.createUser(user('bob'));
  await source.reserveLoginAttempt('bob', at('2024-01-15T10:00:00.000Z'), { maxFailures: 5, lockMs: 1000 });
  await source.saveScenario(scenario('one'));
  await source.saveScenario({ ...scenario('two'), world_info: LORE });
  await source.addSystemPrompt('narrator', 'v1', 'admin', at('2024-01-15T10:00:00.000Z'));
  await source.addSystemPrompt('narrator', 'v2', 'admin', at('2024-01-15T11:00:00.000Z'));
  await source.activateSystemPrompt('narrator', 1);
  for (const owner of ['alice', 'bob']) {
    const s = session(owner);
    await source.createSession(s);
    await playTurns(source, s.id, 7);
    if (owner === 'bob') await source.updateSteering(s.id, STEERING);
  }
  return source;
}

describe('migrating a store', () => {
  it('copies every record with its identity, hash, lock state and tree, and reports equal counts', async () => {
    const source = await populated();
    const target = SqliteStore.open(tempDir());
    const { calls, progress } = recordingProgress();
    const report = await migrateStore(source, target, progress);
    expect(report.short).toEqual([]);
    expect(report.target).toEqual(report.source);
    expect(report.source).toEqual({ users: 2, scenarios: 2, system_prompts: 2, game_sessions: 2, messages: 28 });
    expect(report.copied).toEqual({ users: 2, scenarios: 2, system_prompts: 2, game_sessions: 2 });
    expect(calls.total).toBe(2 + 2 + 2 + 2);
    expect(calls.ticks).toHaveLength(calls.total);
    expect(calls.stopped).toBe(true);

    expect(await target.findUser('bob')).toEqual(await source.findUser('bob'));
    expect(await target.listScenarios()).toEqual(await source.listScenarios());
    expect((await target.getScenario('two'))?.world_info).toEqual(LORE);
    expect(await target.listSystemPrompts('narrator')).toEqual(await source.listSystemPrompts('narrator'));
    expect((await target.getActiveSystemPrompt('narrator'))?.content).toBe('v1');
    for (const summary of await source.listSessions(null)) {
      expect(await target.getSession(summary.id)).toEqual(await source.getSession(summary.id));
      expect(await target.listMessages(summary.id)).toEqual(await source.listMessages(summary.id));
    }
    // The steering of bob's game: memory, note, settings and lore.
    const [bobs] = await target.listSessions('bob');
    expect(await target.getSession(bobs?.id as string)).toMatchObject(STEERING);
    await source.close();
    await target.close();
  });

  it('is idempotent: a second run copies nothing and leaves the target as it was', async () => {
    const source = await populated();
    const target = SqliteStore.open(tempDir());
    await migrateStore(source, target, recordingProgress().progress);
    const before = await target.counts();
    const again = await migrateStore(source, target, recordingProgress().progress);
    expect(again.copied).toEqual({ users: 0, scenarios: 0, system_prompts: 0, game_sessions: 0 });
    expect(await target.counts()).toEqual(before);
    await source.close();
    await target.close();
  });

  it('finishes an interrupted migration, keeping what the target already had', async () => {
    const source = await populated();
    const target = SqliteStore.open(tempDir());
    const [first] = await source.listSessions(null);
    const firstSession = await source.getSession(first?.id as string);
    await target.importSession(firstSession!, await source.listMessages(first?.id as string));
    await target.createUser(user('carol'));
    const report = await migrateStore(source, target, recordingProgress().progress);
    expect(report.copied.game_sessions).toBe(1);
    expect(report.target).toEqual({ ...report.source, users: 3 });
    expect(report.short).toEqual([]);
    await source.close();
    await target.close();
  });
});
