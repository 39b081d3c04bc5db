import type { SlashCommand } from './types.js';

export const redo: SlashCommand = {
  name: 'redo',
  description: 'go forward again after /undo, along the telling last shown',
  async run(ctx) {
    const move = await ctx.engine.redo(ctx.user, ctx.sessionId);
    return { type: 'moved', move, text: `Redone: turn ${move.session.turn_count}.` };
  },
};
