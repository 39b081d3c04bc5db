import type { SlashCommand } from './types.js';

export const retry: SlashCommand = {
  name: 'retry',
  description: 'a new narration for the last turn (or send a failed action again)',
  run: (ctx) => ctx.play((options) => ctx.services.engine.retry(ctx.user, ctx.sessionId, options)),
};
