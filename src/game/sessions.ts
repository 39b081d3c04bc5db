import { NotFoundError } from '../store/errors.js';
import { exportSession, type ExportFormat } from './export.js';
import type { PublicUser, SessionRecord, SessionSummary, Store } from '../store/types.js';

/**
 * Every read of a game session goes through here: a player sees and loads only their own.
 * Another player's session gets the same answer as one that does not exist.
 */
export class SessionAccess {
  constructor(private readonly store: Store) {}

  list(user: PublicUser): Promise<SessionSummary[]> {
    return this.store.listSessions(user.username);
  }

  async open(user: PublicUser, sessionId: string): Promise<SessionRecord> {
    const session = await this.store.getSession(sessionId);
    if (!session || session.user !== user.username) throw new NotFoundError(`No game session ${sessionId} of yours.`);
    return session;
  }

  async export(user: PublicUser, sessionId: string, format: ExportFormat): Promise<string> {
    return exportSession(this.store, await this.open(user, sessionId), format);
  }

  async remove(user: PublicUser, sessionId: string): Promise<void> {
    await this.open(user, sessionId);
    await this.store.deleteSession(sessionId);
  }
}
