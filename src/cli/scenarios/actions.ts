import { UserFacingError } from '../../config/errors.js';
import { scenarioToJson, scenarioToMarkdown } from '../../game/scenario-format.js';
import { saveScenarioFields } from '../../game/scenarios.js';
import { getLogger, logUserAction } from '../../logging/logger.js';
import { NotFoundError } from '../../store/errors.js';
import type { ScenarioRecord, Store } from '../../store/types.js';
import { renderTable } from '../../text/table.js';
import { operatorName, withStore } from '../context.js';
import { EXIT } from '../exit.js';
import { writeUserFile } from '../files.js';
import { printJson, printOut } from '../output.js';
import { readScenarioFile } from './read.js';

async function mustGet(store: Store, id: string): Promise<ScenarioRecord> {
  const scenario = await store.getScenario(id);
  if (!scenario) throw new NotFoundError(`No scenario ${JSON.stringify(id)}; \`storyos scenarios list\` shows them.`);
  return scenario;
}

const render = (s: ScenarioRecord, format: string) => (format === 'json' ? scenarioToJson(s) : scenarioToMarkdown(s));

export function list(_args: string[], options: { json?: boolean }): Promise<number> {
  return withStore(async (store) => {
    const scenarios = await store.listScenarios();
    if (options.json) printJson(scenarios);
    else
      printOut(
        `${renderTable(
          ['id', 'name', 'version', 'author'],
          scenarios.map((s) => [s.scenario_id, s.name, s.version, s.author]),
          4,
        )}\n`,
      );
    return scenarios.length ? EXIT.ok : EXIT.noMatch;
  });
}

export function show([id]: string[], options: { format: string }): Promise<number> {
  return withStore(async (store) => {
    printOut(render(await mustGet(store, id as string), options.format));
    return EXIT.ok;
  });
}

export function importFile([file]: string[]): Promise<number> {
  const { fields, format } = readScenarioFile(file as string);
  return withStore(async (store) => {
    const by = operatorName();
    const existing = await saveScenarioFields(store, fields, by);
    const worldInfo = fields.world_info?.length ?? 0;
    logUserAction(getLogger('cli'), existing ? 'scenario_update' : 'scenario_import', by, {
      scenario_id: fields.scenario_id,
      version: fields.version,
      format,
      world_info: worldInfo,
    });
    const card = format.startsWith('card') ? ', from a character card' : '';
    const lore = worldInfo ? `, ${worldInfo} world info ${worldInfo === 1 ? 'entry' : 'entries'}` : '';
    printOut(`${existing ? 'Updated' : 'Imported'} ${fields.scenario_id} (${fields.name} ${fields.version}${card}${lore}).\n`);
    return EXIT.ok;
  });
}

export function exportOne([id]: string[], options: { format: string; output?: string; force?: boolean }): Promise<number> {
  return withStore(async (store) => {
    const text = render(await mustGet(store, id as string), options.format);
    if (options.output) {
      writeUserFile(options.output, text, { replace: options.force === true, howToReplace: 'add --force to replace it' });
      printOut(`Wrote ${options.output}.\n`);
    } else {
      printOut(text);
    }
    return EXIT.ok;
  });
}

export function remove([id]: string[], options: { yes?: boolean }): Promise<number> {
  if (!options.yes) throw new UserFacingError(`Deleting ${id} cannot be undone: add --yes to confirm.`);
  return withStore(async (store) => {
    await mustGet(store, id as string);
    await store.deleteScenario(id as string);
    logUserAction(getLogger('cli'), 'scenario_delete', operatorName(), { scenario_id: id });
    printOut(`Deleted ${id}.\n`);
    return EXIT.ok;
  });
}
