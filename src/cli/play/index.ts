import type { Command } from 'commander';
import { lazyAction } from '../lazy.js';

export interface PlayOptions {
  offline?: boolean;
  continue?: boolean;
  headless?: boolean;
  user?: string;
  passwordStdin?: boolean;
  new?: string;
  session?: string;
}

/** `storyos` and `storyos play`: the TUI, or `--headless` for scripts and pipes. */
export function registerPlayCommand(program: Command): void {
  program
    .command('play', { isDefault: true })
    .description('play a story (the default command)')
    .option('--offline', 'use the offline demo narrator (no network, no key)')
    .option('--continue', 'continue your most recent game')
    .option('--headless', 'no TUI: actions from standard input, one per line; narration to standard output')
    .option('--user <name>', 'headless: log in as this player (password from STORYOS_PASSWORD or --password-stdin)')
    .option('--password-stdin', 'headless: the first line of standard input is the password')
    .option('--new <scenario-id>', 'headless: start a new game of this scenario')
    .option('--session <id>', 'headless: play this game')
    .action(async (options: PlayOptions, command: Command) => {
      if (options.headless) await lazyAction(() => import('./headless.js'), 'playHeadless')(options, command);
      else await lazyAction(() => import('./tui.js'), 'playTui')(options, command);
    });
}
