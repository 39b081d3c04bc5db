import type { Command } from 'commander';
import { UserFacingError } from '../config/errors.js';

/** `storyos` and `storyos play`: the game arrives with the engine and TUI issues. */
export function registerPlayCommand(program: Command): void {
  program
    .command('play', { isDefault: true })
    .description('play a story (the default command)')
    .option('--offline', 'use the offline demo narrator')
    .option('--continue', 'continue your last game')
    .action(() => {
      throw new UserFacingError('The game itself is not built yet in this version; `storyos logs --help` lists what is.', 1);
    });
}
