import type { SlashCommand } from './types.js';

export const story: SlashCommand = {
  name: 'story',
  description: 'synopsis, timeline, characters and world state',
  async run(ctx) {
    const view = await ctx.services.engine.story(ctx.user, ctx.sessionId);
    // marked-terminal shows `**` literally inside list items, so names are not emphasised there.
    const characters = Object.entries(view.characters).map(([name, summary]) => `- ${name}: ${summary}`);
    const timeline = view.timeline.slice(-15).map((e, i, all) => `${view.timeline.length - all.length + i + 1}. ${e.title}: ${e.description}`);
    ctx.showOverlay(
      'The story so far',
      [
        `**Synopsis**: ${view.synopsis || '(nothing yet)'}`,
        `**Location**: ${view.location || '?'}`,
        `**World**: ${view.world_state || '?'}`,
        `**Characters**\n${characters.join('\n') || '(none yet)'}`,
        `**Timeline**${view.timeline.length > 15 ? ` (last 15 of ${view.timeline.length})` : ''}\n${timeline.join('\n') || '(nothing yet)'}`,
      ].join('\n\n'),
    );
  },
};
