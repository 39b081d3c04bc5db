import { EXPORT_USAGE, parseExportArgs } from '../../game/export.js';
import type { SlashCommand } from './types.js';

export const exportCommand: SlashCommand = {
  name: 'export',
  args: 'md|json [path] [--force]',
  description: 'save the game (Markdown: the story; JSON: every branch); --force replaces a file already there',
  async run(ctx, args) {
    const request = parseExportArgs(args);
    if (!request) return ctx.notice('error', EXPORT_USAGE);
    const { format, file, force, howToReplace } = request;
    const written = await ctx.services.exportSession(ctx.user, ctx.sessionId, format, file, { replace: force, howToReplace });
    ctx.notice('success', `Saved ${written}.`);
  },
};
