import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Accounts } from '../../auth/accounts.js';
import { secretValues, type Config } from '../../config/env.js';
import { UserFacingError } from '../../config/errors.js';
import type { GameEngine } from '../../game/engine.js';
import { parseScenario, sameScenarioFields, scenarioToMarkdown } from '../../game/scenario-format.js';
import { saveScenarioFields } from '../../game/scenarios.js';
import { seedStore } from '../../game/seed.js';
import { SessionAccess } from '../../game/sessions.js';
import { createLlm } from '../../llm/create.js';
import { sanitizeRecord } from '../../llm/sanitize.js';
import { getLogger, logIfRefused, logUserAction } from '../../logging/logger.js';
import { NARRATOR_PROMPT } from '../../store/seed/prompts.js';
import type { PublicUser, ScenarioFields, Store } from '../../store/types.js';
import { CLEAR_SCREEN } from '../../tui/clear-screen.js';
import type { AppServices } from '../../tui/services.js';
import { loadConfig, onExitClose } from '../context.js';
import { EXIT, EXIT_BY_SIGNAL, onExit } from '../exit.js';
import { readScenarioFile } from '../scenarios/read.js';
import { createEngine } from './engine.js';
import { expandHome } from '../files.js';
import type { PlayOptions } from './index.js';
import { saveExport } from './save-export.js';

const log = getLogger('tui');

function requireAdmin(user: PublicUser): void {
  if (user.role !== 'admin') throw new UserFacingError('Only an admin can do that.', 1);
}

/**
 * Opens the scenario as Markdown in $VISUAL or $EDITOR (vi by default); the editor has the
 * terminal meanwhile. The file is a draft in `draftsDir` (the data folder's `drafts`), one per
 * scenario and admin: an edit that fails (the editor exits non-zero, or what it saved does not
 * parse) is kept there and opened again, as it was, on the next edit of that scenario; it is
 * never replaced by a fresh copy. An edit that changes nothing saves nothing and says so.
 */
async function editInEditor(store: Store, id: string, by: PublicUser, draftsDir: string): Promise<string> {
  requireAdmin(by);
  const scenario = await store.getScenario(id);
  if (!scenario) throw new UserFacingError(`No scenario ${JSON.stringify(id)}.`, 1);
  const fresh = scenarioToMarkdown(scenario);
  const file = path.join(draftsDir, `scenario-${id}-${by.username}.md`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(draftsDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, fresh, { mode: 0o600 });
  }
  const editor = process.env.VISUAL || process.env.EDITOR || 'vi';
  const result = spawnSync(`${editor} ${JSON.stringify(file)}`, { shell: true, stdio: 'inherit' });
  process.stdout.write(CLEAR_SCREEN);
  const edited = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : fresh;
  const drop = () => fs.rmSync(file, { force: true });
  const kept = `Your edit is kept in ${file}, and x opens it again.`;
  if (result.status !== 0) {
    if (edited === fresh) {
      drop();
      throw new UserFacingError(`The editor (${editor}) did not finish cleanly; nothing was changed.`, 1);
    }
    throw new UserFacingError(`The editor (${editor}) did not finish cleanly; nothing was saved. ${kept}`, 1);
  }
  let fields: ScenarioFields;
  try {
    fields = parseScenario(edited, file);
  } catch (error) {
    throw new UserFacingError(`${(error as Error).message} ${kept}`, 1);
  }
  // The Markdown has no id: it comes from the name, so a scenario whose id is not its name's keeps it while its name stays.
  if (fields.name === scenario.name) fields = { ...fields, scenario_id: id };
  drop();
  if (sameScenarioFields(fields, scenario)) return 'No change.';
  await saveScenarioFields(store, fields, by.username);
  logUserAction(log, 'scenario_edit', by.username, { scenario_id: fields.scenario_id, version: fields.version });
  return fields.scenario_id === id ? `Saved ${fields.name} ${fields.version}.` : `Saved as a new scenario, ${fields.scenario_id} (the name changed).`;
}

/** The editor the player chose ($VISUAL, then $EDITOR), or null. */
const chosenEditor = (): string | null => process.env.VISUAL || process.env.EDITOR || null;

/**
 * Opens a text (a narration or an action, for /edit) in the player's editor, which has the
 * terminal meanwhile, in a file of its own that only they can read, removed afterwards. The text
 * saved comes back without the line break editors end a file with; null when the editor did not
 * finish cleanly (nothing is then changed).
 */
async function editTextInEditor(initial: string): Promise<string | null> {
  const editor = chosenEditor() ?? 'vi';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storyos-edit-'));
  const file = path.join(dir, 'edit.md');
  try {
    fs.writeFileSync(file, `${initial}\n`, { mode: 0o600 });
    // The game screen clears the terminal and prints the story again once the editor is done.
    const result = spawnSync(`${editor} ${JSON.stringify(file)}`, { shell: true, stdio: 'inherit' });
    if (result.status !== 0) return null;
    return fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The TUI's services over the real store and narrator. */
export function buildServices(config: Config, store: Store, engine: GameEngine): AppServices {
  const access = new SessionAccess(store);
  return {
    config,
    storage: store.engine,
    accounts: new Accounts(store),
    engine,
    usernameTaken: async (username) => (await store.findUser(username.toLowerCase())) !== null,
    // Lists show what imports and the model wrote: made safe on the way to the screen.
    listScenarios: async () => (await store.listScenarios()).map(sanitizeRecord),
    listSessions: async (user) => (await access.list(user)).map(sanitizeRecord),
    importScenario: (file, by) =>
      logIfRefused(log, 'scenario_import', by.username, async () => {
        requireAdmin(by);
        // Markdown, JSON or a character card (JSON or PNG): read as bytes, as `storyos scenarios import` does.
        const { fields, format } = readScenarioFile(expandHome(file));
        await saveScenarioFields(store, fields, by.username);
        logUserAction(log, 'scenario_import', by.username, { scenario_id: fields.scenario_id, format });
        return fields.scenario_id;
      }),
    async deleteScenario(id, by) {
      requireAdmin(by);
      await store.deleteScenario(id);
      logUserAction(log, 'scenario_delete', by.username, { scenario_id: id });
    },
    // The game never replaces a file without asking: the caller asks, then passes `replace`.
    exportSession: (user, sessionId, format, file, { replace = false, howToReplace } = {}) =>
      saveExport(store, user, sessionId, format, file, log, { replace, ...(howToReplace ? { howToReplace } : {}) }),
    async deleteSession(user, sessionId) {
      await access.remove(user, sessionId);
      logUserAction(log, 'delete_game', user.username, { session: sessionId });
    },
    editScenario: (id, by) => logIfRefused(log, 'scenario_edit', by.username, () => editInEditor(store, id, by, path.join(config.dataDir, 'drafts'))),
    editorName: chosenEditor,
    editText: editTextInEditor,
    promptVersions: () => store.listSystemPrompts(NARRATOR_PROMPT),
    async activatePrompt(version, by) {
      requireAdmin(by);
      if (!(await store.activateSystemPrompt(NARRATOR_PROMPT, version))) throw new UserFacingError(`There is no version ${version}.`, 1);
      logUserAction(log, 'prompt_activate', by.username, { version });
    },
  };
}

/** `storyos` / `storyos play`: the full-screen game. */
export async function playTui(_args: string[], options: PlayOptions): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY)
    throw new UserFacingError('The game needs a terminal; for pipes and scripts use `storyos play --headless`.');
  const config = loadConfig();
  const { configureLogging, shutdownLogging } = await import('../../logging/setup.js');
  configureLogging(config, { console: 'off', colour: false, secrets: secretValues() });
  onExit(shutdownLogging);
  const { looksNew, openStoreOnFirstUse } = await import('../../store/open.js');
  // The store opens behind the first frame, when the app first asks it whether this is a first run.
  const store = openStoreOnFirstUse(config, seedStore);
  onExitClose(store);
  const llm = createLlm(config, { offline: options.offline === true });
  const engine = createEngine(config, store, llm);
  // A story-state update still running is left after a short wait: the next one catches up with it.
  onExit(() => engine.beforeExit());
  const services = buildServices(config, store, engine);
  log.info('TUI started', { storage: store.engine, narrator: llm.label });
  // Ink withholds every frame but the last when it thinks it runs in CI (CI=true). The game has a
  // terminal and a person at it (checked above), so that would only leave them a blank screen.
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  // DEV=true makes Ink connect to React DevTools, which the bundle leaves out (scripts/stand-ins/no-devtools.mjs).
  delete process.env.DEV;
  const { runTui } = await import('../../tui/run.js');
  const signalled = await runTui(services, { firstRun: looksNew(config), continueLast: options.continue === true });
  return signalled ? EXIT_BY_SIGNAL[signalled] : EXIT.ok;
}
