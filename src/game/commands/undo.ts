import type { SlashCommand } from './types.js';

export const undo: SlashCommand = {
  name: 'undo',
  description: 'take back the last turn (it stays in the story tree: /redo goes forward again)',
  async run(ctx) {
    const move = await ctx.engine.undo(ctx.user, ctx.sessionId);
    const text = `Undone: back to turn ${move.session.turn_count}.`;
    return { type: 'moved', move, text, ...(move.undoneAction ? { restoreInput: move.undoneAction } : {}) };
  },
};
