import { EXPORT_USAGE, parseExportArgs } from '../export.js';
import type { SlashCommand } from './types.js';

export const exportCommand: SlashCommand = {
  name: 'export',
  args: 'md|json [path] [--force]',
  choices: ['md', 'json'],
  description: 'save the game (Markdown: the story shown; JSON: every branch); --force replaces a file already there',
  async run(ctx, args) {
    const request = parseExportArgs(args);
    if (!request) return { type: 'notice', kind: 'error', text: EXPORT_USAGE };
    const { format, file, force, howToReplace } = request;
    const written = await ctx.exportSession(format, file, { replace: force, howToReplace });
    return { type: 'notice', kind: 'success', text: `Saved ${written}.` };
  },
};
