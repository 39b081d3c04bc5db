import path from 'node:path';
import log4js from 'log4js';
import type { Config, LogLevelName } from '../config/env.js';
import { consoleAppender, rotatingFileAppender, silentAppender } from './appenders.js';
import { CUSTOM_LEVELS } from './levels.js';
import { ERROR_LOG, MAIN_LOG } from './log-files.js';
import { setKnownSecrets } from './redact.js';
import { errorLogPolicy, mainLogPolicy } from './policies.js';
import { getLogger } from './logger.js';

export interface LoggingOptions {
  /** Level for the coloured stderr console, or 'off' (always off while the TUI owns the screen). */
  console: LogLevelName | 'off';
  colour: boolean;
  /** Secret values (API key, database password) to scrub from every line. */
  secrets?: string[];
}

let configured = false;

export function configureLogging(config: Config, options: LoggingOptions): void {
  setKnownSecrets(options.secrets ?? []);
  const log = config.log;
  const appenders: Record<string, log4js.Appender> = {};
  const used: string[] = [];
  if (log.toFile) {
    appenders.main = { type: rotatingFileAppender, filename: path.join(log.dir, MAIN_LOG), policy: mainLogPolicy(log) } as unknown as log4js.Appender;
    appenders.errorsFile = { type: rotatingFileAppender, filename: path.join(log.dir, ERROR_LOG), policy: errorLogPolicy(log) } as unknown as log4js.Appender;
    appenders.errors = { type: 'logLevelFilter', appender: 'errorsFile', level: 'ERROR' };
    used.push('main', 'errors');
  }
  if (options.console !== 'off') {
    appenders.consoleRaw = { type: consoleAppender, colour: options.colour } as unknown as log4js.Appender;
    appenders.console = { type: 'logLevelFilter', appender: 'consoleRaw', level: options.console };
    used.push('console');
  }
  if (used.length === 0) {
    appenders.silent = { type: silentAppender } as unknown as log4js.Appender;
    used.push('silent');
  }
  log4js.configure({ levels: CUSTOM_LEVELS, appenders, categories: { default: { appenders: used, level: log.level } } });
  configured = true;
  getLogger('app').info('Logging configured', {
    level: log.level,
    rotation: log.rotationType,
    max_size: `${log.maxSizeMb}MB`,
    error_max_size: `${log.errorMaxSizeMb}MB`,
    backups: log.backupCount,
    to_file: log.toFile,
    directory: log.dir,
    command: ['storyos', ...process.argv.slice(2)].join(' ').slice(0, 200),
    pid: process.pid,
  });
}

/** Closes the log files. Every line is already on disk: writes are synchronous. */
export function shutdownLogging(): Promise<void> {
  if (!configured) return Promise.resolve();
  configured = false;
  return new Promise((resolve) => log4js.shutdown(() => resolve()));
}
