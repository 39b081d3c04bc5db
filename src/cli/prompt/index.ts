import type { Command } from 'commander';
import { lazyAction } from '../lazy.js';

const lazy = (name: 'show' | 'set' | 'history' | 'activate') => lazyAction(() => import('./actions.js'), name);

export function registerPromptCommands(program: Command): void {
  const prompt = program.command('prompt').description("the narrator's system prompt and its versions");
  prompt
    .command('show')
    .description('the active version, or the one given')
    .argument('[version]', 'a version number from `storyos prompt history`')
    .action(lazy('show'));
  prompt
    .command('set')
    .description('save a new version from a file and make it active')
    .argument('<file>', 'the file; - reads standard input')
    .action(lazy('set'));
  prompt.command('history').description('every version, the active one marked').action(lazy('history'));
  prompt.command('activate').description('make an earlier (or later) version the active one').argument('<version>').action(lazy('activate'));
}
