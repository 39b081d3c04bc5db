import type { ExportFormat } from '../../game/export.js';
import type { SlashCommand } from './types.js';

export const exportCommand: SlashCommand = {
  name: 'export',
  args: 'md|json [path] [--force]',
  description: 'save the game (Markdown: the story; JSON: every branch); --force replaces a file already there',
  async run(ctx, args) {
    const force = args.includes('--force');
    const [format = 'md', file] = args.filter((arg) => arg !== '--force');
    if (format !== 'md' && format !== 'json') return ctx.notice('error', 'Use /export md or /export json, optionally with a path.');
    const howToReplace = `\`/export ${[format, file, '--force'].filter(Boolean).join(' ')}\` replaces it, or give another path`;
    const written = await ctx.services.exportSession(ctx.user, ctx.sessionId, format as ExportFormat, file, { replace: force, howToReplace });
    ctx.notice('success', `Saved ${written}.`);
  },
};
