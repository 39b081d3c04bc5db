import { renderTable } from '../../text/table.js';
import { latin1, utf8 } from './bytes.js';
import { bytesAre, scanContext } from './context-bytes.js';
import { isLevelName, lineLevel, normalizeLevel } from '../levels.js';
import type { LogFileInfo } from '../log-files.js';
import { unescapeField } from '../escape.js';
import { parseEntry, rawContext, type LogEntry } from './entry.js';
import type { EntryFilter } from './filter.js';
import { headerAt, headerModuleEnd, levelEndOfLastHeader, matchRanges, searchFiles } from './search.js';
import { v2Operation } from './v2-format.js';

export interface OperationStats {
  operation: string;
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface ModuleStats {
  module: string;
  entries: number;
  warnings: number;
  errors: number;
  /** Errors (ERROR and FATAL) as a fraction of the module's entries. */
  errorRate: number;
}

export interface HistogramBucket {
  label: string;
  count: number;
}

export type ActivityUnit = 'hour' | 'day';

export interface ActivityBucket {
  /** `2024-01-15 10:00` (an hour) or `2024-01-15` (a day), in the log's local time. */
  label: string;
  /**
   * Distinct `user_id` values on DEBUG, INFO and PERF entries of the hour or day (not on failed
   * logins, nor on entries of what someone else did to the account: a `…_by` field).
   */
  users: number;
  /** Distinct `session` or `session_id` values on any entry of the hour or day. */
  sessions: number;
}

export interface ActivityStats {
  by: ActivityUnit;
  /** Distinct over the whole span (not the sum of the buckets: one user is counted once). */
  users: number;
  sessions: number;
  /** Every hour or day from the first entry's to the last's, the quiet ones with zeros. */
  buckets: ActivityBucket[];
}

export interface ModelStats {
  model: string;
  /** Calls that ended: answered (an `API call:` line) or failed in the end (ERROR from llm_utils). */
  calls: number;
  /** Calls answered with a status other than 2xx, logged at ERROR, or failed in the end (not counting the player's cancels). */
  failures: number;
  /** Calls the player cancelled (`kind: cancelled`). */
  cancelled: number;
  /** Retries made inside those calls (an answered call's `retries`; a failed one's attempts less one). */
  retries: number;
  tokensIn: number;
  tokensOut: number;
  /** Seconds to the first word, over the streamed answers (NaN, null in JSON, when none logged one). */
  ttftP50: number;
  ttftP95: number;
  /** Seconds per answered call. */
  durationP50: number;
  durationP95: number;
}

export interface OperationErrorStats {
  operation: string;
  /** ERROR and FATAL entries with this `operation` field. */
  errors: number;
  /** Times it completed: PERF entries of this operation and `Database query executed: <operation>` DEBUG entries. */
  completed: number;
  /** errors / (completed + errors); null when the log holds no completion of it. */
  errorRate: number | null;
}

export interface LogStats {
  entries: number;
  first: string | null;
  last: string | null;
  operations: OperationStats[];
  modules: ModuleStats[];
  histogram: HistogramBucket[];
  activity: ActivityStats;
  llm: ModelStats[];
  operationErrors: OperationErrorStats[];
}

export interface StatsOptions {
  /** Activity per hour or per day; by default per day when the span is over 48 hours. */
  by?: ActivityUnit | undefined;
}

/** One model's figures as collected, mergeable. */
export interface ModelPartial {
  calls: number;
  failures: number;
  cancelled: number;
  retries: number;
  tokensIn: number;
  tokensOut: number;
  durations: number[];
  ttfts: number[];
}

/**
 * A collector's whole state as plain JSON (it survives `JSON.stringify` and `postMessage`), so
 * that collectors run over parts of the log can be merged: `merge` of the parts' partials gives
 * what one collector over all of it would. Percentiles are computed from the raw values at the end.
 */
export interface StatsPartial {
  entries: number;
  first: string | null;
  last: string | null;
  /** Per module: entries, warnings, errors. */
  modules: Record<string, [entries: number, warnings: number, errors: number]>;
  /** Per PERF operation, the seconds of each entry with a numeric duration. */
  durations: Record<string, number[]>;
  /** Per operation, completions (PERF entries, with or without a duration, and database DEBUG entries). */
  completed: Record<string, number>;
  /** Per `operation` field of ERROR and FATAL entries. */
  operationErrors: Record<string, number>;
  /** Per hour (`2024-01-15 10`), the distinct users and sessions seen. */
  hours: Record<string, { users: string[]; sessions: string[] }>;
  models: Record<string, ModelPartial>;
}

/** Upper bounds in seconds of the duration histogram's buckets. */
const BUCKETS: Array<[number, string]> = [
  [0.01, '<10ms'],
  [0.05, '<50ms'],
  [0.1, '<100ms'],
  [0.25, '<250ms'],
  [0.5, '<500ms'],
  [1, '<1s'],
  [2, '<2s'],
  [5, '<5s'],
  [10, '<10s'],
  [Infinity, '≥10s'],
];

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** `process_player_input completed` → `process_player_input`. */
function operationName(message: string): string {
  return message.endsWith(' completed') ? message.slice(0, -' completed'.length) : message;
}

/** The level as StoryOS names it (`WARNING` → `WARN`), each spelling normalised once. */
const LEVEL_NAMES = new Map<string, string>();
function levelOf(level: string): string {
  let name = LEVEL_NAMES.get(level);
  if (name === undefined) {
    name = normalizeLevel(level);
    if (LEVEL_NAMES.size < 64) LEVEL_NAMES.set(level, name);
  }
  return name;
}

const API_CALL = 'API call: ';
const DB_QUERY = 'Database query executed: ';
/** A field activity counts, as any line writes it. */
const ACTIVITY_FIELD = /user_id: |session: |session_id: /;
/** An hour's key: `2024-01-15 10` of `2024-01-15 10:30:15,123`. */
const HOUR_KEY = 13;

const seconds = (value: string | undefined) => (value === undefined ? Number.NaN : Number.parseFloat(value));
const count = (value: string | undefined) => {
  const n = value === undefined ? Number.NaN : Number(value);
  return Number.isFinite(n) ? n : 0;
};

/** The context fields stats reads, of one entry (undefined when absent). */
interface Fields {
  message: string;
  duration: string | undefined;
  operation: string | undefined;
  model: string | undefined;
  status: string | undefined;
  retries: string | undefined;
  tokens_in: string | undefined;
  tokens_out: string | undefined;
  ttft: string | undefined;
  attempt: string | undefined;
  kind: string | undefined;
  user_id: string | undefined;
  session: string | undefined;
  session_id: string | undefined;
  /**
   * A `…_by` field: the entry records what someone else did to the user's account (`User alice
   * created (user_id: alice, created_by: root)`, `unlocked_by`), no sign that the user was there.
   */
  doneByAnother: boolean;
}

type FieldName = Exclude<keyof Fields, 'message' | 'doneByAnother'>;
const FIELD_NAMES = new Set<string>([
  'duration',
  'operation',
  'model',
  'status',
  'retries',
  'tokens_in',
  'tokens_out',
  'ttft',
  'attempt',
  'kind',
  'user_id',
  'session',
  'session_id',
] satisfies FieldName[]);

/**
 * The fields of `message (key: value, …)` that stats reads, as parseBody gives them (unescaped;
 * a key given twice keeps its first value), without building an object of every field.
 */
function readFields(body: string): Fields {
  const raw = rawContext(body);
  const fields = emptyFields(raw.message);
  for (const [rawKey, value] of raw.fields) {
    const key = raw.escaped ? unescapeField(rawKey) : rawKey;
    if (FIELD_NAMES.has(key)) {
      const name = key as FieldName;
      fields[name] ??= raw.escaped ? unescapeField(value) : value;
    } else if (key.endsWith('_by')) fields.doneByAnother = true;
  }
  return fields;
}

function emptyModel(): ModelPartial {
  return { calls: 0, failures: 0, cancelled: 0, retries: 0, tokensIn: 0, tokensOut: 0, durations: [], ttfts: [] };
}

function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function listIn<T>(map: Map<string, T[]>, key: string): T[] {
  let list = map.get(key);
  if (!list) {
    list = [];
    map.set(key, list);
  }
  return list;
}

interface Hour {
  users: Set<string>;
  sessions: Set<string>;
}

/**
 * The figures of `storyos logs stats`, one entry at a time. Only the entries whose fields count
 * (PERF, WARN and above, API calls, database queries, and entries naming a user or a session)
 * have their context parsed; the rest cost a few comparisons.
 */
export class StatsCollector {
  private entries = 0;
  private first: string | null = null;
  private last: string | null = null;
  private durations = new Map<string, number[]>();
  private modules = new Map<string, [number, number, number]>();
  private completed = new Map<string, number>();
  private operationErrors = new Map<string, number>();
  private hours = new Map<string, Hour>();
  private models = new Map<string, ModelPartial>();

  add(entry: LogEntry): void {
    const { time, body } = entry;
    const level = levelOf(entry.level);
    this.countEntry(time, level, entry.module || '(unparsed)');
    // A line that is not StoryOS's has no fields to read.
    if (!time) return;
    const wanted =
      level === 'PERF' ||
      level === 'WARN' ||
      level === 'ERROR' ||
      level === 'FATAL' ||
      body.startsWith(API_CALL) ||
      (level === 'DEBUG' && body.startsWith(DB_QUERY)) ||
      ACTIVITY_FIELD.test(body);
    if (wanted) this.addFields(time, level, entry.module, readFields(body));
  }

  /** What an entry's fields add: an operation's duration or completion, an LLM call, an error, activity. */
  addFields(time: string, level: string, module: string, context: Fields): void {
    const isError = level === 'ERROR' || level === 'FATAL';
    const { message } = context;
    if (level === 'PERF') this.addPerf(message, context);
    else if (level === 'DEBUG' && message.startsWith(DB_QUERY)) bump(this.completed, message.slice(DB_QUERY.length));
    if (message.startsWith(API_CALL)) this.addApiCall(message, context, isError);
    else if (isError) {
      if (context.operation) bump(this.operationErrors, context.operation);
      if (module === 'llm_utils' && context.model) this.addFailedCall(context);
    }

    const user = context.user_id && level !== 'WARN' && !isError && !context.doneByAnother ? context.user_id : undefined;
    const session = context.session ?? context.session_id;
    if (user || session) {
      // Entries come in runs of one hour: the last one's key is checked before a new one is cut.
      const hour = time.startsWith(this.lastHourKey) ? (this.lastHour as Hour) : this.hourAt(time);
      if (user) hour.users.add(user);
      if (session) hour.sessions.add(session);
    }
  }

  /**
   * An entry that adds nothing but itself: one to its module's entries (and warnings or errors)
   * and its time to the span. What collectChunk gives for the entries add() would read no field of.
   */
  countEntry(time: string, level: string, module: string): void {
    this.entries++;
    if (time) {
      if (this.first === null || time < this.first) this.first = time;
      if (this.last === null || time > this.last) this.last = time;
    }
    const counts = this.moduleCounts(module);
    counts[0]++;
    if (level === 'WARN') counts[1]++;
    else if (level === 'ERROR' || level === 'FATAL') counts[2]++;
  }

  /** This collector's state as plain JSON (copied: adding more later does not change it). */
  toPartial(): StatsPartial {
    const copyLists = (map: Map<string, number[]>) => Object.fromEntries([...map].map(([k, v]) => [k, [...v]]));
    return {
      entries: this.entries,
      first: this.first,
      last: this.last,
      modules: Object.fromEntries([...this.modules].map(([k, v]) => [k, [...v] as [number, number, number]])),
      durations: copyLists(this.durations),
      completed: Object.fromEntries(this.completed),
      operationErrors: Object.fromEntries(this.operationErrors),
      hours: Object.fromEntries([...this.hours].map(([k, h]) => [k, { users: [...h.users], sessions: [...h.sessions] }])),
      models: Object.fromEntries([...this.models].map(([k, m]) => [k, { ...m, durations: [...m.durations], ttfts: [...m.ttfts] }])),
    };
  }

  static fromPartial(partial: StatsPartial): StatsCollector {
    return new StatsCollector().merge(partial);
  }

  /** Adds another collector's figures (or a partial of one) to these. */
  merge(other: StatsCollector | StatsPartial): this {
    const p = other instanceof StatsCollector ? other.toPartial() : other;
    this.entries += p.entries;
    if (p.first !== null && (this.first === null || p.first < this.first)) this.first = p.first;
    if (p.last !== null && (this.last === null || p.last > this.last)) this.last = p.last;
    for (const [name, [entries, warnings, errors]] of Object.entries(p.modules)) {
      const module = this.moduleCounts(name);
      module[0] += entries;
      module[1] += warnings;
      module[2] += errors;
    }
    for (const [operation, values] of Object.entries(p.durations)) listIn(this.durations, operation).push(...values);
    for (const [operation, n] of Object.entries(p.completed)) bump(this.completed, operation, n);
    for (const [operation, n] of Object.entries(p.operationErrors)) bump(this.operationErrors, operation, n);
    for (const [key, { users, sessions }] of Object.entries(p.hours)) {
      const hour = this.hour(key);
      for (const user of users) hour.users.add(user);
      for (const session of sessions) hour.sessions.add(session);
    }
    for (const [name, m] of Object.entries(p.models)) {
      const model = this.model(name);
      model.calls += m.calls;
      model.failures += m.failures;
      model.cancelled += m.cancelled;
      model.retries += m.retries;
      model.tokensIn += m.tokensIn;
      model.tokensOut += m.tokensOut;
      model.durations.push(...m.durations);
      model.ttfts.push(...m.ttfts);
    }
    return this;
  }

  result(options: StatsOptions = {}): LogStats {
    const operations = [...this.durations].map(([operation, values]) => {
      const sorted = values.sort((a, b) => a - b);
      return {
        operation,
        count: sorted.length,
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        p99: percentile(sorted, 99),
        max: sorted[sorted.length - 1] as number,
      };
    });
    operations.sort((a, b) => b.count - a.count || a.operation.localeCompare(b.operation));
    const modules = [...this.modules]
      .map(([module, [entries, warnings, errors]]) => ({ module, entries, warnings, errors, errorRate: entries ? errors / entries : 0 }))
      .sort((a, b) => a.module.localeCompare(b.module));
    return {
      entries: this.entries,
      first: this.first,
      last: this.last,
      operations,
      modules,
      histogram: this.histogram(),
      activity: this.activity(options.by),
      llm: this.llm(),
      operationErrors: this.errorsByOperation(),
    };
  }

  private moduleCounts(module: string): [number, number, number] {
    let counts = this.modules.get(module);
    if (!counts) {
      counts = [0, 0, 0];
      this.modules.set(module, counts);
    }
    return counts;
  }

  private lastHourKey = '\u0000';
  private lastHour: Hour | undefined;

  private hourAt(time: string): Hour {
    this.lastHourKey = time.slice(0, HOUR_KEY);
    this.lastHour = this.hour(this.lastHourKey);
    return this.lastHour;
  }

  private hour(key: string): Hour {
    let hour = this.hours.get(key);
    if (!hour) {
      hour = { users: new Set(), sessions: new Set() };
      this.hours.set(key, hour);
    }
    return hour;
  }

  private model(name: string): ModelPartial {
    let model = this.models.get(name);
    if (!model) {
      model = emptyModel();
      this.models.set(name, model);
    }
    return model;
  }

  private addPerf(message: string, context: Fields): void {
    // v2's performance lines name the operation in a field (`Performance | Operation: X | …`).
    const operation = (context.operation !== undefined && v2Operation(message, { operation: context.operation })) || operationName(message);
    bump(this.completed, operation);
    const value = seconds(context.duration);
    if (!Number.isNaN(value)) listIn(this.durations, operation).push(value);
  }

  /** `API call: llm chat.completions (stream) (status: 200, duration: 1.20s, retries: 0, tokens_in: …, model: …, ttft: 0.40s)`. */
  private addApiCall(message: string, context: Fields, isError: boolean): void {
    const model = this.model(context.model || `(${message.slice(API_CALL.length).split(' ', 1)[0] || 'unknown'})`);
    model.calls++;
    const status = Number(context.status);
    if (isError || !(status >= 200 && status < 300)) model.failures++;
    model.retries += count(context.retries);
    model.tokensIn += count(context.tokens_in);
    model.tokensOut += count(context.tokens_out);
    const duration = seconds(context.duration);
    if (!Number.isNaN(duration)) model.durations.push(duration);
    const ttft = seconds(context.ttft);
    if (!Number.isNaN(ttft)) model.ttfts.push(ttft);
  }

  /** `LLM request failed (purpose: turn, model: …, attempt: 3, kind: timeout, …)`: the call ended without an answer. */
  private addFailedCall(context: Fields): void {
    const model = this.model(context.model || '(unknown)');
    model.calls++;
    if (context.kind === 'cancelled') model.cancelled++;
    else model.failures++;
    model.retries += Math.max(0, count(context.attempt) - 1);
  }

  private histogram(): HistogramBucket[] {
    const counts = BUCKETS.map(([, label]) => ({ label, count: 0 }));
    for (const values of this.durations.values()) {
      for (const v of values) {
        const i = BUCKETS.findIndex(([bound]) => v < bound);
        (counts[i === -1 ? counts.length - 1 : i] as HistogramBucket).count++;
      }
    }
    return counts;
  }

  private activity(wanted: ActivityUnit | undefined): ActivityStats {
    const allUsers = new Set<string>();
    const allSessions = new Set<string>();
    for (const hour of this.hours.values()) {
      for (const user of hour.users) allUsers.add(user);
      for (const session of hour.sessions) allSessions.add(session);
    }
    const first = this.first === null ? undefined : hourMs(this.first);
    const last = this.last === null ? undefined : hourMs(this.last);
    if (first === undefined || last === undefined) return { by: wanted ?? 'hour', users: allUsers.size, sessions: allSessions.size, buckets: [] };
    const by = wanted ?? (last - first > 48 * HOUR_MS ? 'day' : 'hour');
    const buckets: ActivityBucket[] = [];
    if (by === 'hour') {
      for (let t = first; t <= last; t += HOUR_MS) {
        const key = hourKey(t);
        const hour = this.hours.get(key);
        buckets.push({ label: `${key}:00`, users: hour?.users.size ?? 0, sessions: hour?.sessions.size ?? 0 });
      }
    } else {
      const days = new Map<string, Hour>();
      for (const [key, hour] of this.hours) {
        const day = days.get(key.slice(0, 10)) ?? { users: new Set(), sessions: new Set() };
        for (const user of hour.users) day.users.add(user);
        for (const session of hour.sessions) day.sessions.add(session);
        days.set(key.slice(0, 10), day);
      }
      for (let t = first - (first % DAY_MS); t <= last; t += DAY_MS) {
        const label = hourKey(t).slice(0, 10);
        const day = days.get(label);
        buckets.push({ label, users: day?.users.size ?? 0, sessions: day?.sessions.size ?? 0 });
      }
    }
    return { by, users: allUsers.size, sessions: allSessions.size, buckets };
  }

  private llm(): ModelStats[] {
    return [...this.models]
      .map(([model, m]) => {
        const durations = [...m.durations].sort((a, b) => a - b);
        const ttfts = [...m.ttfts].sort((a, b) => a - b);
        return {
          model,
          calls: m.calls,
          failures: m.failures,
          cancelled: m.cancelled,
          retries: m.retries,
          tokensIn: m.tokensIn,
          tokensOut: m.tokensOut,
          ttftP50: percentile(ttfts, 50),
          ttftP95: percentile(ttfts, 95),
          durationP50: percentile(durations, 50),
          durationP95: percentile(durations, 95),
        };
      })
      .sort((a, b) => b.calls - a.calls || a.model.localeCompare(b.model));
  }

  private errorsByOperation(): OperationErrorStats[] {
    return [...this.operationErrors]
      .map(([operation, errors]) => {
        const completed = this.completed.get(operation) ?? 0;
        return { operation, errors, completed, errorRate: completed > 0 ? errors / (completed + errors) : null };
      })
      .sort((a, b) => b.errors - a.errors || a.operation.localeCompare(b.operation));
  }
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * `2024-01-15 10:30:15,123` → its hour as if the wall-clock time were UTC: the buckets step
 * through the log's own clock readings, with no time zone or daylight saving in between.
 */
function hourMs(time: string): number {
  return Date.UTC(Number(time.slice(0, 4)), Number(time.slice(5, 7)) - 1, Number(time.slice(8, 10)), Number(time.slice(11, 13)));
}

function hourKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, HOUR_KEY).replace('T', ' ');
}

export function collectStats(files: LogFileInfo[], filter: EntryFilter, options: StatsOptions = {}): LogStats {
  const collector = new StatsCollector();
  searchFiles(files, filter, (entry) => collector.add(entry));
  return collector.result(options);
}

const secondsText = (v: number) => (Number.isNaN(v) ? '-' : `${v.toFixed(2)}s`);
const percentText = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);

function bar(value: number, max: number, width: number): string {
  const eighths = Math.round((value / Math.max(1, max)) * width * 8);
  return '█'.repeat(Math.floor(eighths / 8)) + (eighths % 8 ? (' ▏▎▍▌▋▊▉'[eighths % 8] as string) : '');
}

/** Horizontal bars, scaled to the largest bucket. */
export function renderHistogram(buckets: HistogramBucket[], width = 40): string {
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const labelWidth = Math.max(...buckets.map((b) => b.label.length));
  return buckets.map((b) => `${b.label.padStart(labelWidth)} │${bar(b.count, max, width)} ${b.count}`).join('\n');
}

/** The users and sessions of each hour or day, with a bar for the users, scaled to the busiest. */
export function renderActivity(activity: ActivityStats, width = 30): string {
  const rows = activity.buckets;
  const max = Math.max(1, ...rows.map((b) => b.users));
  const labelWidth = Math.max(activity.by === 'hour' ? 'hour'.length : 'day'.length, ...rows.map((b) => b.label.length));
  const head = `${(activity.by === 'hour' ? 'hour' : 'day').padEnd(labelWidth)}  users  sessions`;
  const lines = rows.map(
    (b) => `${b.label.padEnd(labelWidth)}  ${String(b.users).padStart(5)}  ${String(b.sessions).padStart(8)} │${bar(b.users, max, width)}`,
  );
  return [head, ...lines].join('\n');
}

export function renderStats(stats: LogStats): string {
  const parts: string[] = [`${stats.entries} entries${stats.first ? ` from ${stats.first} to ${stats.last}` : ''}`];
  const { activity } = stats;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (activity.users || activity.sessions) {
    parts.push(`Activity per ${activity.by}: ${plural(activity.users, 'user')}, ${plural(activity.sessions, 'session')} in all\n${renderActivity(activity)}`);
  } else {
    parts.push('No user or session activity.');
  }
  if (stats.operations.length) {
    parts.push(
      'Operations (PERF)\n' +
        renderTable(
          ['operation', 'count', 'p50', 'p95', 'p99', 'max'],
          stats.operations.map((o) => [o.operation, String(o.count), secondsText(o.p50), secondsText(o.p95), secondsText(o.p99), secondsText(o.max)]),
        ),
    );
    parts.push(`Durations\n${renderHistogram(stats.histogram)}`);
  } else {
    parts.push('No PERF entries.');
  }
  if (stats.llm.length) {
    const cancelled = stats.llm.reduce((sum, m) => sum + m.cancelled, 0);
    parts.push(
      'LLM usage per model\n' +
        renderTable(
          ['model', 'calls', 'failed', 'retries', 'tokens in', 'tokens out', 'TTFT p50', 'TTFT p95', 'p50', 'p95'],
          stats.llm.map((m) => [
            m.model,
            String(m.calls),
            String(m.failures),
            String(m.retries),
            String(m.tokensIn),
            String(m.tokensOut),
            secondsText(m.ttftP50),
            secondsText(m.ttftP95),
            secondsText(m.durationP50),
            secondsText(m.durationP95),
          ]),
        ) +
        (cancelled ? `\n(and ${plural(cancelled, 'call')} cancelled by the player)` : ''),
    );
  }
  parts.push(
    `Modules\n${renderTable(
      ['module', 'entries', 'warnings', 'errors', 'error %'],
      stats.modules.map((m) => [m.module, String(m.entries), String(m.warnings), String(m.errors), percentText(m.errorRate)]),
    )}`,
  );
  if (stats.operationErrors.length) {
    parts.push(
      `Errors by operation\n${renderTable(
        ['operation', 'errors', 'completed', 'error rate'],
        stats.operationErrors.map((o) => [o.operation, String(o.errors), String(o.completed), percentText(o.errorRate)]),
      )}`,
    );
  }
  return `${parts.join('\n\n')}\n`;
}

const DB_QUERY_BYTES = Buffer.from(DB_QUERY);
const API_CALL_BYTES = Buffer.from(API_CALL);
/** The level of a header whose level is spelt as StoryOS or Python spells one, else undefined. */
function levelAt(buf: Buffer, start: number, end: number): string | undefined {
  const level = lineLevel(latin1(buf, start, end));
  return isLevelName(level) ? level : undefined;
}

/** Whether the bytes at `at` begin with `prefix`. */
function startsWithAt(buf: Buffer, at: number, prefix: Buffer): boolean {
  return bytesAre(buf, at, at + prefix.length, prefix);
}

const FIELD_KEYS: Array<[Buffer, FieldName]> = [...FIELD_NAMES].map((name) => [Buffer.from(name), name as FieldName]);

function emptyFields(message: string): Fields {
  return {
    message,
    duration: undefined,
    operation: undefined,
    model: undefined,
    status: undefined,
    retries: undefined,
    tokens_in: undefined,
    tokens_out: undefined,
    ttft: undefined,
    attempt: undefined,
    kind: undefined,
    user_id: undefined,
    session: undefined,
    session_id: undefined,
    doneByAnother: false,
  };
}

/**
 * readFields on the bytes of a header line's body [bodyStart, lineEnd), for a context of the simple
 * shape (see scanContext); undefined for any other, which readFields reads. The message is decoded
 * only when asked for.
 */
function readFieldsAt(buf: Buffer, bodyStart: number, lineEnd: number, withMessage: boolean): Fields | undefined {
  const fields = emptyFields('');
  const open = scanContext(buf, bodyStart, lineEnd, (keyStart, keyEnd, valueEnd) => {
    for (const [key, name] of FIELD_KEYS) {
      if (bytesAre(buf, keyStart, keyEnd, key)) {
        fields[name] ??= utf8(buf, keyEnd + 2, valueEnd);
        return;
      }
    }
    if (keyEnd - keyStart >= 3 && buf[keyEnd - 3] === 0x5f && buf[keyEnd - 2] === 0x62 && buf[keyEnd - 1] === 0x79) fields.doneByAnother = true;
  });
  if (open === -2) return undefined;
  if (withMessage) fields.message = utf8(buf, bodyStart, open === -1 ? lineEnd : open - 1);
  return fields;
}

const ACTIVITY_NEEDLES = [Buffer.from('user_id: '), Buffer.from('session')];

/**
 * Adds a chunk's matching entries to the collector, read on the bytes: the header's time, level and
 * module in place, and for the entries whose fields count (PERF, warnings and errors, API calls,
 * database queries, lines naming a user or session) the fields stats reads, without decoding the
 * rest. A line of another shape is decoded and given to add().
 */
export function collectChunk(buf: Buffer, filter: EntryFilter, collector: StatsCollector): void {
  const next = [-1, -1];
  /** Whether the entry [from, end) may name a user or session: each needle searched once, its next hit kept. */
  const activityIn = (from: number, end: number): boolean => {
    for (let i = 0; i < ACTIVITY_NEEDLES.length; i++) {
      if ((next[i] as number) < from) {
        const hit = buf.indexOf(ACTIVITY_NEEDLES[i] as Buffer, from);
        next[i] = hit === -1 ? Number.POSITIVE_INFINITY : hit;
      }
      if ((next[i] as number) < end) return true;
    }
    return false;
  };
  matchRanges(buf, filter, (start, end) => {
    const textEnd = buf[end - 1] === 0x0a ? end - 1 : end;
    const moduleEnd = headerAt(buf, start) ? headerModuleEnd(buf, start, textEnd) : -1;
    const levelEnd = levelEndOfLastHeader();
    const level = moduleEnd === -1 ? undefined : levelAt(buf, start + 27, levelEnd);
    const newline = buf.indexOf(0x0a, start);
    const lineEnd = newline === -1 || newline > textEnd ? textEnd : newline;
    if (level === undefined) {
      collector.add(parseEntry(utf8(buf, start, lineEnd)));
      return;
    }
    const time = latin1(buf, start + 1, start + 24);
    const module = latin1(buf, levelEnd + 3, moduleEnd);
    collector.countEntry(time, level, module);
    const bodyAt = moduleEnd + 2;
    const apiCall = startsWithAt(buf, bodyAt, API_CALL_BYTES);
    const dbQuery = level === 'DEBUG' && startsWithAt(buf, bodyAt, DB_QUERY_BYTES);
    const quiet = level === 'DEBUG' || level === 'INFO';
    if (quiet && !apiCall && !dbQuery && !activityIn(start, lineEnd)) return;
    const withMessage = level === 'PERF' || apiCall || dbQuery;
    const fields = readFieldsAt(buf, bodyAt, lineEnd, withMessage) ?? readFields(utf8(buf, bodyAt, lineEnd));
    collector.addFields(time, level, module, fields);
  });
}
