import type { Command } from 'commander';
import { lazyAction } from '../lazy.js';

const lazy = (name: 'status' | 'migrate') => lazyAction(() => import('./actions.js'), name);

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('the store: status, and migration to MongoDB');
  db.command('status').description('engine, location, schema and record counts').option('--json', 'print as JSON').action(lazy('status'));
  db.command('migrate')
    .description('copy the embedded SQLite store into MongoDB (idempotent: run it again to finish or refresh)')
    .requiredOption('--to <uri>', 'the MongoDB connection string')
    .option('--database <name>', 'the MongoDB database (default: MONGODB_DATABASE_NAME)')
    .action(lazy('migrate'));
}
