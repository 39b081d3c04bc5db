import type { SlashCommand } from './types.js';

const USAGE = 'Usage: /swipe prev, /swipe next or /swipe N (the telling to show).';

/** `prev`, `next` or a telling's number; null for anything else. */
function parseTarget(word: string | undefined): 'prev' | 'next' | number | null {
  if (word === 'prev' || word === 'next') return word;
  return word && /^[1-9]\d{0,5}$/.test(word) ? Number(word) : null;
}

export const swipe: SlashCommand = {
  name: 'swipe',
  args: 'prev|next|N',
  choices: ['prev', 'next'],
  description: 'show another telling of the last turn (also Alt+← and Alt+→)',
  async run(ctx, args) {
    if (args.length === 0) {
      const { index, count } = await ctx.engine.tellingOf(ctx.user, ctx.sessionId);
      const which = count === 1 ? 'This turn has one telling: /retry tells another.' : `This is telling ${index} of ${count}.`;
      return { type: 'notice', kind: 'info', text: `${which} ${USAGE}` };
    }
    const target = parseTarget(args[0]?.toLowerCase());
    if (target === null || args.length > 1) return { type: 'notice', kind: 'error', text: USAGE };
    const move = await ctx.engine.swipe(ctx.user, ctx.sessionId, target);
    return { type: 'moved', move, text: `Telling ${move.telling.index} of ${move.telling.count}.` };
  },
};
