import type { PlayOptions, TurnResult } from '../../game/engine.js';
import type { PublicUser } from '../../store/types.js';
import type { AppServices } from '../services.js';

/** What a slash command can do to the game screen. */
export interface CommandContext {
  user: PublicUser;
  sessionId: string;
  services: AppServices;
  /**
   * Runs a narration, streaming it into the screen: after the player's `action` when there is one,
   * or after a `note` saying what this narration is; `savesShown` when it saves the narration on
   * screen already (after a failed save), which is then only marked saved.
   */
  play(run: (options: PlayOptions) => Promise<TurnResult>, shown?: { action?: string; note?: string; savesShown?: boolean }): Promise<void>;
  showOverlay(title: string, body: string): void;
  notice(kind: 'error' | 'info' | 'success', text: string): void;
  /** Redraws the story from the store (after the head moved). */
  reload(): Promise<void>;
  toMenu(): void;
  quit(): void;
}

export interface SlashCommand {
  name: string;
  /** `md|json [path]` */
  args?: string;
  description: string;
  run(ctx: CommandContext, args: string[]): Promise<void> | void;
}
