import type { ScenarioFields, Store } from '../store/types.js';

/**
 * Saves a scenario read from a file or an editor. Replacing one keeps its author and creation
 * date (both stores see to that); returns whether it replaced one.
 */
export async function saveScenarioFields(store: Store, fields: ScenarioFields, by: string, now = new Date()): Promise<boolean> {
  const existed = (await store.getScenario(fields.scenario_id)) !== null;
  await store.saveScenario({ ...fields, created_by: by, created_at: now, updated_at: now });
  return existed;
}
