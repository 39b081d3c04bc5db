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
        'Keys: ↑↓ earlier inputs · Tab completes a command (again: the next one that fits) · Ctrl+C cancels the narration, twice within two seconds quits',
      ].join('\n'),
    ),
};

/** Every slash command, in the order /help lists them. */
export const COMMANDS: SlashCommand[] = [help, retry, undo, continueStory, story, context, exportCommand, menu, quit];

/** The command named exactly `name`: a prefix is never taken for a command the player did not choose. */
export function findCommand(name: string): SlashCommand | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** The sentence for a slash command that is none: what it could be, or where the commands are. */
export function unknownCommand(name: string): string {
  const fits = completions(`/${name}`).map((c) => `/${c.name}`);
  if (fits.length === 1) return `/${name} is not a command: Tab completes it to ${fits[0]}.`;
  if (fits.length > 1) return `/${name} could be ${fits.slice(0, -1).join(', ')} or ${fits.at(-1)}: Tab goes through them.`;
  return `Unknown command /${name}; /help lists them.`;
}

/** Commands whose name starts with what follows the slash. */
export function completions(input: string): SlashCommand[] {
  if (!input.startsWith('/') || input.includes(' ')) return [];
  const typed = input.slice(1).toLowerCase();
  return COMMANDS.filter((c) => c.name.startsWith(typed));
}

/** Where Tab is among the commands an ambiguous prefix fits: `shown` is the text Tab put in the line. */
export interface TabCycle {
  candidates: SlashCommand[];
  index: number;
  shown: string;
}

const asTyped = (c: SlashCommand) => `/${c.name}${c.args ? ' ' : ''}`;

function commonPrefix(names: string[]): string {
  return names.reduce((common, name) => {
    let at = 0;
    while (at < common.length && common[at] === name[at]) at++;
    return common.slice(0, at);
  });
}

/**
 * Tab in the input line. One command fits: it is completed. Several fit (`/c`: /continue and
 * /context): the part they share is completed, and each Tab after that puts the next of them in
 * the line, in turn (`cycle` carries where it is; text typed meanwhile starts again).
 */
export function completeCommand(typed: string, cycle: TabCycle | null): { text: string; cycle: TabCycle | null } | undefined {
  if (cycle && typed === cycle.shown) {
    const index = (cycle.index + 1) % cycle.candidates.length;
    const text = asTyped(cycle.candidates[index] as SlashCommand);
    return { text, cycle: { ...cycle, index, shown: text } };
  }
  const fits = completions(typed);
  if (fits.length === 0) return undefined;
  if (fits.length === 1) return { text: asTyped(fits[0] as SlashCommand), cycle: null };
  const common = `/${commonPrefix(fits.map((c) => c.name))}`;
  if (common.length > typed.length) return { text: common, cycle: { candidates: fits, index: -1, shown: common } };
  return { text: asTyped(fits[0] as SlashCommand), cycle: { candidates: fits, index: 0, shown: asTyped(fits[0] as SlashCommand) } };
}
