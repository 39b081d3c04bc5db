import path from 'node:path';
import { exportSession, type ExportFormat } from '../../game/export.js';
import { SessionAccess } from '../../game/sessions.js';
import { logIfRefused, logUserAction, type Logger } from '../../logging/logger.js';
import type { PublicUser, Store } from '../../store/types.js';
import { writeUserFile } from '../files.js';

/** `/export md|json [path]`: the player's own game into a file (by default `storyos-<id>.<format>`); returns its full path. */
export function saveExport(store: Store, user: PublicUser, sessionId: string, format: ExportFormat, file: string | undefined, log: Logger): Promise<string> {
  return logIfRefused(log, 'export', user.username, async () => {
    const text = await exportSession(store, await new SessionAccess(store).open(user, sessionId), format);
    const target = file ?? `storyos-${sessionId}.${format}`;
    writeUserFile(target, text);
    logUserAction(log, 'export', user.username, { session: sessionId, format });
    return path.resolve(target);
  });
}
