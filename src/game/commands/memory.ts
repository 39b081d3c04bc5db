import type { SteeringView } from '../engine.js';
import type { CommandContext, CommandOutcome, SlashCommand } from './types.js';

const shown = (view: SteeringView) => view.memory || '(nothing pinned yet)';

function saveMemory(ctx: CommandContext): (text: string) => Promise<CommandOutcome> {
  return async (text) => {
    const view = await ctx.engine.setMemory(ctx.user, ctx.sessionId, text);
    return {
      type: 'notice',
      kind: 'success',
      text: view.memory ? `Memory pinned (${view.memory.length} characters): the narrator reads it every turn.` : 'Memory cleared.',
    };
  };
}

/** `/memory`: what the narrator must not forget, always in the prompt after the scenario. */
export const memory: SlashCommand = {
  name: 'memory',
  args: '[edit|clear|TEXT]',
  choices: ['edit', 'clear'],
  description: 'facts the narrator must never forget, in every prompt (edit opens it; TEXT sets it)',
  async run(ctx, args, rest) {
    const save = saveMemory(ctx);
    const word = args.length === 1 ? args[0]?.toLowerCase() : undefined;
    if (word === 'clear') return save('');
    if (rest && word !== 'edit') return save(rest);
    const view = await ctx.engine.steering(ctx.user, ctx.sessionId);
    if (word === 'edit')
      return {
        type: 'edit',
        title: 'Memory: what the narrator must not forget',
        saves: 'pins it for every turn',
        onTheLine: '/memory TEXT',
        original: view.memory,
        save,
      };
    return {
      type: 'overlay',
      title: 'Memory',
      body: `${shown(view)}\n\n---\n\n\`/memory edit\` changes it, \`/memory TEXT\` sets it, \`/memory clear\` empties it.`,
    };
  },
};
