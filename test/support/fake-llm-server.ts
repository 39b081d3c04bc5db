import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake server does with one request. */
export type Script =
  /**
   * A streamed answer. `finish` is the last chunk's finish_reason (`stop` by default; null sends
   * none, as when a proxy ends the stream early); `reasoning` comes first as `reasoning_content`.
   */
  | { kind: 'stream'; chunks: string[]; usage?: Usage; delayMs?: number; firstDelayMs?: number; finish?: string | null; reasoning?: string[] }
  /** Sends these chunks, then ends the response cleanly: no finish_reason, no `[DONE]`. */
  | { kind: 'close'; chunks: string[] }
  /** Sends these chunks (and, with `finishBeforeCut`, a chunk with that finish_reason), then resets the connection (TCP RST). */
  | { kind: 'reset'; chunks: string[]; finishBeforeCut?: string }
  /** An HTTP/1.1 answer with neither length nor chunking: these chunks, then the socket closes. */
  | { kind: 'unframed'; chunks: string[] }
  /** `total` characters of narration in pieces of `piece`, as fast as the client reads them. */
  | { kind: 'flood'; total: number; piece: number }
  | { kind: 'json'; content: string; usage?: Usage; delayMs?: number }
  /** An HTTP error for the next streamed request, or with `for: 'json'` the next structured one. */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown; for?: 'stream' | 'json' }
  /** Sends these chunks, then nothing more while keeping the connection open. */
  | { kind: 'stall'; chunks?: string[] }
  /** Sends these chunks, then destroys the connection. */
  | { kind: 'disconnect'; chunks: string[] }
  /** Sends these chunks, then a line of SSE data that is not JSON. */
  | { kind: 'malformed'; chunks?: string[] };

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
}

export interface RecordedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: {
    model?: string;
    stream?: boolean;
    messages?: Array<{ role: string; content: string }>;
    response_format?: { type: string; json_schema?: { name: string; schema: unknown; strict?: boolean } };
    stream_options?: { include_usage?: boolean };
    temperature?: number;
    max_tokens?: number;
  };
  receivedAt: number;
  /** The client closed the connection before the server finished answering. */
  closedByClient: boolean;
}

export const DEFAULT_NARRATION = ['The fog ', 'thickens ', 'around the ', 'lighthouse. ', 'Somewhere ', 'below, a ', 'bell tolls. ', 'What do you do?'];

/** A state update that passes the engine's schema. */
export function validStateUpdate(turn = 1): string {
  return JSON.stringify({
    event_title: `Turn ${turn}`,
    event_summary: `Something happened on turn ${turn}.`,
    involved_characters: ['Widow Harrow'],
    character_updates: [{ name: 'Widow Harrow', summary: `Keeps a secret (turn ${turn}).` }],
    world_state: `The storm, turn ${turn}.`,
    last_scene: `The lamp room at turn ${turn}.`,
    location: 'The lamp room',
    synopsis: `The keeper vanished; ${turn} turns played.`,
  });
}

function usageOf(request: RecordedRequest, completionTokens: number): Usage {
  const promptChars = (request.body.messages ?? []).reduce((n, m) => n + m.content.length, 0);
  return { prompt_tokens: Math.ceil(promptChars / 4), completion_tokens: completionTokens };
}

/**
 * An OpenAI-compatible chat-completions server on 127.0.0.1 for tests: scripted answers are
 * used in order; when none is queued, streams get DEFAULT_NARRATION and JSON requests a valid
 * state update. It records every request and whether the client hung up early.
 */
export class FakeLlmServer {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: Script[] = [];
  /** Answers used when nothing is queued (by default, DEFAULT_NARRATION and a valid state update). */
  private defaults: { stream?: (request: RecordedRequest) => Script; json?: (request: RecordedRequest) => Script } = {};
  private readonly sockets = new Set<import('node:net').Socket>();
  private server: http.Server | null = null;
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  /**
   * Queues answers, in order. A streamed request takes the first queued stream answer (stream,
   * stall, disconnect, malformed, or a status for streams); a structured request the first json
   * answer (json, or a status `for: 'json'`). So a background state update never takes the
   * answer meant for the next turn.
   */
  script(...scripts: Script[]): this {
    this.queue.push(...scripts);
    return this;
  }

  /** What every unscripted request of a kind gets from now on: e.g. a summary model that always answers invalid JSON. */
  answerByDefault(defaults: { stream?: (request: RecordedRequest) => Script; json?: (request: RecordedRequest) => Script }): this {
    this.defaults = { ...this.defaults, ...defaults };
    return this;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const recorded: RecordedRequest = {
      path: req.url ?? '',
      headers: req.headers,
      body: text ? JSON.parse(text) : {},
      receivedAt: performance.now(),
      closedByClient: false,
    };
    this.requests.push(recorded);
    res.on('close', () => {
      if (!res.writableFinished) recorded.closedByClient = true;
    });
    if (req.method === 'GET' && req.url?.endsWith('/models')) {
      this.json(res, 200, {
        object: 'list',
        data: [
          { id: 'grok-4-fast-reasoning', object: 'model' },
          { id: 'grok-4-fast-non-reasoning', object: 'model' },
        ],
      });
      return;
    }
    const streamed = recorded.body.stream === true;
    const index = this.queue.findIndex((s) => (s.kind === 'json' || (s.kind === 'status' && s.for === 'json')) !== streamed);
    const script = index === -1 ? this.unscripted(recorded) : (this.queue.splice(index, 1)[0] as Script);
    await this.answer(script, recorded, res);
  }

  private unscripted(request: RecordedRequest): Script {
    if (request.body.stream === true) return this.defaults.stream?.(request) ?? { kind: 'stream', chunks: DEFAULT_NARRATION };
    return this.defaults.json?.(request) ?? { kind: 'json', content: validStateUpdate(this.requests.length) };
  }

  private json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  private chunk(
    res: http.ServerResponse,
    model: string,
    content: string | null,
    finish: string | null = null,
    field: 'content' | 'reasoning_content' = 'content',
  ): boolean {
    const data = {
      id: 'chatcmpl-fake',
      object: 'chat.completion.chunk',
      created: 1700000000,
      model,
      choices: [{ index: 0, delta: content === null ? {} : { [field]: content }, finish_reason: finish }],
    };
    return res.write(`data: ${JSON.stringify(data)}\n\n`);
  }

  /** Written straight to the socket: a status line and headers with no length and no chunking. */
  private async unframed(res: http.ServerResponse, model: string, chunks: string[]): Promise<void> {
    const socket = res.socket;
    if (!socket) return;
    socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n');
    for (const content of chunks) {
      const data = {
        id: 'chatcmpl-fake',
        object: 'chat.completion.chunk',
        created: 1700000000,
        model,
        choices: [{ index: 0, delta: { content }, finish_reason: null }],
      };
      socket.write(`data: ${JSON.stringify(data)}\n\n`);
    }
    await new Promise((r) => setTimeout(r, 50));
    socket.end();
  }

  private async flood(res: http.ServerResponse, model: string, total: number, piece: number): Promise<void> {
    const text = 'All work and no play. '.repeat(Math.ceil(piece / 22)).slice(0, piece);
    for (let sent = 0; sent < total && !res.destroyed; sent += piece) {
      if (!this.chunk(res, model, text)) await new Promise((r) => res.once('drain', r).once('close', r));
    }
    if (res.destroyed) return;
    this.chunk(res, model, null, 'stop');
    res.write('data: [DONE]\n\n');
    res.end();
  }

  private async answer(script: Script, request: RecordedRequest, res: http.ServerResponse): Promise<void> {
    const model = request.body.model ?? 'fake-model';
    const wait = (ms: number | undefined) => (ms ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());
    switch (script.kind) {
      case 'status':
        this.json(res, script.status, script.body ?? { error: { message: `fake error ${script.status}`, type: 'fake' } }, script.headers);
        return;
      case 'json': {
        await wait(script.delayMs);
        const usage = script.usage ?? usageOf(request, Math.ceil(script.content.length / 4));
        this.json(res, 200, {
          id: 'chatcmpl-fake',
          object: 'chat.completion',
          created: 1700000000,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: script.content }, finish_reason: 'stop' }],
          usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
        });
        return;
      }
      case 'unframed':
        await this.unframed(res, model, script.chunks);
        return;
      default:
        break;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();
    if (script.kind === 'flood') return this.flood(res, model, script.total, script.piece);
    const chunks = script.kind === 'stream' ? script.chunks : (script.chunks ?? []);
    if (script.kind === 'stream') {
      await wait(script.firstDelayMs);
      for (const thought of script.reasoning ?? []) this.chunk(res, model, thought, null, 'reasoning_content');
    }
    for (const [i, content] of chunks.entries()) {
      if (res.destroyed) return;
      if (i > 0 && script.kind === 'stream') await wait(script.delayMs);
      this.chunk(res, model, content);
    }
    if (script.kind === 'stall') return;
    if (script.kind === 'close') {
      await wait(20);
      res.end();
      return;
    }
    if (script.kind === 'reset') {
      if (script.finishBeforeCut) this.chunk(res, model, null, script.finishBeforeCut);
      await wait(50);
      res.socket?.resetAndDestroy();
      return;
    }
    if (script.kind === 'disconnect') {
      await wait(50); // let the chunks reach the client before the cut
      res.socket?.destroy();
      return;
    }
    if (script.kind === 'malformed') {
      res.write('data: {"id": "chatcmpl-fake", "choices": [{"delta": {"content": "bro\n\n');
      res.end();
      return;
    }
    const finish = script.kind === 'stream' && script.finish !== undefined ? script.finish : 'stop';
    if (finish !== null) this.chunk(res, model, null, finish);
    const usage = (script.kind === 'stream' ? script.usage : undefined) ?? usageOf(request, Math.ceil(chunks.join('').length / 4));
    if (request.body.stream_options?.include_usage) {
      res.write(
        `data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1700000000, model, choices: [], usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } })}\n\n`,
      );
    }
    res.write('data: [DONE]\n\n');
    res.end();
  }
}
