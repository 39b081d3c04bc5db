import { render } from 'ink-testing-library';
import { buildServices } from '../../src/cli/play/tui.js';
import { parseConfig } from '../../src/config/env.js';
import { GameEngine } from '../../src/game/engine.js';
import { seedStore } from '../../src/game/seed.js';
import { OfflineLlm } from '../../src/llm/offline.js';
import type { LlmClient } from '../../src/llm/types.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { App } from '../../src/tui/App.js';
import { CancelContext } from '../../src/tui/cancel.js';
import { ServicesContext } from '../../src/tui/context.js';
import type { AppServices } from '../../src/tui/services.js';
import { tempDir } from '../support/temp.js';
import { until } from '../support/wait.js';

export const KEY = {
  enter: '\r',
  up: '\u001b[A',
  down: '\u001b[B',
  left: '\u001b[D',
  esc: '\u001b',
  tab: '\t',
  backspace: '\u007f',
  ctrlC: '\u0003',
  pageDown: '\u001b[6~',
};

/** Real services over a fresh SQLite store, narrated by the offline demo (paced by `wordDelayMs`). */
export async function realServices(
  wordDelayMs = 0,
  llm: LlmClient = new OfflineLlm(wordDelayMs),
): Promise<{ services: AppServices; store: SqliteStore; dir: string }> {
  const dir = tempDir();
  const store = SqliteStore.open(dir);
  await seedStore(store);
  const config = parseConfig({ STORYOS_LOG_DIR: dir, STORYOS_DATA_DIR: dir }, dir);
  const engine = new GameEngine({ store, llm, narratorModel: 'n', summaryModel: 's' });
  return { services: buildServices(config, store, engine), store, dir };
}

export function renderApp(services: AppServices, props: { firstRun: boolean | undefined; continueLast?: boolean }) {
  const cancel = { current: null, inFlight: null };
  return render(
    <ServicesContext.Provider value={services}>
      <CancelContext.Provider value={cancel}>
        <App {...props} />
      </CancelContext.Provider>
    </ServicesContext.Provider>,
  );
}

/** Types text (each key its own chunk, as a person does) and waits for the screen to settle. */
export async function type(stdin: { write: (s: string) => void }, ...keys: string[]): Promise<void> {
  for (const key of keys) {
    stdin.write(key);
    await new Promise((r) => setTimeout(r, 40));
  }
}

export async function screenShows(lastFrame: () => string | undefined, text: string | RegExp, timeoutMs = 6000): Promise<string> {
  const matches = () => {
    const frame = lastFrame() ?? '';
    return typeof text === 'string' ? frame.includes(text) : text.test(frame);
  };
  if (!(await until(matches, timeoutMs))) throw new Error(`screen never showed ${String(text)}; last frame:\n${lastFrame()}`);
  // A person reads the screen before typing; key handlers are registered just after it is drawn.
  await new Promise((r) => setTimeout(r, 60));
  return lastFrame() ?? '';
}

type PlayerOptions = { username?: string; role?: 'admin' | 'user'; wordDelayMs?: number; llm?: LlmClient };

/** A player's account (password `password123`) and the app at the login screen. */
export async function atLoginScreen(options: PlayerOptions = {}) {
  const { username = 'alice', role = 'user', wordDelayMs = 0, llm } = options;
  const ctx = await realServices(wordDelayMs, llm);
  await ctx.services.accounts.createUser(username, 'password123', role, 'test');
  const app = renderApp(ctx.services, { firstRun: false });
  await screenShows(app.lastFrame, '› Log in');
  return { ...ctx, ...app };
}

/** A player logged in through the real login screen, at the main menu. */
export async function loggedIn(options: PlayerOptions = {}) {
  const { username = 'alice' } = options;
  const app = await atLoginScreen(options);
  await type(app.stdin, KEY.enter);
  await screenShows(app.lastFrame, 'Username:');
  await type(app.stdin, `${username}\r`, 'password123\r');
  await screenShows(app.lastFrame, '› New game');
  return app;
}

/** From the login screen of `atLoginScreen`: alice logged in and a new Neon Rain game opened (its opening told), at the input line. */
export async function inAGame(app: { stdin: { write: (s: string) => void }; lastFrame: () => string | undefined }): Promise<void> {
  await type(app.stdin, KEY.enter);
  await screenShows(app.lastFrame, 'Username:');
  await type(app.stdin, 'alice\r', 'password123\r');
  await screenShows(app.lastFrame, '› New game');
  await type(app.stdin, KEY.enter);
  await screenShows(app.lastFrame, '› Neon Rain');
  await type(app.stdin, KEY.enter);
  await screenShows(app.lastFrame, 'What do you do? (/help', 8000);
}
