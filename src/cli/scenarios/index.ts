import { Option, type Command } from 'commander';
import { lazyAction } from '../lazy.js';

const lazy = (name: 'list' | 'show' | 'importFile' | 'exportOne' | 'remove') => lazyAction(() => import('./actions.js'), name);
const format = () => new Option('--format <format>', 'md (the v2 Markdown format) or json').choices(['md', 'json']).default('md');

export function registerScenariosCommands(program: Command): void {
  const scenarios = program.command('scenarios').description('browse, import, export and delete scenarios');
  scenarios.command('list').description('every scenario').option('--json', 'print as JSON').action(lazy('list'));
  scenarios.command('show').description('one scenario in full').argument('<id>').addOption(format()).action(lazy('show'));
  scenarios
    .command('import')
    .description('add or update a scenario from a Markdown (.md) or JSON (.json) file, or a character card (SillyTavern/TavernAI, JSON or PNG)')
    .argument('<file>', 'the file; - reads standard input')
    .action(lazy('importFile'));
  scenarios
    .command('export')
    .description('write a scenario as Markdown or JSON')
    .argument('<id>')
    .addOption(format())
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .option('--force', 'replace the --output file if it is there already')
    .action(lazy('exportOne'));
  scenarios
    .command('delete')
    .description('delete a scenario (games already started keep their copy of its name)')
    .argument('<id>')
    .option('--yes', 'confirm')
    .action(lazy('remove'));
}
