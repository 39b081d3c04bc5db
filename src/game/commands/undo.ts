import type { SlashCommand } from './types.js';

export const undo: SlashCommand = {
  name: 'undo',
  description: 'take back the last turn (it stays in the story tree: /redo goes forward again)',
  async run(ctx) {
    const session = await ctx.engine.undo(ctx.user, ctx.sessionId);
    const [head] = await ctx.engine.transcript(ctx.user, ctx.sessionId, 1);
    if (!head) return { type: 'notice', kind: 'info', text: `Undone: back to turn ${session.turn_count}.` };
    return { type: 'moved', move: { session, head, telling: { index: 1, count: 1 } }, text: `Undone: back to turn ${session.turn_count}.` };
  },
};
