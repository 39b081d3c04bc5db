import pc from 'picocolors';
import { formatTimestamp } from '../format.js';
import { rawContext, type LogEntry } from './entry.js';
import { activeUser, fieldsOf, levelOf, percentile, sessionOf, UNPARSED } from './stats.js';
import { logTimeToMs } from './time-spec.js';
import { inertLine } from './output.js';

/** A request: what a person or the narrator asked of StoryOS. */
const USER_ACTION = 'User action: ';

export interface MinuteRequests {
  /** Epoch milliseconds: the minute ends here (the newest ends at the snapshot's `now`). */
  end: number;
  userActions: number;
  apiCalls: number;
}

export interface TopOperation {
  operation: string;
  count: number;
  /** Seconds. */
  p50: number;
  p95: number;
}

export interface TopModule {
  module: string;
  warnings: number;
  errors: number;
}

export interface TopProblem {
  time: string;
  level: string;
  module: string;
  /** The message and its context, as the line holds them. */
  message: string;
}

export interface TopSnapshot {
  now: number;
  minutes: number;
  /** Entries in the window. */
  entries: number;
  requests: number;
  /** One row per minute of the window, oldest first. */
  perMinute: MinuteRequests[];
  operations: TopOperation[];
  warnings: number;
  errors: number;
  /** Modules with a warning or an error in the window. */
  modules: TopModule[];
  lastError: TopProblem | null;
  sessions: number;
  users: number;
  /** The newest entry seen, in the window or not. */
  lastEntry: { time: string; ms: number } | null;
}

/** What one second of the log holds. */
interface Bucket {
  entries: number;
  userActions: number;
  apiCalls: number;
  durations: Map<string, number[]>;
  problems: Map<string, TopModule>;
  lastError: (TopProblem & { ms: number }) | null;
}

const isError = (level: string) => level === 'ERROR' || level === 'FATAL';

/**
 * The last minutes of a log, for `storyos logs top`: entries go into one bucket per second, and
 * each snapshot drops the buckets (and the sessions and users) older than its window, so what it
 * holds is bounded by the window, however long it runs.
 */
export class TopWindow {
  private readonly buckets = new Map<number, Bucket>();
  /** Session or user → the second it was last seen. */
  private readonly sessions = new Map<string, number>();
  private readonly users = new Map<string, number>();
  /** Seconds at or before this are out of every window still to come. */
  private horizon = Number.NEGATIVE_INFINITY;
  private last: { time: string; ms: number } | null = null;

  constructor(readonly minutes = 5) {
    if (!(Number.isInteger(minutes) && minutes > 0)) throw new RangeError(`minutes must be a positive whole number, not ${minutes}`);
  }

  /** Adds an entry; `ms` is its time (by default the entry's own). Entries without a time are ignored. */
  add(entry: LogEntry, ms = entry.time ? logTimeToMs(entry.time) : Number.NaN): void {
    if (Number.isNaN(ms)) return;
    if (this.last === null || ms > this.last.ms) this.last = { time: entry.time, ms };
    const second = Math.floor(ms / 1000);
    if (second <= this.horizon) return;
    const bucket = this.bucket(second);
    bucket.entries++;
    // The fields are read as stats reads them, so the two agree on what an entry says.
    const level = levelOf(entry.level);
    const raw = rawContext(entry.body);
    const fields = fieldsOf(raw, level);
    if (raw.message.startsWith(USER_ACTION)) bucket.userActions++;
    else if (fields.apiCallModel !== undefined) bucket.apiCalls++;
    const session = sessionOf(fields);
    if (session) this.seen(this.sessions, session, second);
    const user = activeUser(level, fields);
    if (user) this.seen(this.users, user, second);
    if (fields.perfOperation !== undefined) {
      if (!Number.isNaN(fields.duration)) push(bucket.durations, fields.perfOperation, fields.duration);
    } else if (level === 'WARN' || isError(level)) {
      const module = entry.module || UNPARSED;
      const counts = bucket.problems.get(module) ?? { module, warnings: 0, errors: 0 };
      bucket.problems.set(module, counts);
      if (level === 'WARN') counts.warnings++;
      else {
        counts.errors++;
        if (bucket.lastError === null || ms >= bucket.lastError.ms) bucket.lastError = { ms, time: entry.time, level, module, message: entry.body };
      }
    }
  }

  /** The window of `minutes` minutes that ends at `now`; what is older than it is dropped for good. */
  snapshot(now: number): TopSnapshot {
    const nowSecond = Math.floor(now / 1000);
    const start = nowSecond - this.minutes * 60;
    this.evict(start);
    const perMinute: MinuteRequests[] = Array.from({ length: this.minutes }, (_, i) => ({
      end: now - (this.minutes - 1 - i) * 60_000,
      userActions: 0,
      apiCalls: 0,
    }));
    const durations = new Map<string, number[]>();
    const modules = new Map<string, TopModule>();
    let entries = 0;
    let lastError: (TopProblem & { ms: number }) | null = null;
    for (const [second, bucket] of this.buckets) {
      entries += bucket.entries;
      // Minutes back from now; an entry stamped a little ahead of this clock counts in the newest.
      const minute = perMinute[this.minutes - 1 - Math.max(0, Math.floor((nowSecond - second) / 60))] as MinuteRequests;
      minute.userActions += bucket.userActions;
      minute.apiCalls += bucket.apiCalls;
      for (const [operation, values] of bucket.durations) for (const v of values) push(durations, operation, v);
      for (const p of bucket.problems.values()) {
        const counts = modules.get(p.module) ?? { module: p.module, warnings: 0, errors: 0 };
        counts.warnings += p.warnings;
        counts.errors += p.errors;
        modules.set(p.module, counts);
      }
      if (bucket.lastError && (lastError === null || bucket.lastError.ms >= lastError.ms)) lastError = bucket.lastError;
    }
    const operations = [...durations].map(([operation, values]) => {
      const sorted = values.sort((a, b) => a - b);
      return { operation, count: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
    });
    operations.sort((a, b) => b.count - a.count || a.operation.localeCompare(b.operation));
    const problems = [...modules.values()].sort((a, b) => b.errors - a.errors || b.warnings - a.warnings || a.module.localeCompare(b.module));
    const { ms: _ms, ...lastProblem } = lastError ?? { ms: 0 };
    return {
      now,
      minutes: this.minutes,
      entries,
      requests: perMinute.reduce((sum, m) => sum + m.userActions + m.apiCalls, 0),
      perMinute,
      operations,
      warnings: problems.reduce((sum, m) => sum + m.warnings, 0),
      errors: problems.reduce((sum, m) => sum + m.errors, 0),
      modules: problems,
      lastError: lastError ? (lastProblem as TopProblem) : null,
      sessions: this.sessions.size,
      users: this.users.size,
      lastEntry: this.last,
    };
  }

  /** How many seconds of the log it holds: bounded by the window once a snapshot was taken. */
  get heldSeconds(): number {
    return this.buckets.size;
  }

  private bucket(second: number): Bucket {
    let bucket = this.buckets.get(second);
    if (!bucket) {
      bucket = { entries: 0, userActions: 0, apiCalls: 0, durations: new Map(), problems: new Map(), lastError: null };
      this.buckets.set(second, bucket);
    }
    return bucket;
  }

  private seen(ids: Map<string, number>, id: string, second: number): void {
    if ((ids.get(id) ?? Number.NEGATIVE_INFINITY) < second) ids.set(id, second);
  }

  private evict(start: number): void {
    this.horizon = Math.max(this.horizon, start);
    for (const second of this.buckets.keys()) if (second <= this.horizon) this.buckets.delete(second);
    for (const ids of [this.sessions, this.users]) for (const [id, second] of ids) if (second <= this.horizon) ids.delete(id);
  }
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const values = map.get(key);
  if (values) values.push(value);
  else map.set(key, [value]);
}

export interface RenderOptions {
  /** Columns: every line is cut to fit. */
  width?: number;
  colour?: boolean;
  /** What the view is of, for its first line: `storyos.log`. */
  source?: string;
  /** Per-minute rows shown at most (the sparkline always covers the whole window). */
  minuteRows?: number;
  /** How to leave, at the end of the first line: `q or Ctrl+C to quit`. */
  hint?: string;
}

type Paint = (text: string) => string;
type Part = string | [text: string, paint: Paint];

const SPARKS = '▁▂▃▄▅▆▇█';

/**
 * One character per value, scaled to the largest; a blank for none. More values than `most` are
 * summed in runs of equal length, the newest run ending at the last value.
 */
export function sparkline(all: number[], most = 60): string {
  const run = Math.ceil(all.length / most);
  const values: number[] = [];
  for (let end = all.length; end > 0; end -= run) values.unshift(all.slice(Math.max(0, end - run), end).reduce((a, b) => a + b, 0));
  const max = Math.max(0, ...values);
  return values.map((v) => (v === 0 ? ' ' : SPARKS[max === 0 ? 0 : Math.min(7, Math.ceil((v / max) * 8) - 1)])).join('');
}

/** `2024-01-15 10:30:15` of a time, as the log writes it (to the second). */
const dateAndClock = (ms: number) => formatTimestamp(new Date(ms)).slice(0, 19);
/** `10:30:15`. */
const clock = (ms: number) => dateAndClock(ms).slice(11);

/** `2.25s`; under a second in milliseconds (`4ms`), where database operations sit. */
const seconds = (v: number) => (Number.isNaN(v) ? '-' : v < 1 ? `${Math.round(v * 1000)}ms` : `${v.toFixed(2)}s`);

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  if (s < 172_800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} days ago`;
}

/** Cells padded into columns: `widths[i] < 0` pads on the left (numbers). */
function row(cells: string[], widths: number[]): string {
  return cells
    .map((cell, i) => {
      const w = widths[i] as number;
      return w < 0 ? cell.padStart(-w) : cell.padEnd(w);
    })
    .join('  ')
    .trimEnd();
}

/**
 * The snapshot as lines of text, each cut to `width` columns. Text from the log is made safe to
 * print (control characters shown as escapes) and colour, when wanted, goes by level.
 */
export function renderTop(snapshot: TopSnapshot, options: RenderOptions = {}): string[] {
  const width = options.width ?? Number.POSITIVE_INFINITY;
  const c = pc.createColors(options.colour ?? false);
  const lines: string[] = [];
  const line = (...parts: Part[]) => lines.push(cut(parts, width));
  const s = snapshot;
  const window = `last ${s.minutes} min`;

  line(['storyos logs top', c.bold], `  ${dateAndClock(s.now)}  ${window}${options.source ? ` of ${options.source}` : ''}`, [
    options.hint ? `  (${options.hint})` : '',
    c.dim,
  ]);
  line(s.lastEntry ? `Last entry ${s.lastEntry.time.slice(0, 19)} (${ago(s.now - s.lastEntry.ms)})` : 'No entries yet', `   ${s.entries} in the window`);
  line(['Sessions ', c.bold], `${s.sessions} active`, ['   Users ', c.bold], `${s.users} active`);
  lines.push('');

  const counts = s.perMinute.map((m) => m.userActions + m.apiCalls);
  const newest = counts[counts.length - 1] ?? 0;
  const rate = `${s.requests} in ${s.minutes} min (${(s.requests / s.minutes).toFixed(1)}/min), last minute ${newest}`;
  line(['Requests ', c.bold], rate, [s.requests ? `  ${sparkline(counts)}` : '', c.cyan]);
  const rows = s.perMinute.slice(-(options.minuteRows ?? 10));
  const widths = [9, -12, -9, -5];
  line(['  ', c.dim], [row(['minute to', 'user actions', 'API calls', 'total'], widths), c.dim]);
  for (const m of rows) line(`  ${row([clock(m.end), String(m.userActions), String(m.apiCalls), String(m.userActions + m.apiCalls)], widths)}`);
  lines.push('');

  const red = (t: string) => c.red(t);
  const yellow = (t: string) => c.yellow(t);
  line(['Errors ', c.bold], [String(s.errors), s.errors ? red : String], ['   Warnings ', c.bold], [String(s.warnings), s.warnings ? yellow : String]);
  if (s.modules.length) {
    const moduleWidth = Math.max(6, ...s.modules.map((m) => m.module.length));
    const mw = [moduleWidth, -8, -6];
    line(['  ', c.dim], [row(['module', 'warnings', 'errors'], mw), c.dim]);
    for (const m of s.modules) line(`  ${row([inertLine(m.module), String(m.warnings), String(m.errors)], mw)}`);
  }
  if (s.lastError) {
    const e = s.lastError;
    line('  Last error ', [e.time.slice(11, 19), c.dim], ' ', [`[${inertLine(e.module)}]`, c.magenta], ' ', [inertLine(e.message), red]);
  }
  lines.push('');

  line(['Operations (PERF)', c.bold]);
  if (s.operations.length === 0) line(`  none in the ${window}`);
  else {
    const opWidth = Math.max(9, ...s.operations.map((o) => o.operation.length));
    const ow = [opWidth, -5, -8, -8];
    line(['  ', c.dim], [row(['operation', 'count', 'p50', 'p95'], ow), c.dim]);
    for (const o of s.operations) line('  ', [row([inertLine(o.operation), String(o.count), seconds(o.p50), seconds(o.p95)], ow), c.cyan]);
  }
  return lines;
}

/** Joins the parts, cut to `width` characters, painting each part's visible text. */
function cut(parts: Part[], width: number): string {
  let room = width;
  let out = '';
  for (const part of parts) {
    if (room <= 0) break;
    const [text, paint] = typeof part === 'string' ? [part, undefined] : part;
    const chars = Array.from(text);
    const shown = chars.length > room ? `${chars.slice(0, Math.max(0, room - 1)).join('')}…` : text;
    room -= Math.min(chars.length, room);
    out += paint && shown ? paint(shown) : shown;
  }
  return out;
}
