import log4js from 'log4js';
import { formatDuration, type LogContext } from './format.js';
import { merge, withBindings } from './log-context.js';

import type { Category } from './categories.js';

export type { Category };

export interface Logger {
  debug(message: string, context?: LogContext): void;
  info(message: string, context?: LogContext): void;
  perf(message: string, context?: LogContext): void;
  warn(message: string, context?: LogContext, error?: unknown): void;
  error(message: string, context?: LogContext, error?: unknown): void;
  fatal(message: string, context?: LogContext, error?: unknown): void;
  isDebugEnabled(): boolean;
  /**
   * A logger whose every line carries `bindings` (after the call's own keys, which win), like
   * pino's `child`. Lines also carry the bindings of the log context they are written in (withLogContext).
   */
  child(bindings: LogContext): Logger;
}

const loggers = new Map<Category, Logger>();

/**
 * Each call's context gets the fixed bindings (a child's) and those of the log context it runs in
 * (withLogContext, one `getStore()`); the call's own keys win.
 */
function makeLogger(inner: log4js.Logger, fixed: LogContext | undefined): Logger {
  const ctx = fixed ? (c: LogContext | undefined) => withBindings(merge(c, fixed)) : withBindings;
  // The level is checked before the bindings are merged: a DEBUG line with DEBUG off costs nothing
  // more. A level log4js does not know yet (PERF before logging is configured) is left to log4js.
  const enabled = (level: string) => {
    const known = log4js.levels.getLevel(level);
    return known === undefined || inner.isLevelEnabled(level);
  };
  const at = (level: string) => (m: string, c: LogContext | undefined) => {
    if (enabled(level)) inner.log(level, m, ctx(c));
  };
  const withError = (level: string) => (m: string, c: LogContext | undefined, e: unknown) => {
    if (enabled(level)) inner.log(level, m, ctx(c), e);
  };
  return {
    debug: at('DEBUG'),
    info: at('INFO'),
    perf: at('PERF'),
    warn: withError('WARN'),
    error: withError('ERROR'),
    fatal: withError('FATAL'),
    isDebugEnabled: () => inner.isDebugEnabled(),
    child: (bindings) => makeLogger(inner, fixed ? merge(bindings, fixed) : bindings),
  };
}

export function getLogger(category: Category): Logger {
  let logger = loggers.get(category);
  if (!logger) {
    logger = makeLogger(log4js.getLogger(category), undefined);
    loggers.set(category, logger);
  }
  return logger;
}

/** `User action: <action> (user_id: alice, …details)` at INFO. */
export function logUserAction(logger: Logger, action: string, userId: string, details?: LogContext): void {
  logger.info(`User action: ${action}`, { user_id: userId, ...details });
}

/** Runs a user's request; one refused is logged at WARN (`User action refused: <action>`) with the sentence the user sees. */
export async function logIfRefused<T>(logger: Logger, action: string, userId: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    logger.warn(`User action refused: ${action}`, { user_id: userId, reason: error instanceof Error ? error.message : String(error) });
    throw error;
  }
}

/** `<operation> completed (duration: 2.34s, …metrics)` at PERF. */
export function logPerf(logger: Logger, operation: string, durationMs: number, metrics?: LogContext): void {
  logger.perf(`${operation} completed`, { duration: formatDuration(durationMs), ...metrics });
}

/** The message, `(operation: …, …context)` and the stack, at ERROR. */
export function logError(logger: Logger, message: string, error: unknown, context: LogContext & { operation: string }): void {
  const reason = error instanceof Error ? error.message : String(error);
  logger.error(message, { ...context, error: reason }, error);
}

export interface ApiCall {
  service: string;
  endpoint: string;
  status: number | string;
  durationMs: number;
  retries?: number;
  tokensIn?: number;
  tokensOut?: number;
  [extra: string]: unknown;
}

/** Service, endpoint, status, duration, retries and token usage, at INFO. */
export function logApiCall(logger: Logger, call: ApiCall): void {
  const { service, endpoint, status, durationMs, retries, tokensIn, tokensOut, ...extra } = call;
  logger.info(`API call: ${service} ${endpoint}`, {
    status,
    duration: formatDuration(durationMs),
    retries: retries ?? 0,
    tokens_in: tokensIn,
    tokens_out: tokensOut,
    ...(extra as LogContext),
  });
}

/**
 * Runs an async operation and emits its PERF line; when it throws, the error line too
 * (then rethrows). `metrics` may read the result, e.g. a row count.
 */
export async function timed<T>(logger: Logger, operation: string, run: () => Promise<T>, metrics?: LogContext | ((result: T) => LogContext)): Promise<T> {
  const started = performance.now();
  try {
    const result = await run();
    logPerf(logger, operation, performance.now() - started, typeof metrics === 'function' ? metrics(result) : metrics);
    return result;
  } catch (error) {
    const context = typeof metrics === 'function' ? {} : metrics;
    logError(logger, `${operation} failed`, error, { operation, duration: formatDuration(performance.now() - started), ...context });
    throw error;
  }
}
