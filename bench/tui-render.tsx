/**
 * Child process of the TUI benchmark: loads a game of N turns into the real game screen (Ink,
 * fake terminal streams), plays turns narrated by the offline narrator, and prints Ink's render
 * time per frame drawn while narration streams, and the resident memory. Usage: tsx tui-render.tsx TURNS
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { render } from 'ink';
import { buildServices } from '../src/cli/play/tui.js';
import { parseConfig } from '../src/config/env.js';
import { GameEngine } from '../src/game/engine.js';
import { seedStore } from '../src/game/seed.js';
import { OfflineLlm } from '../src/llm/offline.js';
import { SqliteStore } from '../src/store/sqlite/store.js';
import type { NewMessage, StoryState } from '../src/store/types.js';
import { CancelContext } from '../src/tui/cancel.js';
import { ServicesContext } from '../src/tui/context.js';
import { GameScreen } from '../src/tui/screens/GameScreen.js';

class FakeStdout extends EventEmitter {
  columns = 100;
  rows = 40;
  isTTY = true;
  write(): boolean {
    return true;
  }
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write(data: string) {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  }
  read() {
    const data = this.data;
    this.data = null;
    return data;
  }
  setRawMode() {}
  setEncoding() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

const turns = Number(process.argv[2] ?? '10');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storyos-tui-bench-'));
const store = SqliteStore.open(dir);
await seedStore(store);
const engine = new GameEngine({ store, llm: new OfflineLlm(4), narratorModel: 'offline', summaryModel: 'offline' });
const services = buildServices(parseConfig({ STORYOS_LOG_DIR: dir, STORYOS_LOG_TO_FILE: 'false' }, dir), store, engine);
const user = await services.accounts.createUser('bench', 'password123', 'user', 'bench');
const { session } = await engine.newSession(user, 'neon-rain');
await engine.settled();
const state = (n: number): StoryState => ({
  world_state: 'Rain.',
  last_scene: `Scene ${n}`,
  location: 'Office',
  synopsis: 'A long story.',
  characters: {},
  event: { title: `T${n}`, description: 'd', characters: [] },
});
let head = session.head;
for (let n = 1; n <= turns; n++) {
  const action: NewMessage = {
    id: randomUUID(),
    parent_id: head,
    sender: 'player',
    content: `I try door ${n}.`,
    created_at: new Date(),
    narration: null,
    state: null,
  };
  const reply: NewMessage = {
    id: randomUUID(),
    parent_id: action.id,
    sender: 'StoryOS',
    content: `**Door ${n}** opens onto *rain*.\n\n${'The neon hums and the street below is loud. '.repeat(8)}`,
    created_at: new Date(),
    narration: { model: 'm', usage: { tokens_in: 1, tokens_out: 1 }, ttft_ms: 1, duration_ms: 1, interrupted: false, finish_reason: 'stop' },
    state: state(n),
  };
  await store.appendMessages(session.id, [action, reply], { turn_count: n, usage: { tokens_in: n, tokens_out: n }, state: state(n), updated_at: new Date() });
  head = reply.id;
}

const renderTimes: number[] = [];
let measuring = false;
const stdin = new FakeStdin();
const app = render(
  <ServicesContext.Provider value={services}>
    <CancelContext.Provider value={{ current: null, inFlight: null }}>
      <GameScreen user={user} start={{ kind: 'load', sessionId: session.id }} onMenu={() => {}} onQuit={() => {}} />
    </CancelContext.Provider>
  </ServicesContext.Provider>,
  {
    stdout: new FakeStdout() as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    exitOnCtrlC: false,
    patchConsole: false,
    onRender: ({ renderTime }) => measuring && renderTimes.push(renderTime),
  },
);
await new Promise((r) => setTimeout(r, 1500));
for (let i = 0; i < 5; i++) {
  await engine.settled();
  measuring = true;
  stdin.write(`I look around, turn ${i}\r`);
  await new Promise((r) => setTimeout(r, 900));
  measuring = false;
}
app.unmount();
await store.close();
fs.rmSync(dir, { recursive: true, force: true });
renderTimes.sort((a, b) => a - b);
const mean = renderTimes.reduce((a, b) => a + b, 0) / Math.max(1, renderTimes.length);
process.stdout.write(
  `${JSON.stringify({ turns, frames: renderTimes.length, meanMs: mean, p95Ms: renderTimes[Math.floor(renderTimes.length * 0.95)] ?? 0, rssMb: process.memoryUsage().rss / 1024 / 1024 })}\n`,
);
process.exit(0);
