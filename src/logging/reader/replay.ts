import { continuationLines, type LogEntry, type ParsedBody, parseBody } from './entry.js';
import { inertLine } from './output.js';

/**
 * `storyos logs replay`: one game's story from its log lines alone. The lines of a session are
 * grouped by their `turn` id (every line written during a turn carries it, see log-context.ts),
 * each group in the order of its first line; lines without one (written before turn ids existed,
 * or outside a turn, like a slash command's own line) make groups that start at each user action.
 * Only what the lines say is shown: the action's text and the narration only when DEBUG lines hold them.
 */

export type ReplayEvent =
  /** `User action: <name>` (take_turn, retry, undo, command /story…); `text` from the DEBUG `Player action` line. */
  | { type: 'action'; time: string; name: string; user?: string; length?: number; text?: string; fields: Record<string, string> }
  /** One narrator (or state-update) answer: `API call: llm …`. */
  | {
      type: 'llm';
      time: string;
      endpoint: string;
      purpose?: string;
      model?: string;
      attempt?: number;
      status?: string;
      retries?: number;
      ttft?: string;
      tokensIn?: number;
      tokensOut?: number;
      duration?: string;
      chunks?: number;
      finish?: string;
      /** Time spent waiting between attempts (from the `llm_stream` PERF line that follows). */
      waited?: string;
    }
  /** `LLM request failed, retrying`: an attempt that failed and is tried again. */
  | { type: 'retry'; time: string; purpose?: string; model?: string; attempt?: number; kind?: string; status?: string; retryIn?: string }
  /** `Database query executed: <op>` (DEBUG). */
  | { type: 'db'; time: string; operation: string; rows?: number; duration?: string }
  /** `<operation> completed` at PERF. */
  | { type: 'perf'; time: string; module: string; operation: string; duration?: string; fields: Record<string, string> }
  /** The DEBUG `LLM narration` line: the text told. */
  | { type: 'narration'; time: string; purpose?: string; text: string }
  /** The DEBUG `LLM prompt` line: only its size is shown. */
  | { type: 'prompt'; time: string; purpose?: string; characters: number }
  /** WARN, ERROR and FATAL lines (but retries, which are `retry`), with their stack. */
  | { type: 'problem'; time: string; level: string; module: string; message: string; fields: Record<string, string>; stack: string[] }
  /** Any other line of the session. */
  | { type: 'note'; time: string; level: string; module: string; message: string; fields: Record<string, string> };

export interface ReplayTurn {
  /** The turn id; null for a group of lines that carry none. */
  id: string | null;
  /** What began it: the first user action's name (new_game, take_turn, retry…), else the first PERF operation. */
  kind: string;
  first: string;
  last: string;
  events: ReplayEvent[];
  /** The database operations: from the turn's PERF line (`db_ops`, `db_time`), else counted from DEBUG lines. */
  db: { count: number; seconds: number; source: 'perf' | 'debug' } | null;
  /** The duration of the turn's own PERF line (process_player_input, opening, retry, undo…). */
  duration: string | null;
}

export interface ReplayStory {
  session: string;
  user: string | null;
  scenario: string | null;
  first: string;
  last: string;
  lines: number;
  turns: ReplayTurn[];
}

const num = (value: string | undefined): number | undefined => {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
};
const seconds = (value: string | undefined): number => {
  const n = value === undefined ? Number.NaN : Number.parseFloat(value);
  return Number.isFinite(n) ? n : 0;
};

/** The operations whose PERF line is a turn's own (the others: a narrator stream, a background state update). */
const BACKGROUND_PERF = new Set(['llm_stream', 'summary_update']);

/** What one line of the session is, for the story. */
export function replayEvent(entry: LogEntry, parsed: ParsedBody = parseBody(entry.body)): ReplayEvent {
  const { message, context: c } = parsed;
  const time = entry.time;
  if (message.startsWith('User action: '))
    return { type: 'action', time, name: message.slice('User action: '.length), user: c.user_id, length: num(c.input_length), fields: c };
  if (message.startsWith('API call: llm '))
    return {
      type: 'llm',
      time,
      endpoint: message.slice('API call: llm '.length),
      purpose: c.purpose,
      model: c.model,
      attempt: num(c.attempt),
      status: c.status,
      retries: num(c.retries),
      ttft: c.ttft,
      tokensIn: num(c.tokens_in),
      tokensOut: num(c.tokens_out),
      duration: c.duration,
      chunks: num(c.chunks),
      finish: c.finish_reason,
    };
  if (message === 'LLM request failed, retrying')
    return { type: 'retry', time, purpose: c.purpose, model: c.model, attempt: num(c.attempt), kind: c.kind, status: c.status, retryIn: c.retry_in };
  if (message.startsWith('Database query executed: '))
    return { type: 'db', time, operation: message.slice('Database query executed: '.length), rows: num(c.rows), duration: c.duration };
  if (message === 'LLM narration' && c.text !== undefined) return { type: 'narration', time, purpose: c.purpose, text: c.text };
  if (message === 'LLM prompt') return { type: 'prompt', time, purpose: c.purpose, characters: (c.prompt ?? '').length };
  if (entry.level === 'PERF' && message.endsWith(' completed'))
    return { type: 'perf', time, module: entry.module, operation: message.slice(0, -' completed'.length), duration: c.duration, fields: c };
  if (entry.level === 'WARN' || entry.level === 'ERROR' || entry.level === 'FATAL')
    return { type: 'problem', time, level: entry.level, module: entry.module, message, fields: c, stack: continuationLines(entry) };
  return { type: 'note', time, level: entry.level, module: entry.module, message, fields: c };
}

function newTurn(id: string | null, time: string): ReplayTurn {
  return { id, kind: '', first: time, last: time, events: [], db: null, duration: null };
}

/** Builds the story of `session` from its entries, given in chronological order. */
export class ReplayBuilder {
  private readonly turns: ReplayTurn[] = [];
  private readonly byId = new Map<string, ReplayTurn>();
  /** The group of lines without a turn id being filled. */
  private untagged: ReplayTurn | null = null;
  private user: string | null = null;
  private scenario: string | null = null;
  private first = '';
  private last = '';
  private lines = 0;

  constructor(private readonly session: string) {}

  add(entry: LogEntry): void {
    if (!entry.time) return;
    const parsed = parseBody(entry.body);
    const event = replayEvent(entry, parsed);
    this.lines++;
    if (!this.first) this.first = entry.time;
    this.last = entry.time;
    const id = parsed.context.turn;
    let turn: ReplayTurn;
    if (id !== undefined && id !== '') {
      turn = this.byId.get(id) ?? this.open(id, entry.time);
      this.untagged = null;
    } else {
      // Without turn ids, each user action begins the next group; a slash command's line, the action it leads to.
      const isCommand = (e: ReplayEvent) => e.type === 'action' && e.name.startsWith('command ');
      const isAction = (e: ReplayEvent) => e.type === 'action' && !isCommand(e);
      const group = this.untagged;
      const begins = event.type === 'action' && group !== null && (group.events.some(isAction) || (isCommand(event) && group.events.some(isCommand)));
      if (!group || begins) this.untagged = this.open(null, entry.time);
      turn = this.untagged as ReplayTurn;
    }
    turn.last = entry.time;
    if (event.type === 'action') {
      this.user ??= event.user ?? null;
      if (event.name === 'new_game') this.scenario ??= event.fields.scenario ?? null;
    }
    // The DEBUG line with the player's words belongs to the action line just before it.
    if (event.type === 'note' && event.message === 'Player action' && event.fields.text !== undefined) {
      const action = [...turn.events].reverse().find((e) => e.type === 'action');
      if (action && action.type === 'action' && action.text === undefined) {
        action.text = event.fields.text;
        return;
      }
    }
    // The stream's PERF line repeats its API call line: only what it adds (the wait between attempts) is kept.
    if (event.type === 'perf' && event.operation === 'llm_stream') {
      const call = turn.events.at(-1);
      if (call?.type === 'llm' && call.purpose === event.fields.purpose) {
        if (event.fields.waited !== undefined) call.waited = event.fields.waited;
        return;
      }
    }
    turn.events.push(event);
    if (!turn.kind) {
      if (event.type === 'action' && !event.name.startsWith('command ')) turn.kind = event.name;
      else if (event.type === 'perf' && event.module === 'game_logic' && !BACKGROUND_PERF.has(event.operation)) turn.kind = event.operation;
    }
    if (event.type === 'perf' && event.module === 'game_logic' && !BACKGROUND_PERF.has(event.operation)) {
      turn.duration = event.duration ?? turn.duration;
      const count = num(event.fields.db_ops);
      // A turn that calls another operation (edit_action tells a turn) logs two PERF lines: the later counts all.
      if (count !== undefined) turn.db = { count, seconds: seconds(event.fields.db_time), source: 'perf' };
    }
    if (event.type === 'db' && turn.db?.source !== 'perf') {
      turn.db ??= { count: 0, seconds: 0, source: 'debug' };
      turn.db.count++;
      turn.db.seconds += seconds(event.duration);
    }
  }

  private open(id: string | null, time: string): ReplayTurn {
    const turn = newTurn(id, time);
    this.turns.push(turn);
    if (id !== null) this.byId.set(id, turn);
    return turn;
  }

  build(): ReplayStory {
    for (const turn of this.turns) if (!turn.kind) turn.kind = turn.events.find((e) => e.type === 'action')?.name ?? 'lines';
    return {
      session: this.session,
      user: this.user,
      scenario: this.scenario,
      first: this.first,
      last: this.last,
      lines: this.lines,
      turns: this.turns,
    };
  }
}

export function buildReplay(session: string, entries: Iterable<LogEntry>): ReplayStory {
  const builder = new ReplayBuilder(session);
  for (const entry of entries) builder.add(entry);
  return builder.build();
}

export interface RenderOptions {
  /** Narrations in full (by default, their first NARRATION_SHOWN characters). */
  full?: boolean;
  paint?: Painter;
}

export interface Painter {
  title(text: string): string;
  dim(text: string): string;
  warn(text: string): string;
  error(text: string): string;
}

const PLAIN: Painter = { title: (t) => t, dim: (t) => t, warn: (t) => t, error: (t) => t };
const NARRATION_SHOWN = 240;

/** Time of day with milliseconds, `10:30:15.123`. */
const clock = (time: string) => `${time.slice(11, 19)}.${time.slice(20, 23)}`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
/** Fields as written, for a problem or a note: what the line had besides what the story shows. */
const fieldsText = (fields: Record<string, string>, skip: string[] = []) =>
  Object.entries(fields)
    .filter(([key]) => !skip.includes(key))
    .map(([key, value]) => `${key}: ${value}`)
    .join(', ');
/** Text read from a file is printed with every control character visible. */
const safe = inertLine;

const SKIPPED_FIELDS = ['session', 'turn'];
const PERF_SHOWN_ELSEWHERE = ['db_ops', 'db_time', 'ttft', 'waited', 'tokens_in', 'tokens_out'];

function quoteText(text: string, full: boolean): string {
  if (full || text.length <= NARRATION_SHOWN) return `“${text}”`;
  return `“${text.slice(0, NARRATION_SHOWN)}…” (${text.length} characters)`;
}

function describe(event: ReplayEvent, full: boolean): { label: string; text: string } {
  switch (event.type) {
    case 'action': {
      const words = event.text !== undefined ? quoteText(event.text, true) : event.length !== undefined ? `(${plural(event.length, 'character')})` : '';
      const extra = fieldsText(event.fields, ['user_id', 'input_length', ...SKIPPED_FIELDS]);
      return { label: 'action', text: [event.name, words, extra && `(${extra})`].filter(Boolean).join(' ') };
    }
    case 'llm': {
      const who = [event.model, event.purpose].filter(Boolean).join(' ');
      const parts = [
        `status ${event.status ?? '?'}`,
        event.attempt !== undefined ? `attempt ${event.attempt}` : undefined,
        event.retries ? plural(event.retries, 'retry', 'retries') : undefined,
        event.ttft !== undefined ? `TTFT ${event.ttft}` : undefined,
        event.tokensIn !== undefined || event.tokensOut !== undefined ? `tokens ${event.tokensIn ?? '?'} in / ${event.tokensOut ?? '?'} out` : undefined,
        event.duration !== undefined ? `duration ${event.duration}` : undefined,
        event.chunks !== undefined ? plural(event.chunks, 'chunk') : undefined,
        event.waited !== undefined ? `waited ${event.waited}` : undefined,
      ].filter(Boolean);
      const ending = endingOf(event.finish);
      const endpoint = event.endpoint.includes('json') ? 'json' : 'stream';
      return { label: 'llm', text: `${who} (${endpoint}): ${ending ? `${ending}; ` : ''}${parts.join(', ')}` };
    }
    case 'retry': {
      const who = [event.model, event.purpose].filter(Boolean).join(' ');
      const why = [event.kind, event.status].filter(Boolean).join(' ');
      return { label: 'retry', text: `${who} attempt ${event.attempt ?? '?'} failed${why ? ` (${why})` : ''}; again in ${event.retryIn ?? '?'}` };
    }
    case 'db':
      return {
        label: 'db',
        text: `${event.operation}${event.rows !== undefined ? `, ${plural(event.rows, 'row')}` : ''}${event.duration ? `, ${event.duration}` : ''}`,
      };
    case 'perf': {
      // The database count is on the turn's heading; TTFT, tokens and waits on the narrator's call.
      const extra = fieldsText(event.fields, ['duration', ...PERF_SHOWN_ELSEWHERE, ...SKIPPED_FIELDS]);
      return { label: 'perf', text: `${event.operation} ${event.duration ?? ''}${extra ? ` (${extra})` : ''}`.replace(/ +\(/, ' (') };
    }
    case 'narration':
      return { label: 'narration', text: quoteText(event.text, full) };
    case 'prompt':
      return { label: 'prompt', text: `${event.purpose ?? ''} ${plural(event.characters, 'character')} of prompt`.trim() };
    case 'problem': {
      const extra = fieldsText(event.fields, SKIPPED_FIELDS);
      return { label: event.level.toLowerCase(), text: `[${event.module}] ${event.message}${extra ? ` (${extra})` : ''}` };
    }
    case 'note': {
      const extra = fieldsText(event.fields, SKIPPED_FIELDS);
      return { label: event.level.toLowerCase(), text: `[${event.module}] ${event.message}${extra ? ` (${extra})` : ''}` };
    }
  }
}

/** How a narrator's answer ended, said first on its line when it is not a plain stop. */
function endingOf(finish: string | undefined): string | undefined {
  if (finish === undefined || finish === 'stop') return undefined;
  if (finish === 'cancelled') return 'cancelled by the player';
  if (finish === 'length') return 'cut at the token limit';
  if (finish === 'cut') return 'the stream broke off';
  return `finish ${finish}`;
}

const wasCancelled = (turn: ReplayTurn) => turn.events.some((e) => e.type === 'llm' && e.finish === 'cancelled');

/** The story as text: a header, then each turn with its events, one a line. */
export function renderReplay(story: ReplayStory, options: RenderOptions = {}): string {
  const paint = options.paint ?? PLAIN;
  const full = options.full ?? false;
  const out: string[] = [];
  const turns = story.turns.filter((t) => t.id !== null).length;
  out.push(paint.title(safe(`Session ${story.session}`)));
  out.push(`  player    ${safe(story.user ?? 'unknown')}`);
  out.push(`  scenario  ${safe(story.scenario ?? 'unknown (its new_game line is not in these logs)')}`);
  out.push(`  from      ${story.first}`);
  out.push(`  to        ${story.last}`);
  out.push(
    `  ${plural(story.lines, 'line')}, ${plural(turns, 'turn')} with an id${story.turns.length > turns ? `, ${plural(story.turns.length - turns, 'group')} of lines without one` : ''}`,
  );
  for (const turn of story.turns) {
    out.push('');
    const only = turn.events[0];
    if (turn.id === null && turn.events.length === 1 && only?.type === 'action') {
      // A line of its own between turns, such as a slash command's.
      out.push(safe(`(no turn id)  ${clock(only.time)}  ${describe(only, full).text}`));
      continue;
    }
    const db = turn.db ? `, database ${plural(turn.db.count, 'operation')} in ${turn.db.seconds.toFixed(2)}s` : '';
    const took = turn.duration ? `, ${turn.duration}` : '';
    const cancelled = wasCancelled(turn) ? ', cancelled by the player' : '';
    out.push(paint.title(safe(`${turn.id ?? '(no turn id)'}  ${turn.kind}  ${clock(turn.first)}${took}${db}${cancelled}`)));
    for (const event of turn.events) {
      const { label, text } = describe(event, full);
      const line = `  ${clock(event.time)}  ${label.padEnd(9)}  ${safe(text)}`;
      const painted =
        event.type === 'problem' ? (event.level === 'WARN' ? paint.warn(line) : paint.error(line)) : event.type === 'retry' ? paint.warn(line) : line;
      out.push(painted);
      if (event.type === 'problem') for (const s of event.stack) out.push(paint.dim(`      ${safe(s.trim())}`));
    }
  }
  return `${out.join('\n')}\n`;
}
