import { sanitizeText } from '../../llm/sanitize.js';
import { withLogContext } from '../../logging/log-context.js';
import { getLogger, logUserAction } from '../../logging/logger.js';
import { context } from './context.js';
import { continueStory } from './continue.js';
import { exportCommand } from './export.js';
import { menu, quit } from './navigation.js';
import { retry } from './retry.js';
import { story } from './story.js';
import type { CommandContext, CommandOutcome, SlashCommand } from './types.js';
import { undo } from './undo.js';
import { redo } from './redo.js';
import { swipe } from './swipe.js';
import { edit } from './edit.js';
import { tree } from './tree.js';
import { history } from './history.js';
import { memory } from './memory.js';
import { note } from './note.js';
import { lore } from './lore.js';
import { settings } from './settings.js';

export type { CommandContext, CommandOutcome, SlashCommand } from './types.js';
export { assertNever } from './types.js';

const log = getLogger('game_logic');

/** `/name args`, as /help and the completion list show a command. */
export const usageOf = (c: SlashCommand) => `/${c.name}${c.args ? ` ${c.args}` : ''}`;

const help: SlashCommand = {
  name: 'help',
  description: 'the commands and keys',
  run: async (ctx) => ({
    type: 'overlay',
    title: 'Commands',
    body: [...COMMANDS.map((c) => `- \`${usageOf(c)}\`: ${c.description}`), ...(ctx.keys ? ['', ctx.keys] : [])].join('\n'),
  }),
};

/** Every slash command, in the order /help lists them. */
export const COMMANDS: SlashCommand[] = [
  help,
  retry,
  swipe,
  undo,
  redo,
  edit,
  continueStory,
  tree,
  history,
  story,
  memory,
  note,
  lore,
  settings,
  context,
  exportCommand,
  menu,
  quit,
];

/** The command named exactly `name`: a prefix is never taken for a command the player did not choose. */
export function findCommand(name: string): SlashCommand | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** The name a line's command is logged under: never the player's own words. */
export function commandName(line: string): string {
  const name = line.slice(1).split(/\s+/)[0]?.toLowerCase() ?? '';
  return findCommand(name) ? `/${name}` : 'unknown_command';
}

/** The sentence for a slash command that is none: what it could be, or where the commands are. */
export function unknownCommand(name: string): string {
  const shown = sanitizeText(name).slice(0, 40);
  const fits = completions(`/${name}`).map((c) => `/${c.name}`);
  if (fits.length === 1) return `/${shown} is not a command: Tab completes it to ${fits[0]}.`;
  if (fits.length > 1) return `/${shown} could be ${fits.slice(0, -1).join(', ')} or ${fits.at(-1)}: Tab goes through them.`;
  return `Unknown command /${shown}; /help lists them.`;
}

/** A typed line that starts with `/`, split into its command and what follows; null when it names none. */
export function parseCommandLine(line: string): { command: SlashCommand; args: string[]; rest: string } | { unknown: string } {
  const body = line.trim().slice(1);
  const name = body.split(/\s+/, 1)[0] ?? '';
  const rest = body.slice(name.length).trim();
  const command = findCommand(name.toLowerCase());
  if (!command) return { unknown: name };
  return { command, args: rest ? rest.split(/\s+/) : [], rest };
}

/**
 * Runs the slash command a line names and returns what happened, for the front end to show. A
 * line naming no command is a notice saying what it could be. Errors are the caller's to show.
 */
export async function runCommand(ctx: CommandContext, line: string): Promise<CommandOutcome> {
  const parsed = parseCommandLine(line);
  if ('unknown' in parsed) return { type: 'notice', kind: 'error', text: unknownCommand(parsed.unknown) };
  // The command's lines (the store's reads for /story, /tree…) carry the game's session; a turn it plays adds its turn id.
  return withLogContext({ session: ctx.sessionId }, () => {
    logUserAction(log, `command /${parsed.command.name}`, ctx.user.username, { session: ctx.sessionId });
    return parsed.command.run(ctx, parsed.args, parsed.rest);
  });
}

/** Commands whose name starts with what follows the slash. */
export function completions(input: string): SlashCommand[] {
  if (!input.startsWith('/') || input.includes(' ')) return [];
  const typed = input.slice(1).toLowerCase();
  return COMMANDS.filter((c) => c.name.startsWith(typed));
}

/** Where Tab is among the candidates an ambiguous prefix fits: `shown` is the text Tab put in the line. */
export interface TabCycle {
  candidates: string[];
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

/** What Tab may put in the line for `typed`: whole command names, or a command's first argument. */
function candidatesFor(typed: string): string[] {
  const argument = /^\/(\S+) (\S*)$/.exec(typed);
  if (!argument) return completions(typed).map(asTyped);
  const command = findCommand((argument[1] as string).toLowerCase());
  const word = (argument[2] as string).toLowerCase();
  return (command?.choices ?? []).filter((choice) => choice.startsWith(word)).map((choice) => `/${command?.name} ${choice}`);
}

/**
 * Tab in the input line. One candidate fits: it is completed. Several fit (`/c`: /continue and
 * /context): the part they share is completed, and each Tab after that puts the next of them in
 * the line, in turn (`cycle` carries where it is; text typed meanwhile starts again). After a
 * command and a space, its first argument is completed the same way (`/swipe p` → `/swipe prev`).
 */
export function completeCommand(typed: string, cycle: TabCycle | null): { text: string; cycle: TabCycle | null } | undefined {
  if (cycle && typed === cycle.shown) {
    const index = (cycle.index + 1) % cycle.candidates.length;
    const text = cycle.candidates[index] as string;
    return { text, cycle: { ...cycle, index, shown: text } };
  }
  const fits = candidatesFor(typed);
  if (fits.length === 0) return undefined;
  if (fits.length === 1) return { text: fits[0] as string, cycle: null };
  const common = commonPrefix(fits);
  if (common.length > typed.length) return { text: common, cycle: { candidates: fits, index: -1, shown: common } };
  return { text: fits[0] as string, cycle: { candidates: fits, index: 0, shown: fits[0] as string } };
}
