import { existsSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerLogsCommands } from './logs/index.js';
import { registerPlayCommand } from './play/index.js';
import { registerUsersCommands } from './users/index.js';
import { registerScenariosCommands } from './scenarios/index.js';
import { registerPromptCommands } from './prompt/index.js';
import { registerDbCommands } from './db/index.js';
import { registerSessionsCommands } from './sessions/index.js';
import { registerDoctorCommand } from './doctor/index.js';
import { describeError, exit, EXIT, printError } from './exit.js';
import { packageVersion } from './version.js';

export function buildProgram(): Command {
  const program = new Command('storyos')
    .description('Interactive fiction in your terminal, narrated by an LLM.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .option('-v, --verbose', 'also print log lines on stderr (coloured in a terminal)')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`storyos: ${text.replace(/^error: /, '').trimEnd()}\n`) })
    .hook('preAction', loadEnvironment);
  registerPlayCommand(program);
  registerUsersCommands(program);
  registerScenariosCommands(program);
  registerPromptCommands(program);
  registerSessionsCommands(program);
  registerDbCommands(program);
  registerDoctorCommand(program);
  registerLogsCommands(program);
  return program;
}

async function reportFailure(error: unknown): Promise<never> {
  if (error instanceof CommanderError) {
    const fine = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help';
    return exit(fine ? EXIT.ok : EXIT.usage);
  }
  const { message, code, expected } = describeError(error);
  if (!expected) {
    const { getLogger } = await import('../logging/logger.js');
    getLogger('cli').fatal('Command failed', { operation: process.argv.slice(2, 4).join(' ') }, error);
  }
  printError(message);
  return exit(code);
}

/** `.env` is loaded before any command runs, so nothing reads the environment before it. */
async function loadEnvironment(program: Command): Promise<void> {
  if (program.opts().verbose) {
    const { setVerbose } = await import('./context.js');
    setVerbose(true);
  }
  if (!existsSync('.env')) return;
  const { loadDotenv } = await import('../config/dotenv.js');
  loadDotenv();
}

export async function main(argv: string[]): Promise<void> {
  process.on('uncaughtException', (error) => void reportFailure(error));
  process.on('unhandledRejection', (error) => void reportFailure(error));
  try {
    const program = buildProgram();
    await program.parseAsync(argv);
    await exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok);
  } catch (error) {
    await reportFailure(error);
  }
}
