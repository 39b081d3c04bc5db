import path from 'node:path';
import { exportSession, type ExportFormat } from '../../game/export.js';
import { SessionAccess } from '../../game/sessions.js';
import { logIfRefused, logUserAction, type Logger } from '../../logging/logger.js';
import type { PublicUser, Store } from '../../store/types.js';
import { expandHome, writeUserFile } from '../files.js';

/**
 * `/export md|json [path]`: the player's own game into a file (by default `storyos-<id>.<format>`;
 * `~` is the home folder); returns its full path. A file that is there already is replaced only
 * with `replace` (the game asks first); otherwise it is a FileExistsError, whose sentence ends
 * with `howToReplace`.
 */
export function saveExport(
  store: Store,
  user: PublicUser,
  sessionId: string,
  format: ExportFormat,
  file: string | undefined,
  log: Logger,
  { replace = true, howToReplace }: { replace?: boolean; howToReplace?: string } = {},
): Promise<string> {
  return logIfRefused(log, 'export', user.username, async () => {
    const text = await exportSession(store, await new SessionAccess(store).open(user, sessionId), format);
    const target = expandHome(file ?? `storyos-${sessionId}.${format}`);
    writeUserFile(target, text, { replace, ...(howToReplace ? { howToReplace } : {}) });
    logUserAction(log, 'export', user.username, { session: sessionId, format });
    return path.resolve(target);
  });
}
