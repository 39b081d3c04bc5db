import { fileURLToPath } from 'node:url';
import Yoga from 'yoga-layout';
import { FIRST_FRAME_EVENT } from '../tui/first-frame.js';
import { runWithCodeCache } from './code-cache.js';

/** The whole CLI bundled as one CommonJS script, which bare `storyos` runs with the code cache. */
export const GAME_SCRIPT = fileURLToPath(new URL('./storyos-game.cjs', import.meta.url));

/**
 * Bare `storyos`: the game, started from one script through V8's code cache (see code-cache.ts),
 * which brings the login screen up sooner than the split bundle can. Yoga's WebAssembly is loaded
 * here and handed over, since a CommonJS script cannot wait for it at the top level.
 */
export async function startGame(argv: string[]): Promise<void> {
  (globalThis as { storyosYoga?: unknown }).storyosYoga = Yoga;
  const game = runWithCodeCache(GAME_SCRIPT);
  // Kept once the first frame is up: the code of the start, not the game screen's that loads
  // after it (a smaller cache reads faster). A run that ends sooner (an error) keeps nothing.
  if (!game.fromCache) process.once(FIRST_FRAME_EVENT, game.saveCache);
  await (game.exports.main as (argv: string[]) => Promise<void>)(argv);
}
