import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { formatDuration } from '../logging/format.js';
import { getLogger, logApiCall, logPerf } from '../logging/logger.js';
import { LlmError, playerMessage } from './errors.js';
import { parseRetryAfter, retryDelayMs, sleep, type BackoffOptions } from './retry.js';
import { StreamSanitizer } from './sanitize.js';
import type { JsonRequest, JsonResult, LlmClient, StreamRequest, StreamResult, TokenUsage } from './types.js';

const log = getLogger('llm_utils');

/** The SDK's own messages go to our log, never to the terminal. */
const sdkLogger = {
  error: (message: string, ...rest: unknown[]) => log.warn(`openai SDK: ${message}`, { detail: rest.map(String).join(' ').slice(0, 500) }),
  warn: (message: string, ...rest: unknown[]) => log.warn(`openai SDK: ${message}`, { detail: rest.map(String).join(' ').slice(0, 500) }),
  info: (message: string) => log.debug(`openai SDK: ${message}`),
  debug: (message: string) => log.debug(`openai SDK: ${message}`),
};

export interface OpenAiLlmOptions {
  apiKey: string;
  baseUrl: string;
  /** The narrator model, shown as the client's label. */
  model: string;
  timeoutS: number;
  maxRetries: number;
  backoff?: BackoffOptions;
}

/** Why our own controller aborted a request. */
const TIMED_OUT = Symbol('timed out');
const CANCELLED = Symbol('cancelled');

/**
 * Aborts when the caller cancels, or when nothing has arrived for `timeoutMs` (before the first
 * byte, or between two chunks: `touch()` restarts the clock).
 */
class Watchdog {
  readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private readonly onCancel = () => this.controller.abort(CANCELLED);

  constructor(
    private readonly timeoutMs: number,
    private readonly outer: AbortSignal | undefined,
  ) {
    if (outer?.aborted) this.controller.abort(CANCELLED);
    outer?.addEventListener('abort', this.onCancel, { once: true });
    this.touch();
  }

  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.controller.abort(TIMED_OUT), this.timeoutMs);
  }

  get reason(): unknown {
    return this.controller.signal.reason;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.outer?.removeEventListener('abort', this.onCancel);
  }
}

/** The system's own code (`ECONNREFUSED`, `ENOTFOUND`) from the chain of causes, else a message. */
function networkReason(error: unknown): string {
  let message: string | undefined;
  for (let e = (error as { cause?: unknown }).cause; e; e = (e as { cause?: unknown }).cause) {
    const { code, message: text } = e as { code?: unknown; message?: string };
    if (typeof code === 'string') return code;
    message ??= text;
  }
  return message ?? 'connection failed';
}

export class OpenAiLlm implements LlmClient {
  readonly offline = false;
  readonly label: string;
  private readonly client: OpenAI;
  private readonly backoff: BackoffOptions;

  constructor(private readonly options: OpenAiLlmOptions) {
    this.label = options.model;
    this.client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseUrl, maxRetries: 0, timeout: options.timeoutS * 1000, logger: sdkLogger, logLevel: 'warn' });
    this.backoff = options.backoff ?? { baseMs: 1000, capMs: 30_000 };
  }

  /** Turns anything the SDK throws into an LlmError with the player's sentence. */
  private classify(error: unknown, watchdog: Watchdog): LlmError {
    if (error instanceof LlmError) return error;
    const { baseUrl, timeoutS } = this.options;
    if (watchdog.reason === TIMED_OUT || error instanceof APIConnectionTimeoutError) return new LlmError('timeout', playerMessage('timeout', { timeoutS }));
    if (watchdog.reason === CANCELLED || error instanceof APIUserAbortError) return new LlmError('cancelled', playerMessage('cancelled', {}));
    if (error instanceof APIError && typeof error.status === 'number') {
      const status = error.status;
      const reason = (error.message || '').split('\n')[0]?.slice(0, 120);
      if (status === 401 || status === 403) return new LlmError('auth', playerMessage('auth', { status }), status);
      if (status === 429) return new LlmError('rate_limit', playerMessage('rate_limit', {}), status, parseRetryAfter(error.headers?.get('retry-after')));
      if (status >= 500) return new LlmError('server', playerMessage('server', { status }), status, parseRetryAfter(error.headers?.get('retry-after')));
      return new LlmError('bad_request', playerMessage('bad_request', { status, reason }), status);
    }
    if (error instanceof APIConnectionError) return new LlmError('network', playerMessage('network', { baseUrl, reason: networkReason(error) }));
    return new LlmError('invalid_response', playerMessage('invalid_response', {}));
  }

  /** Runs one attempt after another while the failure is retryable and attempts remain. */
  private async withRetries<T>(purpose: string, model: string, signal: AbortSignal | undefined, attempt: (n: number) => Promise<T>): Promise<T> {
    for (let n = 1; ; n++) {
      try {
        return await attempt(n);
      } catch (error) {
        const failure = error as LlmError;
        const retriesLeft = n <= this.options.maxRetries;
        if (!failure.retryable || !retriesLeft || signal?.aborted) {
          log.error('LLM request failed', { purpose, model, attempt: n, kind: failure.kind, status: failure.status ?? undefined, error: failure.message });
          throw failure;
        }
        const waitMs = retryDelayMs(n, failure.retryAfterS, this.backoff);
        log.warn('LLM request failed, retrying', { purpose, model, attempt: n, kind: failure.kind, status: failure.status ?? undefined, retry_in: formatDuration(waitMs) });
        try {
          await sleep(waitMs, signal);
        } catch {
          throw new LlmError('cancelled', playerMessage('cancelled', {}));
        }
      }
    }
  }

  stream(request: StreamRequest): Promise<StreamResult> {
    if (log.isDebugEnabled()) log.debug('LLM prompt', { purpose: request.purpose, model: request.model, prompt: JSON.stringify(request.messages) });
    return this.withRetries(request.purpose, request.model, request.signal, (attempt) => this.streamOnce(request, attempt));
  }

  /** One streamed request. Fails (to be retried) before the first token; after it, returns what arrived. */
  private async streamOnce(request: StreamRequest, attempt: number): Promise<StreamResult> {
    const started = performance.now();
    const watchdog = new Watchdog(this.options.timeoutS * 1000, request.signal);
    const sanitizer = new StreamSanitizer();
    let text = '';
    let ttftMs: number | null = null;
    let chunks = 0;
    let usage: TokenUsage = { tokens_in: 0, tokens_out: 0 };
    let interruption: LlmError | null = null;
    const emit = (piece: string) => {
      if (!piece) return;
      if (ttftMs === null) ttftMs = performance.now() - started;
      text += piece;
      request.onText?.(piece);
    };
    try {
      const stream = await this.client.chat.completions.create(
        { model: request.model, messages: request.messages, stream: true, stream_options: { include_usage: true } },
        { signal: watchdog.controller.signal, maxRetries: 0 },
      );
      for await (const chunk of stream) {
        watchdog.touch();
        chunks++;
        if (chunk.usage) usage = { tokens_in: chunk.usage.prompt_tokens, tokens_out: chunk.usage.completion_tokens };
        emit(sanitizer.push(chunk.choices[0]?.delta?.content ?? ''));
      }
      // An abort during iteration can end the SDK's stream quietly instead of throwing.
      if (watchdog.controller.signal.aborted) throw new APIUserAbortError();
      emit(sanitizer.end());
    } catch (error) {
      const failure = this.classify(error, watchdog);
      if (ttftMs === null) {
        watchdog.dispose();
        throw failure;
      }
      emit(sanitizer.end());
      interruption = failure.kind === 'cancelled' ? failure : new LlmError('cut', playerMessage('cut', {}), failure.status);
    } finally {
      watchdog.dispose();
    }
    const durationMs = performance.now() - started;
    const result: StreamResult = { text, model: request.model, usage, ttftMs, durationMs, chunks, interrupted: interruption !== null, interruption, attempts: attempt };
    this.logStream(request, result);
    return result;
  }

  private logStream(request: StreamRequest, result: StreamResult): void {
    logApiCall(log, {
      service: 'llm',
      endpoint: 'chat.completions (stream)',
      status: result.interrupted ? (result.interruption?.kind ?? 'interrupted') : 200,
      durationMs: result.durationMs,
      retries: result.attempts - 1,
      tokensIn: result.usage.tokens_in,
      tokensOut: result.usage.tokens_out,
      model: result.model,
      purpose: request.purpose,
      attempt: result.attempts,
      ttft: result.ttftMs === null ? undefined : formatDuration(result.ttftMs),
      chunks: result.chunks,
    });
    logPerf(log, 'llm_stream', result.durationMs, { model: result.model, purpose: request.purpose, ttft: result.ttftMs === null ? undefined : formatDuration(result.ttftMs), chunks: result.chunks, tokens_in: result.usage.tokens_in, tokens_out: result.usage.tokens_out });
    if (log.isDebugEnabled()) log.debug('LLM narration', { purpose: request.purpose, text: result.text });
  }

  json<T>(request: JsonRequest<T>): Promise<JsonResult<T>> {
    return this.withRetries(request.purpose, request.model, request.signal, (attempt) => this.jsonOnce(request, attempt));
  }

  private async jsonOnce<T>(request: JsonRequest<T>, attempt: number): Promise<JsonResult<T>> {
    const started = performance.now();
    const watchdog = new Watchdog(this.options.timeoutS * 1000, request.signal);
    try {
      const completion = await this.client.chat.completions.create(
        {
          model: request.model,
          messages: request.messages,
          response_format: { type: 'json_schema', json_schema: { name: request.schemaName, schema: request.schema, strict: true } },
        },
        { signal: watchdog.controller.signal, maxRetries: 0 },
      );
      const content = completion.choices[0]?.message?.content ?? '';
      let value: T;
      try {
        value = request.parse(JSON.parse(content));
      } catch (error) {
        log.warn('LLM answer does not fit its schema', { purpose: request.purpose, schema: request.schemaName, error: (error as Error).message });
        throw new LlmError('invalid_response', playerMessage('invalid_response', {}));
      }
      const usage = { tokens_in: completion.usage?.prompt_tokens ?? 0, tokens_out: completion.usage?.completion_tokens ?? 0 };
      const durationMs = performance.now() - started;
      logApiCall(log, { service: 'llm', endpoint: 'chat.completions (json_schema)', status: 200, durationMs, retries: attempt - 1, tokensIn: usage.tokens_in, tokensOut: usage.tokens_out, model: request.model, purpose: request.purpose, attempt });
      return { value, usage, durationMs };
    } catch (error) {
      throw this.classify(error, watchdog);
    } finally {
      watchdog.dispose();
    }
  }
}
