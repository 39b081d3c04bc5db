import { getLogger } from '../logging/logger.js';
import { DEFAULT_NARRATOR_PROMPT, NARRATOR_PROMPT } from '../store/seed/prompts.js';
import { BUILT_IN_SCENARIOS } from '../store/seed/scenarios.js';
import type { Store } from '../store/types.js';
import { parseScenarioMarkdown } from './scenario-format.js';

export const SYSTEM_AUTHOR = 'storyos';

/**
 * First start: a brand-new store (no users, no scenarios) gets the built-in scenarios, and any
 * store without a narrator prompt gets the default one. Scenarios an admin deleted stay deleted.
 */
export async function seedStore(store: Store, now = new Date()): Promise<{ scenarios: number; prompt: boolean }> {
  let scenarios = 0;
  if ((await store.countUsers()) === 0 && (await store.listScenarios()).length === 0) {
    for (const markdown of BUILT_IN_SCENARIOS) {
      await store.saveScenario({ ...parseScenarioMarkdown(markdown), created_by: SYSTEM_AUTHOR, created_at: now, updated_at: now });
      scenarios++;
    }
  }
  let prompt = false;
  if (!(await store.getActiveSystemPrompt(NARRATOR_PROMPT)) && (await store.listSystemPrompts(NARRATOR_PROMPT)).length === 0) {
    await store.addSystemPrompt(NARRATOR_PROMPT, DEFAULT_NARRATOR_PROMPT, SYSTEM_AUTHOR, now);
    prompt = true;
  }
  if (scenarios || prompt) getLogger('app').info('Store seeded', { scenarios, default_prompt: prompt, engine: store.engine });
  return { scenarios, prompt };
}
