import type { CommandContext, CommandOutcome, SlashCommand } from './types.js';

/** An edit that changes nothing makes no new version. */
export const NO_CHANGE = 'No change: the text is as it was.';

function editNarration(ctx: CommandContext): (text: string) => Promise<CommandOutcome> {
  return async (text) => {
    const move = await ctx.engine.editNarration(ctx.user, ctx.sessionId, text);
    return { type: 'moved', move, text: `Edited: a new telling (${move.telling.index} of ${move.telling.count}); the original is kept, /swipe shows it.` };
  };
}

function editAction(ctx: CommandContext): (text: string) => Promise<CommandOutcome> {
  return async (text) => ({ type: 'play', action: text, run: (options) => ctx.engine.editAction(ctx.user, ctx.sessionId, text, options) });
}

/**
 * `/edit` opens the last narration, `/edit action` the player's last action; with the new text
 * on the line (`/edit TEXT`, `/edit action TEXT`) it is saved at once. Either way the edit is a
 * new version beside the original.
 */
export const edit: SlashCommand = {
  name: 'edit',
  args: '[action] [TEXT]',
  choices: ['action'],
  description: 'correct the last narration (or, with action, your last action, which is then told again); the original is kept',
  async run(ctx, args, rest) {
    const target = args[0]?.toLowerCase() === 'action' ? 'action' : 'narration';
    const text = target === 'action' ? rest.slice(args[0]?.length ?? 0).trim() : rest;
    const save = target === 'action' ? editAction(ctx) : editNarration(ctx);
    const original = target === 'action' ? await ctx.engine.lastAction(ctx.user, ctx.sessionId) : await ctx.engine.lastNarration(ctx.user, ctx.sessionId);
    if (text && text === original?.trim()) return { type: 'notice', kind: 'info', text: NO_CHANGE };
    if (text) return save(text);
    if (original === null) {
      const none = target === 'action' ? 'The last turn has no action of yours to edit; /edit changes the narration.' : 'There is no narration to edit yet.';
      return { type: 'notice', kind: 'error', text: none };
    }
    const title = target === 'action' ? 'Edit your last action (the narration after it is told again)' : 'Edit the last narration';
    return {
      type: 'edit',
      title,
      saves: 'saves it as a new version beside the original',
      onTheLine: target === 'action' ? '/edit action TEXT' : '/edit TEXT',
      original,
      save,
    };
  },
};
