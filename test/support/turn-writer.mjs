// Child process for store crash and concurrency tests (dist build). Usage:
//   node turn-writer.mjs <dataDir> <sessionId> <turns> <prompts>
// Creates the session, then appends <turns> turns, printing `committed <n> <headId>` after each
// append has returned; then adds <prompts> narrator prompt versions, printing `prompt <version>`.
import { SqliteStore } from '../../dist/store/sqlite/store.js';
import { randomUUID } from 'node:crypto';

const [dataDir, sessionId, turns, prompts = '0'] = process.argv.slice(2);
const store = SqliteStore.open(dataDir);
const state = (n) => ({
  world_state: `w${n}`,
  last_scene: `scene ${n}`,
  location: 'here',
  synopsis: `turn ${n}`,
  characters: {},
  event: { title: `T${n}`, description: 'd', characters: [] },
});
const now = new Date();
await store.createSession({
  id: sessionId,
  user: 'writer',
  scenario_id: 's',
  scenario_name: 'S',
  created_at: now,
  updated_at: now,
  head: null,
  turn_count: 0,
  usage: { tokens_in: 0, tokens_out: 0 },
  state: state(0),
});
let head = null;
for (let n = 1; n <= Number(turns); n++) {
  const action = {
    id: randomUUID(),
    parent_id: head,
    sender: 'player',
    content: `${sessionId} action ${n}`,
    created_at: new Date(),
    narration: null,
    state: null,
  };
  const narration = {
    id: randomUUID(),
    parent_id: action.id,
    sender: 'StoryOS',
    content: `${sessionId} narration ${n}`,
    created_at: new Date(),
    narration: { model: 'm', usage: { tokens_in: 1, tokens_out: 1 }, ttft_ms: 1, duration_ms: 1, interrupted: false },
    state: state(n),
  };
  await store.appendMessages(sessionId, [action, narration], {
    turn_count: n,
    usage: { tokens_in: n, tokens_out: n },
    state: state(n),
    updated_at: new Date(),
  });
  head = narration.id;
  process.stdout.write(`committed ${n} ${head}\n`);
}
for (let i = 0; i < Number(prompts); i++) {
  const record = await store.addSystemPrompt('narrator', `${sessionId} prompt ${i}`, sessionId, new Date());
  process.stdout.write(`prompt ${record.version}\n`);
}
await store.close();
