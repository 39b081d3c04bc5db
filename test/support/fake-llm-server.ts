import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake server does with one request. */
export type Script =
  | { kind: 'stream'; chunks: string[]; usage?: Usage; delayMs?: number; firstDelayMs?: number }
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
    const recorded: RecordedRequest = { path: req.url ?? '', headers: req.headers, body: text ? JSON.parse(text) : {}, receivedAt: performance.now(), closedByClient: false };
    this.requests.push(recorded);
    res.on('close', () => {
      if (!res.writableFinished) recorded.closedByClient = true;
    });
    if (req.method === 'GET' && req.url?.endsWith('/models')) {
      this.json(res, 200, { object: 'list', data: [{ id: 'grok-4-fast-reasoning', object: 'model' }, { id: 'grok-4-fast-non-reasoning', object: 'model' }] });
      return;
    }
    const streamed = recorded.body.stream === true;
    const index = this.queue.findIndex((s) => (s.kind === 'json' || (s.kind === 'status' && s.for === 'json')) !== streamed);
    const script = index === -1 ? (streamed ? { kind: 'stream' as const, chunks: DEFAULT_NARRATION } : { kind: 'json' as const, content: validStateUpdate(this.requests.length) }) : (this.queue.splice(index, 1)[0] as Script);
    await this.answer(script, recorded, res);
  }

  private json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  private chunk(res: http.ServerResponse, model: string, content: string | null, finish: string | null = null): void {
    const data = { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1700000000, model, choices: [{ index: 0, delta: content === null ? {} : { content }, finish_reason: finish }] };
    res.write(`data: ${JSON.stringify(data)}\n\n`);
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
      default:
        break;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();
    const chunks = script.kind === 'stream' ? script.chunks : (script.chunks ?? []);
    if (script.kind === 'stream') await wait(script.firstDelayMs);
    for (const [i, content] of chunks.entries()) {
      if (res.destroyed) return;
      if (i > 0 && script.kind === 'stream') await wait(script.delayMs);
      this.chunk(res, model, content);
    }
    if (script.kind === 'stall') return;
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
    this.chunk(res, model, null, 'stop');
    const usage = script.usage ?? usageOf(request, Math.ceil(chunks.join('').length / 4));
    if (request.body.stream_options?.include_usage) {
      res.write(`data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1700000000, model, choices: [], usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } })}\n\n`);
    }
    res.write('data: [DONE]\n\n');
    res.end();
  }
}
