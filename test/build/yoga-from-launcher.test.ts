import { describe, expect, it } from 'vitest';

describe('the stand-in for yoga-layout in the code-cached game script', () => {
  it('says who must load Yoga when it was not handed over', async () => {
    delete (globalThis as { storyosYoga?: unknown }).storyosYoga;
    await expect(import('../../scripts/stand-ins/yoga-from-launcher.mjs')).rejects.toThrow(
      'Yoga was not loaded: storyos-game.cjs is started by src/launch/start-game.ts.',
    );
  });
});
