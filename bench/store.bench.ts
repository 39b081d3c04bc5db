import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { SqliteStore } from '../src/store/sqlite/store.js';
import type { NewMessage, StoryState } from '../src/store/types.js';
import { ms, verdict } from './support.js';

const TURNS = 5000;
const SAMPLES = 2000;

function state(n: number): StoryState {
  return {
    world_state: `The storm has raged for ${n} hours. `.repeat(4),
    last_scene: `Scene ${n}: the lamp room, rain on the glass. `.repeat(3),
    location: 'The lamp room',
    synopsis: 'So far: the keeper vanished, the lamp went dark, the widow lies. '.repeat(10),
    characters: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`Character ${i}`, `What we know of character ${i} by turn ${n}. `.repeat(3)])),
    event: { title: `Turn ${n}`, description: `What happened at turn ${n}. `.repeat(3), characters: ['Character 1', 'Character 2'] },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Loads the session (its state) and the last 20 messages of its current branch, as a turn does. */
export async function runStoreBench(root: string): Promise<void> {
  console.log(`\n## store — SQLite, one session of ${TURNS} turns`);
  const store = SqliteStore.open(path.join(root, 'store'));
  const now = new Date();
  await store.createSession({
    id: 'bench',
    user: 'alice',
    scenario_id: 's',
    scenario_name: 'S',
    created_at: now,
    updated_at: now,
    head: null,
    turn_count: 0,
    usage: { tokens_in: 0, tokens_out: 0 },
    state: state(0),
  });
  const started = performance.now();
  let head: string | null = null;
  const narration = 'The wind tears at the shutters as you climb. '.repeat(20);
  for (let n = 1; n <= TURNS; n++) {
    const action: NewMessage = {
      id: randomUUID(),
      parent_id: head,
      sender: 'player',
      content: `I climb to the lamp room (turn ${n}).`,
      created_at: new Date(),
      narration: null,
      state: null,
    };
    const reply: NewMessage = {
      id: randomUUID(),
      parent_id: action.id,
      sender: 'StoryOS',
      content: narration,
      created_at: new Date(),
      narration: { model: 'grok', usage: { tokens_in: 2000, tokens_out: 300 }, ttft_ms: 400, duration_ms: 3000, interrupted: false, finish_reason: 'stop' },
      state: state(n),
    };
    await store.appendMessages('bench', [action, reply], {
      turn_count: n,
      usage: { tokens_in: n * 2000, tokens_out: n * 300 },
      state: state(n),
      updated_at: new Date(),
    });
    head = reply.id;
  }
  console.log(
    `wrote ${TURNS} turns (${2 * TURNS} messages) in ${ms(performance.now() - started)} (${ms((performance.now() - started) / TURNS)} a turn, each its own durable transaction)`,
  );

  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t = performance.now();
    const session = await store.getSession('bench');
    const branch = await store.getBranch('bench', session?.head as string, 20);
    times.push(performance.now() - t);
    if (branch.length !== 20 || session?.turn_count !== TURNS) throw new Error('bench: wrong data');
  }
  times.sort((a, b) => a - b);
  const p95 = percentile(times, 95);
  console.log(
    `load session state + last 20 messages: p50 ${ms(percentile(times, 50))}, p95 ${ms(p95)}, p99 ${ms(percentile(times, 99))} over ${SAMPLES} loads (target p95 ≤ 5 ms: ${verdict(p95 <= 5)})`,
  );
  await store.close();
}
