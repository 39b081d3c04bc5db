import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Accounts } from '../src/auth/accounts.js';
import { parseConfig } from '../src/config/env.js';
import { GameEngine } from '../src/game/engine.js';
import { seedStore } from '../src/game/seed.js';
import { OpenAiLlm } from '../src/llm/openai-client.js';
import { configureLogging, shutdownLogging } from '../src/logging/setup.js';
import { SqliteStore } from '../src/store/sqlite/store.js';
import type { NewMessage, PublicUser, StoryState } from '../src/store/types.js';
import { FakeLlmServer } from '../test/support/fake-llm-server.js';
import { ms, verdict } from './support.js';

const SAMPLES = 60;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

const state = (n: number): StoryState => ({
  world_state: 'The storm rages. '.repeat(10),
  last_scene: `Scene ${n}. `.repeat(10),
  location: 'The lamp room',
  synopsis: 'The keeper vanished and the lamp went dark. '.repeat(12),
  characters: { 'Widow Harrow': 'Keeps house; hides something.', Tobiah: 'Her grandson; curious.' },
  event: { title: `Turn ${n}`, description: `What happened at turn ${n}.`, characters: ['Tobiah'] },
});

/** Writes `turns` turns straight into the store, so that a session is long before the engine plays on it. */
async function prefill(store: SqliteStore, sessionId: string, turns: number): Promise<void> {
  let head = (await store.getSession(sessionId))?.head ?? null;
  for (let n = 1; n <= turns; n++) {
    const action: NewMessage = {
      id: randomUUID(),
      parent_id: head,
      sender: 'player',
      content: `I search room ${n}.`,
      created_at: new Date(),
      narration: null,
      state: null,
    };
    const reply: NewMessage = {
      id: randomUUID(),
      parent_id: action.id,
      sender: 'StoryOS',
      content: 'The wind answers. '.repeat(30),
      created_at: new Date(),
      narration: { model: 'grok', usage: { tokens_in: 2000, tokens_out: 300 }, ttft_ms: 300, duration_ms: 2000, interrupted: false, finish_reason: 'stop' },
      state: state(n),
    };
    await store.appendMessages(sessionId, [action, reply], { turn_count: n, usage: { tokens_in: 0, tokens_out: 0 }, state: state(n), updated_at: new Date() });
    head = reply.id;
  }
}

interface Latencies {
  toRequest: number[];
  toPersisted: number[];
}

async function measureTurns(engine: GameEngine, user: PublicUser, sessionId: string, server: FakeLlmServer, persistedAt: { at: number }): Promise<Latencies> {
  const out: Latencies = { toRequest: [], toPersisted: [] };
  for (let i = 0; i < SAMPLES; i++) {
    await engine.settled(sessionId);
    const before = server.requests.length;
    let lastToken = 0;
    const submitted = performance.now();
    await engine.takeTurn(user, sessionId, `I try the door number ${i}.`, { onText: () => (lastToken = performance.now()) });
    const request = server.requests.slice(before).find((r) => r.body.stream);
    if (!request) throw new Error('bench: no narration request');
    out.toRequest.push(request.receivedAt - submitted);
    out.toPersisted.push(persistedAt.at - lastToken);
  }
  await engine.settled(sessionId);
  return out;
}

export async function runEngineBench(root: string): Promise<void> {
  console.log(`\n## engine — latency the app adds to a turn (fake narrator answering at once, ${SAMPLES} turns each)`);
  const config = parseConfig({ STORYOS_LOG_DIR: path.join(root, 'engine-logs') }, root);
  configureLogging(config, { console: 'off', colour: false });
  const server = await new FakeLlmServer().start();
  const store = SqliteStore.open(path.join(root, 'engine-store'));
  await seedStore(store);
  const user = await new Accounts(store).createUser('bench', 'password123', 'user', 'bench');
  const persistedAt = { at: 0 };
  const timedStore = Object.create(store) as SqliteStore;
  timedStore.appendMessages = async (...args) => {
    await store.appendMessages(...args);
    persistedAt.at = performance.now();
  };
  const llm = new OpenAiLlm({ apiKey: 'bench-key', baseUrl: server.url, model: 'grok-bench', timeoutS: 10, maxRetries: 0 });
  const engine = new GameEngine({ store: timedStore, llm, narratorModel: 'grok-bench', summaryModel: 'grok-bench-summary' });
  try {
    const early = await engine.newSession(user, 'the-lighthouse-at-gull-point');
    const atStart = await measureTurns(engine, user, early.session.id, server, persistedAt);
    const late = await engine.newSession(user, 'the-lighthouse-at-gull-point');
    await engine.settled();
    await prefill(store, late.session.id, 5000);
    const atLength = await measureTurns(engine, user, late.session.id, server, persistedAt);
    for (const [label, l] of [
      ['turn 1', atStart],
      ['turn 5,000', atLength],
    ] as const) {
      const sent = percentile(l.toRequest, 95);
      const saved = percentile(l.toPersisted, 95);
      console.log(
        `${label.padEnd(10)} action → request sent p50 ${ms(percentile(l.toRequest, 50))} p95 ${ms(sent)} (${verdict(sent <= 10)}); last token → persisted p50 ${ms(percentile(l.toPersisted, 50))} p95 ${ms(saved)} (${verdict(saved <= 10)}); target p95 ≤ 10 ms`,
      );
    }
  } finally {
    await server.stop();
    await store.close();
    await shutdownLogging();
  }
}
