import type { RetryWait } from '../llm/types.js';

const WHY: Record<string, string> = {
  rate_limit: 'rate-limited',
  server: "the narrator's service failed",
  timeout: 'no answer in time',
  network: 'cannot reach the narrator',
  invalid_response: 'an unreadable answer',
};

/** "rate-limited — retrying in 2 s, attempt 2 of 4": what the player sees while the narrator is tried again. */
export function waitSentence(wait: RetryWait): string {
  const why = WHY[wait.kind] ?? wait.kind;
  const status = wait.status !== null && wait.kind !== 'rate_limit' ? ` (HTTP ${wait.status})` : '';
  const seconds = wait.waitMs < 1000 ? (wait.waitMs / 1000).toFixed(1) : String(Math.round(wait.waitMs / 1000));
  return `${why}${status} — retrying in ${seconds} s, attempt ${wait.nextAttempt} of ${wait.maxAttempts}`;
}
