import type { BranchPoint, GameEngine, HeadMove, PlayOptions, TurnResult } from '../engine.js';
import type { ExportFormat } from '../export.js';
import type { MessageRecord, PublicUser } from '../../store/types.js';

/** What a slash command is given: who plays which game, and what it may use to do it. */
export interface CommandContext {
  user: PublicUser;
  sessionId: string;
  engine: GameEngine;
  /** The front end's keys, for /help (the TUI has keys; headless play has none). */
  keys?: string;
  /** Writes the game into a file and returns its full path (the front end's own way of saving it). */
  exportSession(format: ExportFormat, file: string | undefined, options: { replace: boolean; howToReplace: string }): Promise<string>;
}

/** A narration for the front end to stream, and what stands above it while it is told. */
export interface PlayRequest {
  run: (options: PlayOptions) => Promise<TurnResult>;
  /** The player's action the narration answers, shown above it. */
  action?: string;
  /** Or a line saying what this narration is (`↻ Another telling of the last turn:`). */
  note?: string;
  /** It saves the narration on screen already (after a failed save): that one is only marked saved. */
  savesShown?: boolean;
}

/**
 * What a command did, as data: each front end (the TUI, headless play) shows it its own way, in one
 * exhaustive `switch` (see `assertNever`).
 */
export type CommandOutcome =
  | { type: 'notice'; kind: 'info' | 'success' | 'error'; text: string }
  /** A box of Markdown over the game (the TUI); printed as it is (headless). */
  | { type: 'overlay'; title: string; body: string }
  | ({ type: 'play' } & PlayRequest)
  /**
   * The head moved (undo, redo, a telling chosen, a branch jumped to, a narration edited): the story
   * on screen is drawn again from the store. `restoreInput` is an action taken back, for the input line.
   */
  | { type: 'moved'; move: HeadMove; text: string; restoreInput?: string }
  /**
   * A text to edit, for the front end to open (an editor, an inline field) under `title`; `save`
   * makes the new version from what the player wrote and says what happened. `onTheLine` is how
   * to give the text on the command line instead (`/edit action TEXT`), for front ends with no editor.
   */
  /** `saves`: what Enter does with it, for the box's hint ("saves it as a new version beside the original"). */
  | { type: 'edit'; title: string; saves: string; onTheLine: string; original: string; save: (text: string) => Promise<CommandOutcome> }
  /** The branch points of the story, to choose from; `jump` goes to an alternative's line. */
  | { type: 'tree'; points: BranchPoint[]; jump: (alternativeId: string) => Promise<CommandOutcome> }
  /** The whole branch shown, oldest first, for a pager. */
  | { type: 'history'; messages: MessageRecord[] }
  | { type: 'menu' }
  | { type: 'quit' };

export interface SlashCommand {
  name: string;
  /** How its arguments are written, for /help: `md|json [path] [--force]`. */
  args?: string;
  /** What the first argument can be, for completion: `['prev', 'next']`. */
  choices?: string[];
  description: string;
  /** `args`: the words after the name; `rest`: all that follows the name, as typed (trimmed), for text such as /edit's. */
  run(ctx: CommandContext, args: string[], rest: string): Promise<CommandOutcome>;
}

/** The compiler's check that a `switch` over outcomes handles every one. */
export function assertNever(value: never): never {
  throw new Error(`Unhandled command outcome: ${JSON.stringify(value)}`);
}
