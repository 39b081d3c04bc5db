#!/usr/bin/env node
// Bare `storyos` (the game) starts from one script with V8's code cache, for a sooner first
// frame, through a CommonJS launcher; every other command runs the split bundle, which loads only
// what the command needs.
import { createRequire } from 'node:module';

if (process.argv.length <= 2) {
  const { startGame } = createRequire(import.meta.url)('../dist/bundle/start-game.cjs');
  await startGame(process.argv);
} else {
  const { main } = await import('../dist/bundle/main.js');
  await main(process.argv);
}
