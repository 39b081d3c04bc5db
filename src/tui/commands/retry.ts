import type { SlashCommand } from './types.js';

export const retry: SlashCommand = {
  name: 'retry',
  description: 'a new narration for the last turn (or send a failed action again)',
  run: (ctx) => {
    const { engine } = ctx.services;
    const retried = (options: Parameters<typeof engine.retry>[2]) => engine.retry(ctx.user, ctx.sessionId, options);
    if (engine.hasUnsavedTurn(ctx.sessionId)) return ctx.play(retried, { note: 'Saving the narration above…', savesShown: true });
    const failed = engine.failedAction(ctx.sessionId);
    return ctx.play(retried, failed ? { action: failed } : { note: '↻ Another telling of the last turn:' });
  },
};
