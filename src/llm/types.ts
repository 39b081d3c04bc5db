/** What the engine knows of a narrator: this interface, never the openai package. */

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
}

export interface StreamResult {
  text: string;
  model: string;
  usage: TokenUsage;
  ttftMs: number | null;
  durationMs: number;
  chunks: number;
  /** Cut short after the first token (cancelled, or the stream broke); `text` is what arrived. */
  interrupted: boolean;
  /** Why it was cut, when it was. */
  interruption: import('./errors.js').LlmError | null;
  attempts: number;
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
