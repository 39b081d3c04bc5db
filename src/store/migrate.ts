import { DuplicateError } from './errors.js';
import { NARRATOR_PROMPT } from './seed/prompts.js';
import type { Store, StoreCounts } from './types.js';

export interface MigrationProgress {
  /** Called once with the total number of records, then after each one copied. */
  start(total: number): void;
  tick(what: string): void;
  stop(): void;
}

export interface MigrationReport {
  source: StoreCounts;
  target: StoreCounts;
  copied: { users: number; scenarios: number; system_prompts: number; game_sessions: number };
  /** Collections where the target holds fewer records than the source. */
  short: Array<keyof StoreCounts>;
}

/**
 * Copies every record of `source` into `target`, keeping identities (usernames, scenario ids,
 * prompt versions, session and message ids). Records already in the target are left alone, so
 * running it again finishes an interrupted migration and changes nothing otherwise.
 */
export async function migrateStore(source: Store, target: Store, progress: MigrationProgress): Promise<MigrationReport> {
  const sourceCounts = await source.counts();
  const sessions = await source.listSessions(null);
  const users = await source.listUsers();
  const scenarios = await source.listScenarios();
  const prompts = await source.listSystemPrompts(NARRATOR_PROMPT);
  progress.start(users.length + scenarios.length + prompts.length + sessions.length);
  const copied = { users: 0, scenarios: 0, system_prompts: 0, game_sessions: 0 };

  for (const { username_lower } of users) {
    const user = await source.findUser(username_lower);
    if (user) {
      try {
        await target.createUser(user);
        copied.users++;
      } catch (error) {
        if (!(error instanceof DuplicateError)) throw error;
      }
    }
    progress.tick('users');
  }
  for (const scenario of scenarios) {
    if (!(await target.getScenario(scenario.scenario_id))) {
      await target.saveScenario(scenario);
      copied.scenarios++;
    }
    progress.tick('scenarios');
  }
  for (const prompt of prompts) {
    if (await target.importSystemPrompt(prompt)) copied.system_prompts++;
    progress.tick('system prompts');
  }
  for (const summary of sessions) {
    const session = await source.getSession(summary.id);
    if (session && (await target.importSession(session, await source.listMessages(session.id)))) copied.game_sessions++;
    progress.tick('game sessions');
  }
  progress.stop();
  const targetCounts = await target.counts();
  const short = (Object.keys(sourceCounts) as Array<keyof StoreCounts>).filter((k) => targetCounts[k] < sourceCounts[k]);
  return { source: sourceCounts, target: targetCounts, copied, short };
}
