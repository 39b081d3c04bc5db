import fs from 'node:fs';
import { parseConfig, secretValues, type Config, type LogLevelName } from '../config/env.js';
import { UserFacingError } from '../config/errors.js';
import { onExit } from './exit.js';

let cached: Config | undefined;

/** The validated configuration (a bad value throws one clear line, exit code 2). */
export function loadConfig(): Config {
  cached ??= parseConfig();
  return cached;
}

/**
 * Logging for a CLI command: the rotating files, and a coloured console on stderr at
 * WARN and above (`--verbose` shows every line the configured level lets through).
 */
export async function startCommandLogging(config: Config, verbose = false): Promise<void> {
  const { configureLogging, shutdownLogging } = await import('../logging/setup.js');
  const consoleLevel: LogLevelName = verbose ? config.log.level : 'WARN';
  configureLogging(config, { console: consoleLevel, colour: process.stderr.isTTY === true && !('NO_COLOR' in process.env), secrets: secretValues() });
  onExit(shutdownLogging);
}

/** The log directory to read, which must exist. */
export function existingLogDir(dirOption: string | undefined): string {
  const dir = dirOption ?? loadConfig().log.dir;
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new UserFacingError(`Log directory ${dir} does not exist (set STORYOS_LOG_DIR or pass --dir).`);
  }
  return dir;
}
