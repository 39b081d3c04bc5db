// Bare `storyos` started with Node's own compile cache (module.enableCompileCache, Node >= 22)
// instead of V8's code cache through src/launch/code-cache.ts, for bench/tui.bench.ts to time
// side by side. Bundled by scripts/bundle.mjs like the game. Arguments: `split` (the split ES
// bundle, dist/bundle/main.js, as every other command runs) or `script` (the one CommonJS
// script, dist/bundle/storyos-game.cjs, that today's start runs), the cache directory and
// dist/bundle; they are taken off argv, so the game sees a bare `storyos`.
import module, { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { FIRST_FRAME_EVENT } from '../src/tui/first-frame.js';

// Node 20's types have neither; the benchmark runs this only on Node >= 22.
const compileCache = module as unknown as { enableCompileCache(dir: string): unknown; flushCompileCache(): void };

const [mode, cacheDir, bundleDir] = process.argv.splice(2, 3) as [string, string, string];
compileCache.enableCompileCache(cacheDir);
// Node writes the cache at exit; the benchmark kills the game, so it is written at the first
// frame, as start-game.ts keeps V8's (the code of the start, not the game screen's).
process.once(FIRST_FRAME_EVENT, () => compileCache.flushCompileCache());
if (mode === 'script') {
  const game = createRequire(import.meta.url)(path.join(bundleDir, 'storyos-game.cjs')) as { main(argv: string[]): Promise<void> };
  await game.main(process.argv);
} else {
  const { main } = (await import(pathToFileURL(path.join(bundleDir, 'main.js')).href)) as { main(argv: string[]): Promise<void> };
  await main(process.argv);
}
