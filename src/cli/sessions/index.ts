import { Option, type Command } from 'commander';
import { lazyAction } from '../lazy.js';

const lazy = (name: 'list' | 'exportOne') => lazyAction(() => import('./actions.js'), name);

export function registerSessionsCommands(program: Command): void {
  const sessions = program.command('sessions').description('list and export game sessions (the operator sees every player’s)');
  sessions
    .command('list')
    .description('sessions, most recently played first')
    .option('--user <name>', 'only this player’s')
    .option('--json', 'print as JSON')
    .action(lazy('list'));
  sessions
    .command('export')
    .description('a session as a Markdown transcript (the current branch) or JSON (the whole tree)')
    .argument('<id>')
    .addOption(new Option('--format <format>', 'md or json').choices(['md', 'json']).default('md'))
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .option('--force', 'replace the --output file if it is there already')
    .action(lazy('exportOne'));
}
