export type LlmErrorKind =
  | 'auth'
  | 'rate_limit'
  | 'timeout'
  | 'server'
  | 'network'
  | 'bad_request'
  | 'cancelled'
  | 'cut'
  | 'length'
  | 'content_filter'
  | 'empty'
  | 'invalid_response';

/** Retried before the first token; the others are final. */
const RETRYABLE = new Set<LlmErrorKind>(['rate_limit', 'timeout', 'server', 'network', 'invalid_response']);

/** A narrator failure, with one sentence for the player that says what to do next. */
export class LlmError extends Error {
  constructor(
    readonly kind: LlmErrorKind,
    message: string,
    readonly status: number | null = null,
    /** Seconds the server asked us to wait (Retry-After). */
    readonly retryAfterS: number | null = null,
  ) {
    super(message);
    this.name = 'LlmError';
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }
}

export interface MessageDetail {
  status?: number | null;
  baseUrl?: string;
  timeoutS?: number;
  reason?: string;
  /** Attempts made, when more than one: the sentence counts them. */
  attempts?: number;
}

export function playerMessage(kind: LlmErrorKind, detail: MessageDetail): string {
  const tries = detail.attempts && detail.attempts > 1 ? ` (${detail.attempts} attempts)` : '';
  switch (kind) {
    case 'auth':
      return `The narrator refused the API key (HTTP ${detail.status ?? 401}): check XAI_API_KEY, or play offline with \`storyos play --offline\`.`;
    case 'rate_limit':
      return `The narrator is rate-limited right now${tries}; wait a moment, then /retry.`;
    case 'timeout':
      return detail.attempts && detail.attempts > 1
        ? `The narrator went silent for ${detail.timeoutS ?? 60} seconds, ${detail.attempts} times in a row; /retry to try again.`
        : `The narrator went silent for ${detail.timeoutS ?? 60} seconds; /retry to try again.`;
    case 'server':
      return `The narrator's service failed (${detail.reason ?? `HTTP ${detail.status}`})${tries}; /retry to try again.`;
    case 'network':
      return `Cannot reach the narrator at ${detail.baseUrl ?? 'its endpoint'} (${detail.reason ?? 'network error'})${tries}; check the connection, then /retry.`;
    case 'bad_request':
      return `The narrator rejected the request (HTTP ${detail.status ?? 400}: ${detail.reason ?? 'bad request'}); check STORYOS_NARRATOR_MODEL.`;
    case 'cancelled':
      return 'Cancelled.';
    case 'cut':
      return 'The narration was cut off mid-way; the partial text is kept, and /retry asks for a new one.';
    case 'length':
      return 'The narrator reached its length limit; /continue goes on.';
    case 'content_filter':
      return "The narrator's service stopped this narration with its content filter; the text so far is kept, and /retry asks for another.";
    case 'empty':
      return 'The narrator answered with no story (a reasoning model may have spent its budget thinking); /retry sends your action again.';
    case 'invalid_response':
      return `The narrator sent an answer that could not be read${tries}; /retry to try again.`;
  }
}
