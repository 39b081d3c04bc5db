import { exportSession, type ExportFormat } from '../../game/export.js';
import { getLogger, logUserAction } from '../../logging/logger.js';
import { NotFoundError } from '../../store/errors.js';
import { renderTable } from '../../text/table.js';
import { operatorName, withStore } from '../context.js';
import { EXIT } from '../exit.js';
import { writeUserFile } from '../files.js';
import { clip, shortUtc } from '../../text/format.js';
import { sanitizeRecord } from '../../llm/sanitize.js';
import { printJson, printOut } from '../output.js';

export function list(_args: string[], options: { user?: string; json?: boolean }): Promise<number> {
  return withStore(async (store) => {
    const owner = options.user === undefined ? null : ((await store.findUser(options.user.toLowerCase()))?.username ?? options.user);
    const sessions = await store.listSessions(owner);
    if (sessions.length === 0 && !options.json) {
      printOut(owner === null ? 'No game sessions yet.\n' : `No game sessions for ${options.user}.\n`);
      return EXIT.noMatch;
    }
    if (options.json) {
      printJson(sessions);
    } else {
      const rows = sessions
        .map(sanitizeRecord)
        .map((s) => [s.id, s.user, s.scenario_name, String(s.turn_count), shortUtc(s.updated_at), clip(s.last_scene.replace(/\s+/g, ' '), 40)]);
      printOut(
        `${renderTable(['id', 'player', 'scenario', 'turns', 'last played (UTC)', 'last scene'], rows, ['left', 'left', 'left', 'right', 'right', 'left'])}\n`,
      );
    }
    return sessions.length ? EXIT.ok : EXIT.noMatch;
  });
}

export function exportOne([id]: string[], options: { format: ExportFormat; output?: string; force?: boolean }): Promise<number> {
  return withStore(async (store) => {
    const session = await store.getSession(id as string);
    if (!session) throw new NotFoundError(`No game session ${id}; \`storyos sessions list\` shows them.`);
    const text = await exportSession(store, session, options.format);
    if (options.output) writeUserFile(options.output, text, { replace: options.force === true, howToReplace: 'add --force to replace it' });
    else printOut(text);
    logUserAction(getLogger('game_logic'), 'session_export', operatorName(), { session: session.id, format: options.format, owner: session.user });
    if (options.output) printOut(`Wrote ${options.output}.\n`);
    return EXIT.ok;
  });
}
