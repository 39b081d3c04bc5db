import type { Command } from 'commander';
import { lazyAction } from '../lazy.js';

const lazy = (name: 'list' | 'add' | 'unlock') => lazyAction(() => import('./actions.js'), name);

export function registerUsersCommands(program: Command): void {
  const users = program.command('users').description('list, add and unlock player accounts');
  users.command('list').description('every account with its role, last login and lock').option('--json', 'print as JSON').action(lazy('list'));
  users
    .command('add')
    .description('create an account (the password is typed without echo)')
    .argument('<username>', '3 to 32 letters, digits, _ . or -')
    .option('--admin', 'make it an administrator')
    .option('--password-stdin', 'read the password from the first line of standard input')
    .action(lazy('add'));
  users.command('unlock').description('clear the lock after too many failed logins').argument('<username>').action(lazy('unlock'));
}
