import type { BranchPoint } from '../engine.js';
import type { CommandContext, CommandOutcome, SlashCommand } from './types.js';

function jumpTo(ctx: CommandContext): (alternativeId: string) => Promise<CommandOutcome> {
  return async (id) => {
    const move = await ctx.engine.jump(ctx.user, ctx.sessionId, id);
    return { type: 'moved', move, text: `Jumped: this line goes to turn ${move.session.turn_count}.` };
  };
}

/** The alternatives in the order /tree lists them, numbered from 1 across the branch points. */
export function numberedAlternatives(points: BranchPoint[]): Array<BranchPoint['alternatives'][number] & { turn: number }> {
  return points.flatMap((point) => point.alternatives.map((alternative) => ({ ...alternative, turn: point.turn })));
}

export const tree: SlashCommand = {
  name: 'tree',
  args: '[N]',
  description: 'the branch points of the story; choose one to go to its line (/tree N: the Nth alternative listed)',
  async run(ctx, args) {
    const points = await ctx.engine.tree(ctx.user, ctx.sessionId);
    const jump = jumpTo(ctx);
    if (args.length === 0) return { type: 'tree', points, jump };
    const all = numberedAlternatives(points);
    const number = /^\d{1,6}$/.test(args[0] ?? '') ? Number(args[0]) : Number.NaN;
    const chosen = all[number - 1];
    if (!chosen) {
      const range = all.length === 0 ? 'the story has no branches yet' : `choose 1 to ${all.length}`;
      return { type: 'notice', kind: 'error', text: `There is no alternative ${args[0]}: ${range} (/tree lists them).` };
    }
    return jump(chosen.id);
  },
};
