import type { SlashCommand } from './types.js';

export const history: SlashCommand = {
  name: 'history',
  description: 'the whole story shown, from its opening, in a pager (PgUp/PgDn, Home/End, / searches)',
  run: async (ctx) => ({ type: 'history', messages: await ctx.engine.transcript(ctx.user, ctx.sessionId) }),
};
