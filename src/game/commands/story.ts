import type { SlashCommand } from './types.js';

/** The timeline's last entries shown; the rest is in the JSON export. */
const TIMELINE_SHOWN = 15;

export const story: SlashCommand = {
  name: 'story',
  description: 'synopsis, timeline, characters and world state',
  async run(ctx) {
    const view = await ctx.engine.story(ctx.user, ctx.sessionId);
    // marked-terminal shows `**` literally inside list items, so names are not emphasised there.
    const characters = Object.entries(view.characters).map(([name, summary]) => `- ${name}: ${summary}`);
    const shown = view.timeline.slice(-TIMELINE_SHOWN);
    const first = view.timeline.length - shown.length + 1;
    const timeline = shown.map((e, i) => `${first + i}. ${e.title}: ${e.description}`);
    const body = [
      `**Synopsis**: ${view.synopsis || '(nothing yet)'}`,
      `**Location**: ${view.location || '?'}`,
      `**World**: ${view.world_state || '?'}`,
      `**Characters**\n${characters.join('\n') || '(none yet)'}`,
      `**Timeline**${view.timeline.length > TIMELINE_SHOWN ? ` (last ${TIMELINE_SHOWN} of ${view.timeline.length})` : ''}\n${timeline.join('\n') || '(nothing yet)'}`,
    ].join('\n\n');
    return { type: 'overlay', title: 'The story so far', body };
  },
};
