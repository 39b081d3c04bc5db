export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  random?: () => number;
}

/** The longest a server's Retry-After is honoured for. */
export const RETRY_AFTER_CAP_MS = 60_000;

/**
 * Wait before retry number `attempt` (1 for the first retry): the server's Retry-After when it
 * gave one (up to a minute), else exponential backoff with full jitter between half and all of it.
 */
export function retryDelayMs(attempt: number, retryAfterS: number | null, options: BackoffOptions): number {
  if (retryAfterS !== null && retryAfterS >= 0) return Math.min(retryAfterS * 1000, RETRY_AFTER_CAP_MS);
  const exponential = Math.min(options.capMs, options.baseMs * 2 ** (attempt - 1));
  const random = options.random ?? Math.random;
  return Math.round(exponential * (0.5 + random() / 2));
}

/** `Retry-After: 2` or an HTTP date, in seconds from now; null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, (at - now) / 1000);
}

/** Resolves after `ms`, or rejects at once when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
