import { UserFacingError } from '../config/errors.js';
import { formatDuration } from '../logging/format.js';
import { tally } from '../logging/log-context.js';
import { getLogger, logError } from '../logging/logger.js';

const log = getLogger('db_utils');

function rowsOf(result: unknown): number {
  if (Array.isArray(result)) return result.length;
  if (result === null || result === undefined || result === false) return 0;
  return 1;
}

/**
 * Runs one store operation: `Database query executed: <op> (rows: N, duration: 0.01s)` at DEBUG
 * (N: the rows read, or the `rows` a write passes in its context),
 * or the failure with its context at ERROR (then rethrows). Each one done is counted in the log
 * context's `db` tally (the turn's PERF line reports it). A refusal the user can act on (a
 * name taken, a record missing) is a WARN line without a stack: the store did its job.
 */
export async function instrumented<T>(
  engine: string,
  operation: string,
  run: () => T | Promise<T>,
  { rows, ...context }: Record<string, string | number> = {},
): Promise<T> {
  const started = performance.now();
  try {
    const result = await run();
    const ms = performance.now() - started;
    // Counted in the turn's log context (if any): its PERF line gives the count and the time at every level.
    tally('db', ms);
    if (log.isDebugEnabled()) {
      log.debug(`Database query executed: ${operation}`, {
        rows: rows ?? rowsOf(result),
        duration: formatDuration(ms),
        engine,
        ...context,
      });
    }
    return result;
  } catch (error) {
    if (error instanceof UserFacingError) {
      log.warn(`Database operation refused: ${operation}`, { engine, reason: error.message, ...context });
      throw error;
    }
    logError(log, `Database operation failed: ${operation}`, error, { operation, engine, duration: formatDuration(performance.now() - started), ...context });
    throw error;
  }
}
