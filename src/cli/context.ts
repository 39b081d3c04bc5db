import fs from 'node:fs';
import os from 'node:os';
import { parseConfig, secretValues, type Config, type LogLevelName } from '../config/env.js';
import { UserFacingError } from '../config/errors.js';
import type { Store } from '../store/types.js';
import { EXIT, onExit } from './exit.js';

let cached: Config | undefined;

/** The validated configuration (a bad value throws one clear line, exit code 2). */
export function loadConfig(): Config {
  cached ??= parseConfig();
  return cached;
}

let verbose = false;

/** `storyos --verbose …`: log lines also go to stderr. */
export function setVerbose(on: boolean): void {
  verbose = on;
}

/**
 * Logging for a CLI command: the rotating files and, with --verbose, the same lines on stderr,
 * coloured by level in a terminal. Without it stderr carries only the command's own one-line
 * error, never log lines.
 */
export async function startCommandLogging(config: Config): Promise<void> {
  const { configureLogging, shutdownLogging } = await import('../logging/setup.js');
  const consoleLevel: LogLevelName | 'off' = verbose ? config.log.level : 'off';
  configureLogging(config, { console: consoleLevel, colour: process.stderr.isTTY === true && !('NO_COLOR' in process.env), secrets: secretValues() });
  onExit(shutdownLogging);
}

/** The log directory to read (--dir, else STORYOS_LOG_DIR), which must exist; the configuration is checked either way. */
export function existingLogDir(dirOption: string | undefined): string {
  const { log } = loadConfig();
  const dir = dirOption ?? log.dir;
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new UserFacingError(`Log directory ${dir} does not exist (set STORYOS_LOG_DIR or pass --dir).`);
  }
  return dir;
}

/** The operating-system user running a CLI command, recorded as the author of what it changes. */
export function operatorName(): string {
  try {
    return `cli:${os.userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/** Opens (and on first start seeds) the configured store for a command; closed on exit. */
export async function withStore<T>(run: (store: Store, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  await startCommandLogging(config);
  const { openStore } = await import('../store/open.js');
  const { seedStore } = await import('../game/seed.js');
  const store = await openStore(config);
  onExitClose(store);
  await seedStore(store);
  return run(store, config);
}

/** A password typed without echo, or the first line of standard input with --password-stdin. */
export async function readPassword(options: { passwordStdin?: boolean; confirm?: boolean; prompt?: string }): Promise<string> {
  if (options.passwordStdin) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  }
  if (!process.stdin.isTTY) throw new UserFacingError('No terminal to type the password in: pipe it with --password-stdin.');
  const { default: password } = await import('@inquirer/password');
  try {
    const first = await password({ message: options.prompt ?? 'Password', mask: '*' });
    if (options.confirm && (await password({ message: 'Repeat it', mask: '*' })) !== first)
      throw new UserFacingError('The two passwords differ; nothing was changed.', 1);
    return first;
  } catch (error) {
    if ((error as Error).name === 'ExitPromptError') throw new UserFacingError('Cancelled; nothing was changed.', EXIT.interrupted);
    throw error;
  }
}

export function onExitClose(store: Store): void {
  onExit(() => store.close());
}
