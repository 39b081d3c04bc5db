import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LlmError } from '../../src/llm/errors.js';
import { OpenAiLlm, type OpenAiLlmOptions } from '../../src/llm/openai-client.js';
import type { StreamRequest } from '../../src/llm/types.js';
import { DEFAULT_NARRATION, FakeLlmServer, validStateUpdate, type Script } from '../support/fake-llm-server.js';
import { logInto, readLog } from '../support/logging.js';
import { tempDir } from '../support/temp.js';
import { until } from '../support/wait.js';

let server: FakeLlmServer;
beforeEach(async () => {
  server = await new FakeLlmServer().start();
});
afterEach(async () => {
  await server.stop();
});

function client(options: Partial<OpenAiLlmOptions> = {}): OpenAiLlm {
  return new OpenAiLlm({
    apiKey: 'xai-test-key-0123456789',
    baseUrl: server.url,
    model: 'grok-test',
    timeoutS: 2,
    maxRetries: 3,
    backoff: { baseMs: 5, capMs: 50 },
    ...options,
  });
}

function request(overrides: Partial<StreamRequest> = {}): StreamRequest & { pieces: string[] } {
  const pieces: string[] = [];
  return {
    model: 'grok-test',
    messages: [{ role: 'user', content: 'I open the door.' }],
    purpose: 'turn',
    onText: (t) => pieces.push(t),
    pieces,
    ...overrides,
  };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => Promise.reject(new Error('expected a failure')),
    (e: unknown) => e as LlmError,
  );

describe('streaming through the openai SDK', () => {
  it('streams the text piece by piece, with usage from the final chunk', async () => {
    server.script({ kind: 'stream', chunks: ['Hello ', 'there, ', 'traveller.'], usage: { prompt_tokens: 321, completion_tokens: 7 } });
    const req = request();
    const result = await client().stream(req);
    expect(req.pieces).toEqual(['Hello ', 'there, ', 'traveller.']);
    expect(result).toMatchObject({
      text: 'Hello there, traveller.',
      usage: { tokens_in: 321, tokens_out: 7 },
      interrupted: false,
      attempts: 1,
      model: 'grok-test',
    });
    expect(result.ttftMs).toBeGreaterThan(0);
    expect(result.chunks).toBeGreaterThanOrEqual(4);
    const sent = server.requests[0];
    expect(sent?.body).toMatchObject({
      model: 'grok-test',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'I open the door.' }],
    });
    expect(sent?.headers.authorization).toBe('Bearer xai-test-key-0123456789');
  });

  it('retries a 429, honouring Retry-After, and then succeeds', async () => {
    server.script({ kind: 'status', status: 429, headers: { 'retry-after': '0.3' } }, { kind: 'stream', chunks: DEFAULT_NARRATION });
    const result = await client().stream(request());
    expect(result.attempts).toBe(2);
    expect(result.text).toBe(DEFAULT_NARRATION.join(''));
    const [first, second] = server.requests;
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(280);
  });

  it('does not retry a rejected key, and says what to do', async () => {
    server.script({ kind: 'status', status: 401 });
    const error = await failure(client().stream(request()));
    expect(error).toBeInstanceOf(LlmError);
    expect(error.kind).toBe('auth');
    expect(error.message).toBe('The narrator refused the API key (HTTP 401): check XAI_API_KEY, or play offline with `storyos play --offline`.');
    expect(server.requests).toHaveLength(1);
  });

  it('gives up on server errors after the configured retries', async () => {
    server.script({ kind: 'status', status: 500 }, { kind: 'status', status: 502 }, { kind: 'status', status: 503 });
    const error = await failure(client({ maxRetries: 2 }).stream(request()));
    expect([error.kind, error.status]).toEqual(['server', 503]);
    expect(error.message).toBe("The narrator's service failed (HTTP 503) (3 attempts); /retry to try again.");
    expect(server.requests).toHaveLength(3);
  });

  it('times out a stall before the first token, closing the connection, and retries it', async () => {
    server.script({ kind: 'stall' }, { kind: 'stream', chunks: ['Back again.'] });
    const result = await client({ timeoutS: 0.3 }).stream(request());
    expect([result.text, result.attempts]).toEqual(['Back again.', 2]);
    expect(await until(() => server.requests[0]?.closedByClient === true)).toBe(true);
    server.script({ kind: 'stall' });
    const error = await failure(client({ timeoutS: 0.3, maxRetries: 0 }).stream(request()));
    expect(error.kind).toBe('timeout');
    expect(error.message).toBe('The narrator went silent for 0.3 seconds; /retry to try again.');
  });

  it('keeps the partial text, marked interrupted, when the stream stalls or is cut mid-way', async () => {
    server.script({ kind: 'stall', chunks: ['The door ', 'creaks '] });
    const stalled = await client({ timeoutS: 0.3 }).stream(request());
    expect(stalled).toMatchObject({ text: 'The door creaks ', interrupted: true, attempts: 1 });
    expect(stalled.interruption?.kind).toBe('cut');
    expect(await until(() => server.requests[0]?.closedByClient === true)).toBe(true);

    server.script({ kind: 'disconnect', chunks: ['A shadow ', 'moves'] });
    const cut = await client().stream(request());
    expect(cut).toMatchObject({ text: 'A shadow moves', interrupted: true });
    expect(cut.interruption?.message).toBe('The narration was cut off mid-way; the partial text is kept, and /retry asks for a new one.');
    expect(server.requests).toHaveLength(2);
  });

  it('treats a malformed chunk like a cut stream, and retries one that comes before any text', async () => {
    server.script({ kind: 'malformed', chunks: ['Half a '] });
    const cut = await client().stream(request());
    expect(cut).toMatchObject({ text: 'Half a ', interrupted: true });
    server.script({ kind: 'malformed' }, { kind: 'stream', chunks: ['Whole.'] });
    expect((await client().stream(request())).text).toBe('Whole.');
  });

  it('removes escape sequences and control characters, even split across chunks', async () => {
    server.script({
      kind: 'stream',
      chunks: ['Red \u001b[3', '1mtext\u001b[0m and \u001b]0;evil title\u0007a bell\u0007, ', 'carriage\rreturn, \u009b2Jclear.\u001b'],
    });
    const req = request();
    const result = await client().stream(req);
    expect(result.text).toBe('Red text and a bell, carriagereturn, clear.');
    expect(req.pieces.join('')).toBe(result.text);
    for (const piece of req.pieces) expect(piece).not.toMatch(/[\u001b\u0007\r\u009b]/);
  });

  it('cancels: the HTTP request is aborted, the server sees the connection close, and the text so far is kept', async () => {
    server.script({ kind: 'stream', chunks: ['One ', 'two ', 'three ', 'four '], delayMs: 150 });
    const controller = new AbortController();
    const req = request({ signal: controller.signal });
    req.onText = (t) => {
      req.pieces.push(t);
      if (req.pieces.length === 2) controller.abort();
    };
    const result = await client().stream(req);
    expect(result).toMatchObject({ text: 'One two ', interrupted: true });
    expect(result.interruption?.kind).toBe('cancelled');
    expect(await until(() => server.requests[0]?.closedByClient === true)).toBe(true);
  });

  it('cancels before the first token without retrying', async () => {
    server.script({ kind: 'stream', chunks: ['late'], firstDelayMs: 500 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await failure(client().stream(request({ signal: controller.signal })));
    expect(error.kind).toBe('cancelled');
    expect(server.requests).toHaveLength(1);
  });

  it('explains an endpoint it cannot reach', async () => {
    await server.stop();
    const error = await failure(client({ maxRetries: 1 }).stream(request()));
    expect(error.kind).toBe('network');
    expect(error.message).toMatch(
      /^Cannot reach the narrator at http:\/\/127\.0\.0\.1:\d+\/v1 \(ECONNREFUSED\) \(2 attempts\); check the connection, then \/retry\.$/,
    );
  });

  it('logs each call with model, attempt, status, TTFT, chunks and tokens, and never the key', async () => {
    const dir = tempDir();
    logInto(dir, { STORYOS_LOG_LEVEL: 'DEBUG' }, ['xai-test-key-0123456789']);
    server.script(
      { kind: 'status', status: 429, headers: { 'retry-after': '0' } },
      { kind: 'stream', chunks: ['Hi.'], usage: { prompt_tokens: 10, completion_tokens: 2 } },
    );
    await client().stream(request());
    const text = readLog(dir);
    expect(text).toMatch(
      /\[WARN\] \[llm_utils\] LLM request failed, retrying \(purpose: turn, model: grok-test, attempt: 1, kind: rate_limit, status: 429, retry_in: 0\.00s\)/,
    );
    expect(text).toMatch(
      /\[INFO\] \[llm_utils\] API call: llm chat\.completions \(stream\) \(status: 200, duration: \d+\.\d\ds, retries: 1, tokens_in: 10, tokens_out: 2, model: grok-test, purpose: turn, attempt: 2, ttft: \d+\.\d\ds, chunks: \d+, finish_reason: stop\)/,
    );
    expect(text).toMatch(/\[PERF\] \[llm_utils\] llm_stream completed \(duration: \d+\.\d\ds, model: grok-test, purpose: turn, ttft: /);
    expect(text).toContain('[DEBUG] [llm_utils] LLM narration (purpose: turn, text: Hi.)');
    expect(text).not.toContain('xai-test-key-0123456789');
  });
});

describe('how a narration ends (finish_reason)', () => {
  it("is complete only with the server's stop, which it records", async () => {
    server.script({ kind: 'stream', chunks: ['All told.'] });
    const result = await client().stream(request());
    expect(result).toMatchObject({ text: 'All told.', finishReason: 'stop', interrupted: false, interruption: null, waitedMs: 0 });
  });

  it.each([
    ['a stream that ends without a finish_reason', { kind: 'stream', chunks: ['The tide ', 'turns'], finish: null }],
    ['a connection closed cleanly mid-stream (a proxy)', { kind: 'close', chunks: ['The tide ', 'turns'] }],
    ['a reset connection', { kind: 'reset', chunks: ['The tide ', 'turns'] }],
    ['an HTTP/1.1 answer with neither length nor chunking', { kind: 'unframed', chunks: ['The tide ', 'turns'] }],
  ] satisfies Array<[string, Script]>)('marks %s as cut, keeping the text', async (_name, script) => {
    server.script(script);
    const result = await client().stream(request());
    expect(result).toMatchObject({ text: 'The tide turns', finishReason: 'cut', interrupted: true });
    expect(result.interruption?.message).toBe('The narration was cut off mid-way; the partial text is kept, and /retry asks for a new one.');
  });

  it('keeps the ending the server gave when the connection breaks after it', async () => {
    server.script({ kind: 'reset', chunks: ['Whole story.'], finishBeforeCut: 'stop' });
    expect(await client().stream(request())).toMatchObject({ text: 'Whole story.', finishReason: 'stop', interrupted: false });
  });

  it("keeps the server's own ending: length and content_filter, each with its sentence", async () => {
    server.script({ kind: 'stream', chunks: ['On and on'], finish: 'length' }, { kind: 'stream', chunks: ['Then the'], finish: 'content_filter' });
    const long = await client().stream(request());
    expect(long).toMatchObject({ finishReason: 'length', interrupted: true });
    expect(long.interruption?.message).toBe('The narrator reached its length limit; /continue goes on.');
    const filtered = await client().stream(request());
    expect(filtered).toMatchObject({ finishReason: 'content_filter', interrupted: true });
    expect(filtered.interruption?.kind).toBe('content_filter');
  });

  it('retries a connection closed before any text, then says so', async () => {
    server.script({ kind: 'close', chunks: [] }, { kind: 'stream', chunks: ['Second try.'] });
    expect(await client().stream(request())).toMatchObject({ text: 'Second try.', attempts: 2, finishReason: 'stop' });
    server.script({ kind: 'close', chunks: [] }, { kind: 'close', chunks: [] });
    const error = await failure(client({ maxRetries: 1 }).stream(request()));
    expect(error.kind).toBe('network');
    expect(error.message).toContain('the connection closed before the narration began');
  });

  it('refuses an empty answer (whitespace, or reasoning only) without retrying, and never narrates the reasoning', async () => {
    server.script({ kind: 'stream', chunks: [] });
    expect((await failure(client().stream(request()))).kind).toBe('empty');
    server.script({ kind: 'stream', chunks: ['  ', '\n'] });
    expect((await failure(client().stream(request()))).kind).toBe('empty');
    const req = request();
    server.script({ kind: 'stream', chunks: [], reasoning: ['Let me think ', 'about the tide.'] });
    const error = await failure(client().stream(req));
    expect(error.kind).toBe('empty');
    expect(error.message).toBe('The narrator answered with no story (a reasoning model may have spent its budget thinking); /retry sends your action again.');
    expect(req.pieces.join('')).not.toContain('think');
    expect(server.requests).toHaveLength(3);
    server.script({ kind: 'stream', chunks: ['The tide.'], reasoning: ['Hidden thoughts.'] });
    expect((await client().stream(request())).text).toBe('The tide.');
  });
});

describe('bounded narration', () => {
  it('asks for max_tokens, and closes a stream past the character cap, ending it as length', async () => {
    server.script({ kind: 'flood', total: 20_000_000, piece: 16_384 });
    const req = request({ maxTokens: 500 });
    const result = await client().stream(req);
    expect(server.requests[0]?.body).toMatchObject({ max_tokens: 500 });
    expect(result.text.length).toBe(4000);
    expect(req.pieces.join('').length).toBe(4000);
    expect(result).toMatchObject({ finishReason: 'length', interrupted: true });
    expect(await until(() => server.requests[0]?.closedByClient === true)).toBe(true);
  });
});

describe('waiting between attempts', () => {
  it('tells each wait with the attempt, and keeps TTFT for the attempt that answered apart from the wait', async () => {
    server.script(
      { kind: 'status', status: 429, headers: { 'retry-after': '0.2' } },
      { kind: 'status', status: 503 },
      { kind: 'stream', chunks: ['At last.'] },
    );
    const waits: unknown[] = [];
    const result = await client({ backoff: { baseMs: 100, capMs: 100, random: () => 1 } }).stream(request({ onWait: (w) => waits.push(w) }));
    expect(waits).toEqual([
      { kind: 'rate_limit', status: 429, nextAttempt: 2, maxAttempts: 4, waitMs: 200 },
      { kind: 'server', status: 503, nextAttempt: 3, maxAttempts: 4, waitMs: 100 },
    ]);
    expect(result.attempts).toBe(3);
    expect(result.waitedMs).toBeGreaterThanOrEqual(290);
    expect(result.ttftMs).toBeLessThan(result.waitedMs);
  });

  it('counts the attempts in the final sentence after timeouts', async () => {
    server.script({ kind: 'stall' }, { kind: 'stall' }, { kind: 'stall' });
    const error = await failure(client({ timeoutS: 0.2, maxRetries: 2 }).stream(request()));
    expect(error.message).toBe('The narrator went silent for 0.2 seconds, 3 times in a row; /retry to try again.');
  });
});

describe('structured answers (json_schema)', () => {
  const schema = { type: 'object', properties: { title: { type: 'string' } }, required: ['title'], additionalProperties: false };
  const parse = (data: unknown) => {
    if (typeof (data as { title?: unknown }).title !== 'string') throw new Error('title must be a string');
    return data as { title: string };
  };

  it('sends response_format json_schema and returns the checked value', async () => {
    server.script({ kind: 'json', content: '{"title": "The bell"}', usage: { prompt_tokens: 50, completion_tokens: 5 } });
    const result = await client().json({
      model: 'grok-summary',
      messages: [{ role: 'user', content: 'sum up' }],
      schemaName: 'story_update',
      schema,
      parse,
      purpose: 'summary_update',
    });
    expect(result.value).toEqual({ title: 'The bell' });
    expect(result.usage).toEqual({ tokens_in: 50, tokens_out: 5 });
    expect(server.requests[0]?.body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'story_update', schema, strict: true } });
    expect(server.requests[0]?.body.stream).toBeUndefined();
  });

  it('retries an answer that is not JSON or does not fit, then gives up', async () => {
    server.script({ kind: 'json', content: 'not json' }, { kind: 'json', content: '{"title": 3}' }, { kind: 'json', content: '{"title": "ok"}' });
    const ok = await client().json({ model: 'm', messages: [], schemaName: 's', schema, parse, purpose: 'summary_update' });
    expect(ok.value.title).toBe('ok');
    server.script({ kind: 'json', content: '[]' }, { kind: 'json', content: '{}' });
    const error = await failure(client({ maxRetries: 1 }).json({ model: 'm', messages: [], schemaName: 's', schema, parse, purpose: 'summary_update' }));
    expect(error.kind).toBe('invalid_response');
    expect(validStateUpdate()).toContain('event_title');
  });
});
