import type { SlashCommand } from './types.js';

export const retry: SlashCommand = {
  name: 'retry',
  description: 'a new telling of the last turn, kept beside the others (or send a failed action again)',
  async run(ctx) {
    const { engine, user, sessionId } = ctx;
    const run = (options: Parameters<typeof engine.retry>[2]) => engine.retry(user, sessionId, options);
    if (engine.hasUnsavedTurn(sessionId)) return { type: 'play', run, note: 'Saving the narration above…', savesShown: true };
    const failed = engine.failedAction(sessionId);
    return failed ? { type: 'play', run, action: failed } : { type: 'play', run, note: '↻ Another telling of the last turn:' };
  },
};
