import type { Accounts } from '../auth/accounts.js';
import type { Config } from '../config/env.js';
import type { GameEngine } from '../game/engine.js';
import type { ExportFormat } from '../game/export.js';
import type { PublicUser, ScenarioRecord, SessionSummary, StoreEngine, SystemPromptRecord } from '../store/types.js';

/**
 * Everything the screens may do, as plain functions: the TUI never touches the store, the
 * narrator or the file system directly, so components can be tested with a fake of this.
 */
export interface AppServices {
  config: Config;
  storage: StoreEngine;
  accounts: Accounts;
  engine: GameEngine;
  /** Whether an account has this name, whatever its case (registering says so before the password). */
  usernameTaken(username: string): Promise<boolean>;
  listScenarios(): Promise<ScenarioRecord[]>;
  /** Imports a Markdown or JSON scenario file (`~` is the home folder); returns its id. */
  importScenario(file: string, by: PublicUser): Promise<string>;
  deleteScenario(id: string, by: PublicUser): Promise<void>;
  /**
   * Writes a session export (into the working directory unless `file` says where; `~` is the home
   * folder); returns its full path. A file that is there already is replaced only with `replace`:
   * otherwise the promise rejects with an error `existingFile` knows, whose sentence ends with
   * `howToReplace`.
   */
  exportSession(
    user: PublicUser,
    sessionId: string,
    format: ExportFormat,
    file?: string,
    options?: { replace?: boolean; howToReplace?: string },
  ): Promise<string>;
  deleteSession(user: PublicUser, sessionId: string): Promise<void>;
  listSessions(user: PublicUser): Promise<SessionSummary[]>;
  promptVersions(): Promise<SystemPromptRecord[]>;
  activatePrompt(version: number, by: PublicUser): Promise<void>;
  /** Opens the scenario in $EDITOR (the TUI steps aside meanwhile) and saves the result. */
  editScenario?(id: string, by: PublicUser): Promise<string>;
  /** The editor $VISUAL or $EDITOR names, or null when neither is set (the game then edits in a field of its own). */
  editorName?(): string | null;
  /**
   * Opens `initial` in that editor (the TUI steps aside meanwhile): the text saved, without the
   * line break editors end a file with, or null when the editor did not finish cleanly.
   */
  editText?(initial: string): Promise<string | null>;
}

/** The full path of the file an export found there already (and left), or null for another error. */
export function existingFile(error: unknown): string | null {
  const { code, file } = (error ?? {}) as { code?: unknown; file?: unknown };
  return code === 'EEXIST' && typeof file === 'string' ? file : null;
}
