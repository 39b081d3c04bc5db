import { UserFacingError } from '../../config/errors.js';
import { getLogger, logUserAction } from '../../logging/logger.js';
import { NotFoundError } from '../../store/errors.js';
import { NARRATOR_PROMPT } from '../../store/seed/prompts.js';
import { renderTable } from '../../text/table.js';
import { operatorName, withStore } from '../context.js';
import { EXIT } from '../exit.js';
import { readUserFile } from '../files.js';
import { shortUtc } from '../../text/format.js';
import { printOut } from '../output.js';

/** Prompts longer than this are surely a mistake (a binary file, say). */
const MAX_PROMPT_CHARS = 20_000;

function parseVersion(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new UserFacingError(`Invalid version ${JSON.stringify(text)}: use a version number from \`storyos prompt history\`.`);
  return Number(text);
}

export function show([version]: string[]): Promise<number> {
  return withStore(async (store) => {
    const wanted = version === undefined ? undefined : parseVersion(version);
    const prompt =
      wanted === undefined
        ? await store.getActiveSystemPrompt(NARRATOR_PROMPT)
        : (await store.listSystemPrompts(NARRATOR_PROMPT)).find((p) => p.version === wanted);
    if (!prompt) throw new NotFoundError(wanted === undefined ? 'There is no active narrator prompt.' : `There is no version ${wanted}.`);
    printOut(`${prompt.content}\n`);
    return EXIT.ok;
  });
}

export function set([file]: string[]): Promise<number> {
  const content = readUserFile(file as string).trim();
  if (!content) throw new UserFacingError(`${file} is empty; the narrator needs a prompt.`);
  if (content.length > MAX_PROMPT_CHARS) throw new UserFacingError(`${file} has ${content.length} characters; a prompt can have at most ${MAX_PROMPT_CHARS}.`);
  return withStore(async (store) => {
    const by = operatorName();
    const record = await store.addSystemPrompt(NARRATOR_PROMPT, content, by, new Date());
    logUserAction(getLogger('cli'), 'prompt_set', by, { version: record.version });
    printOut(`Saved version ${record.version}; it is now active.\n`);
    return EXIT.ok;
  });
}

export function history(): Promise<number> {
  return withStore(async (store) => {
    const versions = await store.listSystemPrompts(NARRATOR_PROMPT);
    const rows = versions.map((p) => [
      `${p.active ? '*' : ' '} ${p.version}`,
      shortUtc(p.created_at),
      p.created_by,
      (p.content.split('\n')[0] ?? '').slice(0, 50),
    ]);
    printOut(`${renderTable(['version', 'created (UTC)', 'by', 'first line'], rows, 4)}\n`);
    return versions.length ? EXIT.ok : EXIT.noMatch;
  });
}

export function activate([version]: string[]): Promise<number> {
  const wanted = parseVersion(version as string);
  return withStore(async (store) => {
    if (!(await store.activateSystemPrompt(NARRATOR_PROMPT, wanted)))
      throw new NotFoundError(`There is no version ${wanted}; \`storyos prompt history\` lists them.`);
    logUserAction(getLogger('cli'), 'prompt_activate', operatorName(), { version: wanted });
    printOut(`Version ${wanted} is now active.\n`);
    return EXIT.ok;
  });
}
