import type { WorldInfoEntry } from '../../store/types.js';
import type { LoreReport } from '../engine.js';
import type { SlashCommand } from './types.js';

const USAGE = 'Usage: /lore add KEY, KEY :: TEXT (a key is words, or /regex/flags), or /lore remove N.';

/**
 * The keys before `::`, split at commas outside `/regex/` keys (whose own commas, as in
 * `/a{1,3}/`, stay), each trimmed; empty ones dropped.
 */
export function splitKeys(text: string): string[] {
  const keys: string[] = [];
  let key = '';
  let inRegex = false;
  for (const char of text) {
    if (char === '/' && (inRegex || !key.trim())) inRegex = !inRegex;
    if (char === ',' && !inRegex) {
      keys.push(key);
      key = '';
    } else key += char;
  }
  keys.push(key);
  return keys.map((k) => k.trim()).filter(Boolean);
}

function entryLine(entry: WorldInfoEntry, number: string, why: string | undefined): string {
  const flags = [entry.always ? 'always on' : '', entry.order !== 100 ? `order ${entry.order}` : ''].filter(Boolean).join(', ');
  const state = why ? ` — **fired**: ${why}` : '';
  return `${number}. ${entry.keys.map((k) => `\`${k}\``).join(', ')}${flags ? ` (${flags})` : ''}: ${entry.content}${state}`;
}

function reportBody(report: LoreReport): string {
  // By the entry itself, not its place: one removed since the last prompt does not shift the marks onto another.
  const idOf = (source: string, entry: WorldInfoEntry) => `${source}:${JSON.stringify([entry.keys, entry.content])}`;
  const why = new Map<string, string>();
  for (const fired of report.match.fired) why.set(idOf(fired.source, fired.entry), fired.why);
  for (const dropped of report.match.dropped) why.set(idOf(dropped.source, dropped.entry), `${dropped.why}, but left out: ${dropped.dropped}`);
  const list = (entries: WorldInfoEntry[], source: 'scenario' | 'game', prefix: string) =>
    entries.map((entry, i) => entryLine(entry, `${prefix}${i + 1}`, why.get(idOf(source, entry)))).join('\n') || '(none)';
  return [
    report.about,
    `**The scenario's entries** (shared by its games)\n${list(report.scenario, 'scenario', 's')}`,
    `**This game's entries** (\`/lore remove N\` takes one away)\n${list(report.game, 'game', '')}`,
    `World info in the prompt: ${report.match.tokens} of ${report.match.budget} tokens; keys are looked for in ${report.match.window === 1 ? 'the last message' : `the last ${report.match.window} messages`} and the action.`,
    USAGE,
  ].join('\n\n');
}

/** `/lore`: world info, the entries that enter the prompt when their keys come up. */
export const lore: SlashCommand = {
  name: 'lore',
  args: '[add KEYS :: TEXT|remove N]',
  choices: ['add', 'remove'],
  description: 'world info: entries told to the narrator when their keys come up, and which fired last turn and why',
  async run(ctx, args, rest) {
    const word = args[0]?.toLowerCase();
    if (word === 'add') {
      const body = rest.slice(args[0]?.length ?? 0);
      const split = body.indexOf('::');
      const keys = split < 0 ? [] : splitKeys(body.slice(0, split));
      const content = split < 0 ? '' : body.slice(split + 2).trim();
      if (keys.length === 0 || !content) return { type: 'notice', kind: 'error', text: USAGE };
      const { index } = await ctx.engine.addLore(ctx.user, ctx.sessionId, { keys, content });
      return {
        type: 'notice',
        kind: 'success',
        text: `Lore entry ${index} added: told to the narrator when ${keys.map((k) => `“${k}”`).join(' or ')} comes up.`,
      };
    }
    if (word === 'remove') {
      const number = /^\d{1,4}$/.test(args[1] ?? '') && args.length === 2 ? Number(args[1]) : Number.NaN;
      if (Number.isNaN(number)) return { type: 'notice', kind: 'error', text: USAGE };
      const { removed } = await ctx.engine.removeLore(ctx.user, ctx.sessionId, number);
      return { type: 'notice', kind: 'success', text: `Lore entry ${number} removed (${removed.keys.join(', ')}).` };
    }
    if (args.length > 0) return { type: 'notice', kind: 'error', text: USAGE };
    return { type: 'overlay', title: 'World info', body: reportBody(await ctx.engine.loreReport(ctx.user, ctx.sessionId)) };
  },
};
