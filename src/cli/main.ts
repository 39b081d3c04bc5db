import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { UserFacingError } from '../config/errors.js';
import { describeError, exit, EXIT, printError } from './exit.js';
import { packageVersion } from './version.js';

type Register = (program: Command) => void;

/** Each command group's declarations, imported only when the command line needs them. */
const GROUPS: Record<string, () => Promise<Register>> = {
  play: async () => (await import('./play/index.js')).registerPlayCommand,
  users: async () => (await import('./users/index.js')).registerUsersCommands,
  scenarios: async () => (await import('./scenarios/index.js')).registerScenariosCommands,
  prompt: async () => (await import('./prompt/index.js')).registerPromptCommands,
  sessions: async () => (await import('./sessions/index.js')).registerSessionsCommands,
  db: async () => (await import('./db/index.js')).registerDbCommands,
  doctor: async () => (await import('./doctor/index.js')).registerDoctorCommand,
  logs: async () => (await import('./logs/index.js')).registerLogsCommands,
};

const HELP_FLAGS = new Set(['-h', '--help']);
/** The program's own options, which may come before the command: `storyos -v users list`. */
const GLOBAL_FLAGS = new Set(['-v', '--verbose']);

/**
 * The group named on the command line; only `play` (the default command) when none is named;
 * all of them for the program's help; none for --version.
 */
function groupsFor(argv: string[]): string[] {
  const words = argv.slice(2);
  const first = words.find((word) => !GLOBAL_FLAGS.has(word));
  if (first === '--version' || first === '-V') return [];
  if (first !== undefined && first in GROUPS) return [first];
  if (first === 'help' || (first !== undefined && HELP_FLAGS.has(first))) return Object.keys(GROUPS);
  if (first !== undefined && !first.startsWith('-')) throw new UserFacingError(unknownCommand(first));
  return words.some((word) => HELP_FLAGS.has(word)) ? Object.keys(GROUPS) : ['play'];
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number;
      row[j] = Math.min(current + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] as number;
}

function unknownCommand(word: string): string {
  const near = Object.keys(GROUPS).find((name) => distance(word, name) <= 2);
  return `Unknown command '${word}'${near ? ` (did you mean ${near}?)` : ''}; \`storyos --help\` lists the commands.`;
}

/** Every long option of the program and its commands: `--follow`, `--json`, … */
function longOptionsOf(program: Command): Set<string> {
  const names = new Set<string>();
  const visit = (command: Command) => {
    for (const option of command.options) if (option.long) names.add(option.long);
    command.commands.forEach(visit);
  };
  visit(program);
  return names;
}

/**
 * One line: commander's suggestion joins its sentence. A word like `-follow` is a long option
 * typed with one hyphen; any other `-bob` is most likely a value (a username) that starts with a
 * hyphen: say how to pass one.
 */
function explainUsageError(error: string, argv: string[], longOptions: Set<string>): string {
  const explained = explainOption(error.replace(/\n\(Did you mean/, ' (did you mean'), argv, longOptions);
  // Commander's sentences start in lower case; StoryOS's own errors are sentences.
  return explained.charAt(0).toUpperCase() + explained.slice(1);
}

function explainOption(message: string, argv: string[], longOptions: Set<string>): string {
  const rejected = /^unknown option '([^']+)'/.exec(message)?.[1];
  if (!rejected) return message;
  // Commander reads `-follow` as `-f` and then rejects `-ollow`: find the word that was typed.
  const typed = argv.find((word) => word === rejected || (/^-[^-]/.test(word) && word.slice(2) === rejected.slice(1)));
  if (typed && /^-[^-]./.test(typed) && longOptions.has(`-${typed}`)) return `unknown option '${typed}' (did you mean -${typed}?)`;
  return typed === rejected && /^-[^-]./.test(rejected) ? `${message} (a value that starts with '-' goes after --, as in \`-- ${rejected}\`)` : message;
}

export async function buildProgram(argv: string[] = process.argv): Promise<Command> {
  const { Command } = await import('commander');
  const program = new Command('storyos')
    .description('Interactive fiction in your terminal, narrated by an LLM.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .option('-v, --verbose', 'also print log lines on stderr (coloured in a terminal)')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => write(`storyos: ${explainUsageError(text.replace(/^error: /, '').trimEnd(), argv, longOptionsOf(program))}\n`),
    })
    .hook('preAction', loadEnvironment);
  for (const register of await Promise.all(groupsFor(argv).map((name) => (GROUPS[name] as () => Promise<Register>)()))) register(program);
  return program;
}

/** Commander's own exits (help, version, usage errors), which it has already reported. */
function isCommanderExit(error: unknown): error is Error & { code: string } {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('commander.');
}

async function reportFailure(error: unknown): Promise<never> {
  if (isCommanderExit(error)) {
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
  await loadDotenvFile();
}

async function loadDotenvFile(): Promise<void> {
  if (!existsSync('.env')) return;
  const { loadDotenv } = await import('../config/dotenv.js');
  loadDotenv();
}

/**
 * Bare `storyos`: the game, as `storyos play` with no options, without loading commander: the
 * login screen is what a player waits for.
 */
async function playWithoutArguments(): Promise<number> {
  await loadDotenvFile();
  const { playTui } = await import('./play/tui.js');
  return playTui([], {});
}

export async function main(argv: string[]): Promise<void> {
  process.on('uncaughtException', (error) => void reportFailure(error));
  process.on('unhandledRejection', (error) => void reportFailure(error));
  try {
    if (argv.length <= 2) return await exit(await playWithoutArguments());
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
    await exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok);
  } catch (error) {
    await reportFailure(error);
  }
}
