/** What the engine knows of a narrator: this interface, never the openai package. */
import type { LlmError } from './errors.js';
import type { FinishReason } from '../store/types.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface TokenUsage {
  tokens_in: number;
  tokens_out: number;
}

export interface StreamRequest {
  model: string;
  messages: ChatMessage[];
  /** Aborting it cancels the stream (the HTTP request is aborted). */
  signal?: AbortSignal | undefined;
  /** Called with each piece of sanitised text as it arrives. */
  onText?: ((text: string) => void) | undefined;
  /** What the call is for, for the logs (`opening`, `turn`, …). */
  purpose: string;
  /** The longest narration asked for (`max_tokens`); past a hard cap on characters the stream is closed. */
  maxTokens?: number | undefined;
  /** Sent as `temperature` when given (0–2); unset, the endpoint's own default. The offline narrator ignores it. */
  temperature?: number | undefined;
  /** Told before each wait between attempts (rate limits, server errors, timeouts). */
  onWait?: ((wait: RetryWait) => void) | undefined;
}

/** A wait before the next attempt, for the player's status line. */
export interface RetryWait {
  /** Why the attempt failed: `rate_limit`, `server`, `timeout`, `network`, `invalid_response`. */
  kind: string;
  status: number | null;
  /** The attempt about to be made (2 for the first retry). */
  nextAttempt: number;
  maxAttempts: number;
  waitMs: number;
}

export interface StreamResult {
  text: string;
  model: string;
  usage: TokenUsage;
  ttftMs: number | null;
  durationMs: number;
  chunks: number;
  /** Anything but the server's `stop`: `text` is what arrived. */
  interrupted: boolean;
  /** How it ended: the server's `finish_reason`, `cut` when it gave none, `cancelled`. */
  finishReason: FinishReason;
  /** Why it was cut, when it was: its message is the player's sentence. */
  interruption: LlmError | null;
  attempts: number;
  /** Time spent on failed attempts and waits before the one that answered. */
  waitedMs: number;
}

export interface JsonRequest<T> {
  model: string;
  messages: ChatMessage[];
  schemaName: string;
  /** JSON Schema sent as `response_format: json_schema`. */
  schema: Record<string, unknown>;
  /** Checks the answer; throws when it does not fit. */
  parse: (data: unknown) => T;
  signal?: AbortSignal | undefined;
  purpose: string;
  maxTokens?: number | undefined;
  /** Fewer retries than the client's own (a background update that must not hold anything up). */
  maxRetries?: number | undefined;
}

export interface JsonResult<T> {
  value: T;
  usage: TokenUsage;
  durationMs: number;
}

export interface LlmClient {
  /** `grok-4-fast-reasoning`, or `offline demo`. */
  readonly label: string;
  readonly offline: boolean;
  /** Streams a chat completion; throws LlmError when nothing arrived. */
  stream(request: StreamRequest): Promise<StreamResult>;
  /** A structured, non-streamed completion whose answer fits a JSON schema. */
  json<T>(request: JsonRequest<T>): Promise<JsonResult<T>>;
  /** Loads ahead of the first request whatever is slow to load. */
  warm?(): void;
}
