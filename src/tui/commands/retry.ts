import type { SlashCommand } from './types.js';

export const retry: SlashCommand = {
  name: 'retry',
  description: 'a new narration for the last turn (or send a failed action again)',
  run: (ctx) => {
    const failed = ctx.services.engine.failedAction(ctx.sessionId);
    return ctx.play((options) => ctx.services.engine.retry(ctx.user, ctx.sessionId, options), failed ? { action: failed } : { note: '↻ Another telling of the last turn:' });
  },
};
