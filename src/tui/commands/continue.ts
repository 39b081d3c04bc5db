import type { SlashCommand } from './types.js';

export const continueStory: SlashCommand = {
  name: 'continue',
  description: 'let the story go on without an action',
  run: (ctx) => ctx.play((options) => ctx.services.engine.continueStory(ctx.user, ctx.sessionId, options)),
};
