import { fileURLToPath } from 'node:url';
import { FIRST_FRAME_EVENT } from '../tui/first-frame.js';
import { runWithCodeCache } from './code-cache.js';

/** The whole CLI bundled as one CommonJS script, which bare `storyos` runs with the code cache. */
export const GAME_SCRIPT = fileURLToPath(new URL('./storyos-game.cjs', import.meta.url));

/**
 * Bare `storyos`: the game, started from one script through V8's code cache (see code-cache.ts),
 * which brings the login screen up sooner than the split bundle can. This launcher is bundled as
 * CommonJS too (dist/bundle/start-game.cjs), for bin/storyos.js to require.
 */
export async function startGame(argv: string[]): Promise<void> {
  const game = runWithCodeCache(GAME_SCRIPT);
  // Kept once the first frame is up: the code of the start, not the game screen's that loads
  // after it (a smaller cache reads faster). A run that ends sooner (an error) keeps nothing.
  if (!game.fromCache) process.once(FIRST_FRAME_EVENT, game.saveCache);
  await (game.exports.main as (argv: string[]) => Promise<void>)(argv);
}
