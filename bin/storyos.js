#!/usr/bin/env node
// Bare `storyos` (the game) starts from one script with V8's code cache, for a sooner first
// frame; every other command runs the split bundle, which loads only what the command needs.
if (process.argv.length <= 2) {
  const { startGame } = await import('../dist/bundle/start-game.js');
  await startGame(process.argv);
} else {
  const { main } = await import('../dist/bundle/main.js');
  await main(process.argv);
}
