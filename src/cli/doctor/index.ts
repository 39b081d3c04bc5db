import type { Command } from 'commander';
import { lazyAction } from '../lazy.js';

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check configuration, store, log directory, API key and endpoint, and say what to fix')
    .action(lazyAction(() => import('./actions.js'), 'doctor'));
}
