import util from 'node:util';
import type { LoggingEvent } from 'log4js';
import pc from 'picocolors';
import { formatRecord, type LogContext, type LogRecord } from './format.js';
import { normalizeLevel } from './levels.js';
import { RotatingFile } from './rotating-file.js';
import type { RotationPolicy } from './rotation.js';

type AppenderFunction = ((event: LoggingEvent) => void) & { shutdown?: (done: (error?: Error) => void) => void };

/**
 * Log calls take `(message, context?, error?)`; anything else is formatted as log4js would,
 * so a stray `logger.info(obj)` still yields one line.
 */
export function eventToRecord(event: LoggingEvent): LogRecord {
  const [first, ...rest] = event.data as unknown[];
  let message = typeof first === 'string' ? first : first instanceof Error ? first.message : util.inspect(first, { breakLength: Infinity });
  let context: LogContext | undefined;
  let error: unknown = first instanceof Error ? first : event.error;
  for (const arg of rest) {
    if (arg instanceof Error) error = arg;
    else if (arg !== null && typeof arg === 'object') context = { ...context, ...(arg as LogContext) };
    else if (arg !== undefined) message += ` ${String(arg)}`;
  }
  return { time: event.startTime, level: event.level.levelStr, category: event.categoryName, message, context, error };
}

interface RotatingFileConfig {
  filename: string;
  policy: RotationPolicy;
}

/** log4js appender module: our line format into a multi-process-safe rotating file. */
export const rotatingFileAppender = {
  configure(config: RotatingFileConfig): AppenderFunction {
    const file = new RotatingFile(config.filename, config.policy, (error) => {
      process.stderr.write(`storyos: cannot write ${config.filename}: ${error.message}\n`);
    });
    const appender: AppenderFunction = (event) => file.write(formatRecord(eventToRecord(event)));
    appender.shutdown = (done) => {
      file.close();
      done();
    };
    return appender;
  },
};

export type Paint = (text: string) => string;

export function levelPainter(colour: boolean): (level: string) => Paint {
  const c = pc.createColors(colour);
  // biome-ignore lint/correctness/noComponentHookFactories: FATAL is a level's painter, not a component
  const painters: Record<string, Paint> = { DEBUG: c.gray, INFO: c.green, PERF: c.cyan, WARN: c.yellow, ERROR: c.red, FATAL: (t) => c.bold(c.red(t)) };
  // A line Python's logging wrote says WARNING or CRITICAL: painted as WARN and FATAL.
  return (level) => painters[level] ?? painters[normalizeLevel(level)] ?? ((t) => t);
}

/** Console output for CLI subcommands: stderr, coloured by level in a terminal. */
export const consoleAppender = {
  configure(config: { colour: boolean }): AppenderFunction {
    const paint = levelPainter(config.colour);
    return (event) => {
      const text = formatRecord(eventToRecord(event));
      process.stderr.write(paint(event.level.levelStr)(text));
    };
  },
};

/** Used when neither files nor console are wanted: log4js needs one appender per category. */
export const silentAppender = {
  configure(): AppenderFunction {
    return () => {};
  },
};
