// Child process for the branch crash test (run with tsx, from the sources). Usage:
//   tsx branch-player.ts <dataDir> <narratorUrl> <seed>
// Opens (or starts) alice's game and moves around its tree for ever: turns, retries, swipes,
// undo, redo, jumps and both edits, at random, printing `op <n> <name>` after each one returns.
// The test kills it (SIGKILL) at random moments and checks the store.
import { Accounts } from '../../src/auth/accounts.js';
import { UserFacingError } from '../../src/config/errors.js';
import { GameEngine } from '../../src/game/engine.js';
import { seedStore } from '../../src/game/seed.js';
import { OpenAiLlm } from '../../src/llm/openai-client.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';

const [dataDir, url, seedText = '1'] = process.argv.slice(2) as [string, string, string];
let x = Number(seedText);
const next = () => {
  x = (x * 1103515245 + 12345) % 2 ** 31;
  return x / 2 ** 31;
};

const store = SqliteStore.open(dataDir);
await seedStore(store);
const accounts = new Accounts(store);
const alice = (await store.findUser('alice'))
  ? (await store.listUsers()).find((u) => u.username === 'alice')
  : await accounts.createUser('alice', 'password123', 'user', 'test');
if (!alice) throw new Error('no alice');
const game = new GameEngine({
  store,
  llm: new OpenAiLlm({ apiKey: 'xai-test-key', baseUrl: url, model: 'grok-test', timeoutS: 5, maxRetries: 0, backoff: { baseMs: 5, capMs: 20 } }),
  narratorModel: 'grok-test',
  summaryModel: 'grok-summary',
  storeRetryMs: [5, 5, 5],
});
const existing = (await store.listSessions('alice'))[0];
const sessionId = existing ? existing.id : (await game.newSession(alice, 'the-lighthouse-at-gull-point')).session.id;
if (await game.needsOpening(alice, sessionId)) await game.tellOpening(alice, sessionId);
process.stdout.write(`ready ${sessionId}\n`);

const moves: Array<[string, () => Promise<unknown>]> = [
  ['turn', () => game.takeTurn(alice, sessionId, `action ${Math.floor(next() * 1000)}`)],
  ['retry', () => game.retry(alice, sessionId)],
  ['swipe_prev', () => game.swipe(alice, sessionId, 'prev')],
  ['swipe_next', () => game.swipe(alice, sessionId, 'next')],
  ['swipe_n', () => game.swipe(alice, sessionId, 1 + Math.floor(next() * 3))],
  ['undo', () => game.undo(alice, sessionId)],
  ['redo', () => game.redo(alice, sessionId)],
  ['redo', () => game.redo(alice, sessionId)],
  [
    'jump',
    async () => {
      const alternatives = (await game.tree(alice, sessionId)).flatMap((p) => p.alternatives);
      const to = alternatives[Math.floor(next() * alternatives.length)];
      if (to) await game.jump(alice, sessionId, to.id);
    },
  ],
  ['edit_narration', () => game.editNarration(alice, sessionId, `An edited narration ${Math.floor(next() * 1000)}.`)],
  ['edit_action', () => game.editAction(alice, sessionId, `an edited action ${Math.floor(next() * 1000)}`)],
];
for (let n = 1; ; n++) {
  const [name, move] = moves[Math.floor(next() * moves.length)] as [string, () => Promise<unknown>];
  try {
    await move();
  } catch (error) {
    // Refusals (nothing to redo, one telling, …) are part of the game; anything else is a failure.
    if (!(error instanceof UserFacingError)) throw error;
  }
  process.stdout.write(`op ${n} ${name}\n`);
}
