import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { formatDuration } from '../logging/format.js';
import { getLogger, logApiCall, logPerf } from '../logging/logger.js';
import { LlmError, playerMessage } from './errors.js';
import { parseRetryAfter, retryDelayMs, sleep, type BackoffOptions } from './retry.js';
import { StreamSanitizer } from './sanitize.js';
import type { FinishReason } from '../store/types.js';
import type { JsonRequest, JsonResult, LlmClient, RetryWait, StreamRequest, StreamResult, TokenUsage } from './types.js';

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

/** Characters a narration may have, whatever the server sends: a generous 8 a token of `max_tokens`. */
export function narrationCharCap(maxTokens: number | undefined): number {
  return Math.max(2000, (maxTokens ?? 4096) * 8);
}

/** Characters of reasoning in a delta (`reasoning_content`, `reasoning`): counted for the log, never narrated. */
function reasoningLength(delta: unknown): number {
  const { reasoning_content, reasoning } = (delta ?? {}) as { reasoning_content?: unknown; reasoning?: unknown };
  return (typeof reasoning_content === 'string' ? reasoning_content.length : 0) + (typeof reasoning === 'string' ? reasoning.length : 0);
}

/** The player's sentence for a narration that ended without `stop`. */
function endingError(finish: FinishReason, status: number | null): LlmError {
  if (finish === 'length') return new LlmError('length', playerMessage('length', {}), status);
  if (finish === 'content_filter') return new LlmError('content_filter', playerMessage('content_filter', {}), status);
  return new LlmError('cut', playerMessage('cut', {}), status);
}

export class OpenAiLlm implements LlmClient {
  readonly offline = false;
  readonly label: string;
  private readonly client: OpenAI;
  private readonly backoff: BackoffOptions;

  constructor(private readonly options: OpenAiLlmOptions) {
    this.label = options.model;
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseUrl,
      maxRetries: 0,
      timeout: options.timeoutS * 1000,
      logger: sdkLogger,
      logLevel: 'warn',
    });
    this.backoff = options.backoff ?? { baseMs: 1000, capMs: 30_000 };
  }

  /** Turns anything the SDK throws into an LlmError with the player's sentence (counting the attempts made). */
  private classify(error: unknown, watchdog: Watchdog, attempts: number): LlmError {
    if (error instanceof LlmError) return error;
    const { baseUrl, timeoutS } = this.options;
    if (watchdog.reason === TIMED_OUT || error instanceof APIConnectionTimeoutError)
      return new LlmError('timeout', playerMessage('timeout', { timeoutS, attempts }));
    if (watchdog.reason === CANCELLED || error instanceof APIUserAbortError) return new LlmError('cancelled', playerMessage('cancelled', {}));
    if (error instanceof APIError && typeof error.status === 'number') {
      const status = error.status;
      const reason = (error.message || '').split('\n')[0]?.slice(0, 120);
      if (status === 401 || status === 403) return new LlmError('auth', playerMessage('auth', { status }), status);
      if (status === 429)
        return new LlmError('rate_limit', playerMessage('rate_limit', { attempts }), status, parseRetryAfter(error.headers?.get('retry-after')));
      if (status >= 500)
        return new LlmError('server', playerMessage('server', { status, attempts }), status, parseRetryAfter(error.headers?.get('retry-after')));
      return new LlmError('bad_request', playerMessage('bad_request', { status, reason }), status);
    }
    if (error instanceof APIConnectionError) return new LlmError('network', playerMessage('network', { baseUrl, reason: networkReason(error), attempts }));
    return new LlmError('invalid_response', playerMessage('invalid_response', { attempts }));
  }

  /**
   * Runs one attempt after another while the failure is retryable and attempts remain; the
   * caller hears of each wait, and each attempt is told how long the ones before it took.
   */
  private async withRetries<T>(
    request: {
      purpose: string;
      model: string;
      signal?: AbortSignal | undefined;
      onWait?: ((wait: RetryWait) => void) | undefined;
      maxRetries?: number | undefined;
    },
    attempt: (n: number, waitedMs: number) => Promise<T>,
  ): Promise<T> {
    const { purpose, model, signal } = request;
    const began = performance.now();
    const maxAttempts = Math.min(request.maxRetries ?? this.options.maxRetries, this.options.maxRetries) + 1;
    for (let n = 1; ; n++) {
      try {
        return await attempt(n, n === 1 ? 0 : performance.now() - began);
      } catch (error) {
        const failure = error as LlmError;
        if (!failure.retryable || n >= maxAttempts || signal?.aborted) {
          log.error('LLM request failed', { purpose, model, attempt: n, kind: failure.kind, status: failure.status ?? undefined, error: failure.message });
          throw failure;
        }
        const waitMs = retryDelayMs(n, failure.retryAfterS, this.backoff);
        log.warn('LLM request failed, retrying', {
          purpose,
          model,
          attempt: n,
          kind: failure.kind,
          status: failure.status ?? undefined,
          retry_in: formatDuration(waitMs),
        });
        request.onWait?.({ kind: failure.kind, status: failure.status, nextAttempt: n + 1, maxAttempts, waitMs });
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
    return this.withRetries(request, (attempt, waitedMs) => this.streamOnce(request, attempt, waitedMs));
  }

  /**
   * One streamed request. Fails (to be retried) before the first word; after it, returns what
   * arrived with how it ended. Complete only with the server's `finish_reason: stop`.
   */
  private async streamOnce(request: StreamRequest, attempt: number, waitedMs: number): Promise<StreamResult> {
    const started = performance.now();
    const watchdog = new Watchdog(this.options.timeoutS * 1000, request.signal);
    const sanitizer = new StreamSanitizer();
    const maxChars = narrationCharCap(request.maxTokens);
    let text = '';
    let ttftMs: number | null = null;
    let chunks = 0;
    let usage: TokenUsage = { tokens_in: 0, tokens_out: 0 };
    let serverFinish: string | null = null;
    let capped = false;
    let reasoningChars = 0;
    const emit = (arrived: string) => {
      const piece = arrived.slice(0, maxChars - text.length);
      if (!piece) return;
      if (ttftMs === null && piece.trim()) ttftMs = performance.now() - started;
      text += piece;
      request.onText?.(piece);
    };
    let broken: LlmError | null = null;
    try {
      const stream = await this.client.chat.completions.create(
        {
          model: request.model,
          messages: request.messages,
          stream: true,
          stream_options: { include_usage: true },
          ...(request.maxTokens ? { max_tokens: request.maxTokens } : {}),
          ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
        },
        { signal: watchdog.controller.signal, maxRetries: 0 },
      );
      for await (const chunk of stream) {
        watchdog.touch();
        chunks++;
        if (chunk.usage) usage = { tokens_in: chunk.usage.prompt_tokens, tokens_out: chunk.usage.completion_tokens };
        const choice = chunk.choices[0];
        if (choice?.finish_reason) serverFinish = choice.finish_reason;
        reasoningChars += reasoningLength(choice?.delta);
        emit(sanitizer.push(choice?.delta?.content ?? ''));
        if (text.length >= maxChars) {
          capped = true;
          break; // leaving the loop closes the stream
        }
      }
      // An abort during iteration can end the SDK's stream quietly instead of throwing.
      if (watchdog.controller.signal.aborted && !capped) throw new APIUserAbortError();
      if (!capped) emit(sanitizer.end());
    } catch (error) {
      broken = this.classify(error, watchdog, attempt);
      emit(sanitizer.end());
    } finally {
      watchdog.dispose();
    }
    const hasText = text.trim() !== '';
    if (!hasText) {
      // Nothing to keep: a failure is retried, and a finished answer without text is an empty narration.
      if (broken) throw broken;
      if (serverFinish === null)
        throw new LlmError(
          'network',
          playerMessage('network', { baseUrl: this.options.baseUrl, reason: 'the connection closed before the narration began', attempts: attempt }),
        );
      log.warn('LLM narration was empty', {
        purpose: request.purpose,
        model: request.model,
        finish_reason: serverFinish,
        reasoning_chars: reasoningChars || undefined,
        tokens_out: usage.tokens_out,
      });
      throw new LlmError('empty', playerMessage('empty', {}));
    }
    // A connection that breaks after the server said how the narration ended (before `[DONE]`, or
    // before the usage chunk) does not undo that ending; the player's own cancel does.
    const finishReason: FinishReason = capped ? 'length' : broken?.kind === 'cancelled' ? 'cancelled' : (serverFinish ?? 'cut');
    const interruption = finishReason === 'stop' ? null : broken?.kind === 'cancelled' ? broken : endingError(finishReason, broken?.status ?? null);
    const durationMs = performance.now() - started;
    const result: StreamResult = {
      text,
      model: request.model,
      usage,
      ttftMs,
      durationMs,
      chunks,
      interrupted: interruption !== null,
      finishReason,
      interruption,
      attempts: attempt,
      waitedMs,
    };
    this.logStream(request, result);
    return result;
  }

  private logStream(request: StreamRequest, result: StreamResult): void {
    logApiCall(log, {
      service: 'llm',
      endpoint: 'chat.completions (stream)',
      status: 200,
      durationMs: result.durationMs,
      retries: result.attempts - 1,
      tokensIn: result.usage.tokens_in,
      tokensOut: result.usage.tokens_out,
      model: result.model,
      purpose: request.purpose,
      attempt: result.attempts,
      temperature: request.temperature,
      ttft: result.ttftMs === null ? undefined : formatDuration(result.ttftMs),
      chunks: result.chunks,
      finish_reason: result.finishReason,
    });
    logPerf(log, 'llm_stream', result.durationMs, {
      model: result.model,
      purpose: request.purpose,
      ttft: result.ttftMs === null ? undefined : formatDuration(result.ttftMs),
      waited: result.waitedMs > 0 ? formatDuration(result.waitedMs) : undefined,
      chunks: result.chunks,
      tokens_in: result.usage.tokens_in,
      tokens_out: result.usage.tokens_out,
      finish_reason: result.finishReason,
    });
    if (log.isDebugEnabled()) log.debug('LLM narration', { purpose: request.purpose, text: result.text });
  }

  json<T>(request: JsonRequest<T>): Promise<JsonResult<T>> {
    return this.withRetries(request, (attempt) => this.jsonOnce(request, attempt));
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
          ...(request.maxTokens ? { max_tokens: request.maxTokens } : {}),
        },
        { signal: watchdog.controller.signal, maxRetries: 0 },
      );
      const content = completion.choices[0]?.message?.content ?? '';
      let value: T;
      try {
        value = request.parse(JSON.parse(content));
      } catch (error) {
        log.warn('LLM answer does not fit its schema', { purpose: request.purpose, schema: request.schemaName, error: (error as Error).message });
        throw new LlmError('invalid_response', playerMessage('invalid_response', { attempts: attempt }));
      }
      const usage = { tokens_in: completion.usage?.prompt_tokens ?? 0, tokens_out: completion.usage?.completion_tokens ?? 0 };
      const durationMs = performance.now() - started;
      logApiCall(log, {
        service: 'llm',
        endpoint: 'chat.completions (json_schema)',
        status: 200,
        durationMs,
        retries: attempt - 1,
        tokensIn: usage.tokens_in,
        tokensOut: usage.tokens_out,
        model: request.model,
        purpose: request.purpose,
        attempt,
      });
      return { value, usage, durationMs };
    } catch (error) {
      throw this.classify(error, watchdog, attempt);
    } finally {
      watchdog.dispose();
    }
  }
}
