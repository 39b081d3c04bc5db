import { context } from './context.js';
import { continueStory } from './continue.js';
import { exportCommand } from './export.js';
import { menu, quit } from './navigation.js';
import { retry } from './retry.js';
import { story } from './story.js';
import type { SlashCommand } from './types.js';
import { undo } from './undo.js';

const help: SlashCommand = {
  name: 'help',
  description: 'the commands and keys',
  run: (ctx) =>
    ctx.showOverlay(
      'Commands',
      [
        ...COMMANDS.map((c) => `- \`/${c.name}${c.args ? ` ${c.args}` : ''}\`: ${c.description}`),
        '',
        'Keys: ↑↓ earlier inputs · Tab completes a command · Ctrl+C cancels the narration, twice within two seconds quits',
      ].join('\n'),
    ),
};

/** Every slash command, in the order /help lists them. */
export const COMMANDS: SlashCommand[] = [help, retry, undo, continueStory, story, context, exportCommand, menu, quit];

export function findCommand(name: string): SlashCommand | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** Commands whose name starts with what follows the slash. */
export function completions(input: string): SlashCommand[] {
  if (!input.startsWith('/') || input.includes(' ')) return [];
  const typed = input.slice(1).toLowerCase();
  return COMMANDS.filter((c) => c.name.startsWith(typed));
}
