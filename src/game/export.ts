import { sanitizeText } from '../llm/sanitize.js';
import { cleanSteering } from '../store/steering.js';
import type { MessageRecord, SessionRecord, Store } from '../store/types.js';

/** Longer than any branch: a branch has two messages a turn. */
const WHOLE_BRANCH = 1_000_000_000;

export type ExportFormat = 'md' | 'json';

function quote(text: string): string {
  return text
    .split('\n')
    .map((line) => `> ${line}`.trimEnd())
    .join('\n');
}

function renderMessage(message: MessageRecord): string {
  if (message.sender === 'player') return quote(`**You:** ${message.content}`);
  return message.narration?.interrupted ? `${message.content}\n\n*(interrupted)*` : message.content;
}

/** The story as read: the current branch, oldest first, the player's actions quoted. */
export async function exportMarkdown(store: Store, session: SessionRecord): Promise<string> {
  const branch = session.head ? await store.getBranch(session.id, session.head, WHOLE_BRANCH) : [];
  const header = [
    `# ${session.scenario_name}`,
    '',
    `*Played by ${session.user} · started ${session.created_at.toISOString().slice(0, 10)} · ${session.turn_count} ${session.turn_count === 1 ? 'turn' : 'turns'} · session ${session.id}*`,
  ];
  const story = session.state.synopsis ? ['', '## Story so far', '', session.state.synopsis] : [];
  // A file a player may `cat`: nothing in it a terminal would act on.
  return sanitizeText(`${[...header, ...story, '', '---', '', branch.map(renderMessage).join('\n\n')].join('\n').trimEnd()}\n`);
}

/**
 * Everything, every alternative included: the session with its steering (memory, author's note,
 * narrator settings — model, temperature, max_tokens, never a key — and the player's lore), and
 * its whole message tree.
 */
export async function exportJson(store: Store, session: SessionRecord): Promise<string> {
  const messages = await store.listMessages(session.id);
  const { memory: _memory, note: _note, settings: _settings, lore: _lore, ...rest } = session;
  const exported = { ...rest, ...cleanSteering(session) };
  return `${JSON.stringify({ format: 'storyos-session', version: 1, exported_at: new Date(), session: exported, messages }, null, 2)}\n`;
}

export function exportSession(store: Store, session: SessionRecord, format: ExportFormat): Promise<string> {
  return format === 'json' ? exportJson(store, session) : exportMarkdown(store, session);
}

/** What `/export md|json [path] [--force]` asks for, in the TUI and in headless play alike. */
export interface ExportRequest {
  format: ExportFormat;
  file: string | undefined;
  /** Replace a file that is there already. */
  force: boolean;
  /** The end of the sentence that refuses to replace a file: how to ask for it. */
  howToReplace: string;
}

/** Reads `/export`'s arguments; null when the format is neither md nor json. */
export function parseExportArgs(args: string[]): ExportRequest | null {
  const force = args.includes('--force');
  const [format = 'md', file] = args.filter((arg) => arg !== '--force');
  if (format !== 'md' && format !== 'json') return null;
  return { format, file, force, howToReplace: `\`/export ${[format, file, '--force'].filter(Boolean).join(' ')}\` replaces it, or give another path` };
}

export const EXPORT_USAGE = 'Use /export md or /export json, optionally with a path (and --force to replace a file).';
