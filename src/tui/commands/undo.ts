import type { SlashCommand } from './types.js';

export const undo: SlashCommand = {
  name: 'undo',
  description: 'take back the last turn (it stays in the story tree)',
  async run(ctx) {
    const session = await ctx.services.engine.undo(ctx.user, ctx.sessionId);
    await ctx.reload();
    ctx.notice('info', `Undone: back to turn ${session.turn_count}.`);
  },
};
