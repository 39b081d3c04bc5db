import type { ExportFormat } from '../../game/export.js';
import type { SlashCommand } from './types.js';

export const exportCommand: SlashCommand = {
  name: 'export',
  args: 'md|json [path]',
  description: 'save the game (Markdown: the story; JSON: every branch)',
  async run(ctx, [format = 'md', file]) {
    if (format !== 'md' && format !== 'json') return ctx.notice('error', 'Use /export md or /export json, optionally with a path.');
    const written = await ctx.services.exportSession(ctx.user, ctx.sessionId, format as ExportFormat, file);
    ctx.notice('success', `Saved ${written}.`);
  },
};
