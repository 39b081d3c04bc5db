import type { SlashCommand } from './types.js';

export const continueStory: SlashCommand = {
  name: 'continue',
  description: 'let the story go on without an action',
  run: async (ctx) => ({ type: 'play', run: (options) => ctx.engine.continueStory(ctx.user, ctx.sessionId, options) }),
};
