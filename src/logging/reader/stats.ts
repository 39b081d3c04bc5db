import { renderTable } from '../../text/table.js';
import { normalizeLevel } from '../levels.js';
import type { LogFileInfo } from '../log-files.js';
import { unescapeField } from '../escape.js';
import { rawContext, type LogEntry, type RawContext } from './entry.js';
import type { EntryFilter } from './filter.js';
import { searchFiles } from './search.js';
import { BitSet, NameNumbers } from './name-sets.js';
import { Tally, type TallyPartial } from './tally.js';
import { v2Operation } from './v2-format.js';

export { percentile } from './tally.js';

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
   * Distinct `user_id` values (without regard to case) on DEBUG, INFO and PERF entries of the hour
   * or day (not on failed logins, nor on entries of what someone else did to the account: a `…_by` field).
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
  /**
   * Calls answered with a status other than 2xx, logged at ERROR, whose stream broke off
   * (`finish_reason: cut`), or failed in the end (not counting the player's cancels).
   */
  failures: number;
  /** Calls the player cancelled: a failed call's `kind: cancelled`, a stream's `finish_reason: cancelled`. */
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
  durations: TallyPartial;
  ttfts: TallyPartial;
}

/**
 * A collector's whole state as plain data (it survives `postMessage` and `structuredClone`; the
 * seconds' tallies and the hours' bits are typed arrays, which a worker thread sends as one copy of
 * their bytes), so that collectors run over parts of the log can be merged: `merge` of the parts'
 * partials gives what one collector over all of it would. Percentiles are computed from the
 * merged tallies at the end.
 */
export interface StatsPartial {
  entries: number;
  first: string | null;
  last: string | null;
  /** Per module: entries, warnings, errors. */
  modules: Record<string, [entries: number, warnings: number, errors: number]>;
  /** Per PERF operation, the seconds of each entry with a numeric duration, tallied. */
  durations: Record<string, TallyPartial>;
  /** Per operation, completions (PERF entries, with or without a duration, and database DEBUG entries). */
  completed: Record<string, number>;
  /** Per `operation` field of ERROR and FATAL entries. */
  operationErrors: Record<string, number>;
  /** Per hour (`2024-01-15 10`), the distinct users and sessions seen: bits over userNames and sessionNames (BitSet's words). */
  hours: Record<string, { users: Uint32Array; sessions: Uint32Array }>;
  userNames: string[];
  sessionNames: string[];
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

/** `process_player_input completed` → `process_player_input`. */
function operationName(message: string): string {
  return message.endsWith(' completed') ? message.slice(0, -' completed'.length) : message;
}

/** The level as StoryOS names it (`WARNING` → `WARN`), each spelling normalised once. */
const LEVEL_NAMES = new Map<string, string>();
export function levelOf(level: string): string {
  let name = LEVEL_NAMES.get(level);
  if (name === undefined) {
    name = normalizeLevel(level);
    if (LEVEL_NAMES.size < 64) LEVEL_NAMES.set(level, name);
  }
  return name;
}

/** The module an entry without one counts under. */
export const UNPARSED = '(unparsed)';
export const API_CALL = 'API call: ';
export const DB_QUERY = 'Database query executed: ';
/** A field activity counts, as any line writes it. */
const ACTIVITY_FIELD = /user_id: |session: |session_id: /;
/** An hour's key: `2024-01-15 10` of `2024-01-15 10:30:15,123`. */
export const HOUR_KEY = 13;

/**
 * What stats reads of one entry's message and context, as parseBody gives them (unescaped; a key
 * given twice keeps its first value). Read from the text by readFields, or from the bytes.
 */
export interface Fields {
  /** The operation of a PERF entry (`process_player_input` of `process_player_input completed`). */
  perfOperation: string | undefined;
  /** Of an `API call: …` entry, the model it names (or `(xai)` for an `API call: xai …` naming none). */
  apiCallModel: string | undefined;
  /** Of a DEBUG `Database query executed: <operation>` entry, the operation. */
  dbOperation: string | undefined;
  operation: string | undefined;
  model: string | undefined;
  kind: string | undefined;
  user_id: string | undefined;
  session: string | undefined;
  session_id: string | undefined;
  /** How a streamed call ended (`stop`, `length`, `cut` when the stream broke off, `cancelled` by the player). */
  finish_reason: string | undefined;
  /** Seconds (`1.20s` → 1.2): NaN when absent or no number. */
  duration: number;
  ttft: number;
  /** NaN when absent or no number. */
  status: number;
  /** Counts: 0 when absent or no number. */
  retries: number;
  tokens_in: number;
  tokens_out: number;
  attempt: number;
  /**
   * A `…_by` field: the entry records what someone else did to the user's account (`User alice
   * created (user_id: alice, created_by: root)`, `unlocked_by`), no sign that the user was there.
   */
  doneByAnother: boolean;
}

/** The context fields stats reads, each with how its text becomes the value. */
export const TEXT_FIELDS = ['operation', 'model', 'kind', 'user_id', 'session', 'session_id', 'finish_reason'] as const;
export const SECONDS_FIELDS = ['duration', 'ttft'] as const;
export const COUNT_FIELDS = ['retries', 'tokens_in', 'tokens_out', 'attempt'] as const;
export type FieldName = (typeof TEXT_FIELDS)[number] | (typeof SECONDS_FIELDS)[number] | (typeof COUNT_FIELDS)[number] | 'status';
/** How a field's text becomes its value. */
export type Reading = 'text' | 'seconds' | 'count' | 'status';
/** Each field stats reads and its reading: the one table both readers (text and bytes) are built from. */
export const FIELD_READINGS: ReadonlyArray<[FieldName, Reading]> = [
  ...TEXT_FIELDS.map((name) => [name, 'text'] as [FieldName, Reading]),
  ...SECONDS_FIELDS.map((name) => [name, 'seconds'] as [FieldName, Reading]),
  ...COUNT_FIELDS.map((name) => [name, 'count'] as [FieldName, Reading]),
  ['status', 'status'],
];
const READING = new Map<string, Reading>(FIELD_READINGS);

export function emptyFields(): Fields {
  const fields = {} as Fields;
  resetFields(fields);
  return fields;
}

/** Makes `fields` empty again (for a reader that reuses one record for every entry). */
export function resetFields(fields: Fields): void {
  fields.perfOperation = undefined;
  fields.apiCallModel = undefined;
  fields.dbOperation = undefined;
  fields.operation = undefined;
  fields.model = undefined;
  fields.kind = undefined;
  fields.user_id = undefined;
  fields.session = undefined;
  fields.session_id = undefined;
  fields.finish_reason = undefined;
  fields.duration = Number.NaN;
  fields.ttft = Number.NaN;
  fields.status = Number.NaN;
  fields.retries = 0;
  fields.tokens_in = 0;
  fields.tokens_out = 0;
  fields.attempt = 0;
  fields.doneByAnother = false;
}

/**
 * The player an entry shows active: its `user_id` (in lower case: accounts are named without
 * regard to case) on a DEBUG, INFO or PERF entry, not on a failed login or other warning or
 * error, nor on an entry of what someone else did to the account (a `…_by` field).
 */
export function activeUser(level: string, fields: Fields): string | undefined {
  const quiet = level === 'DEBUG' || level === 'INFO' || level === 'PERF';
  return fields.user_id && quiet && !fields.doneByAnother ? fields.user_id.toLowerCase() : undefined;
}

/** The game an entry belongs to: its `session`, else its `session_id`. */
export const sessionOf = (fields: Fields) => fields.session ?? fields.session_id;

/** `1.20s` → 1.2 (what parseFloat reads); NaN when it is no number. */
export const secondsOf = (text: string) => Number.parseFloat(text);
/** `12` → 12; 0 when it is no number. */
export const countOf = (text: string) => {
  const n = Number(text);
  return Number.isFinite(n) ? n : 0;
};
export const statusOf = (text: string) => Number(text);

/** Sets a field from its text, unless it was given before (the first value is kept). */
export function setField(fields: Fields, name: FieldName, text: string, seen: Set<string>): void {
  if (seen.has(name)) return;
  seen.add(name);
  const reading = READING.get(name);
  if (reading === 'text') fields[name as (typeof TEXT_FIELDS)[number]] = text;
  else if (reading === 'seconds') fields[name as (typeof SECONDS_FIELDS)[number]] = secondsOf(text);
  else if (reading === 'count') fields[name as (typeof COUNT_FIELDS)[number]] = countOf(text);
  else fields.status = statusOf(text);
}

export const isStatsField = (key: string): key is FieldName => READING.has(key);

/** What the message says, once the fields are read: a PERF operation, an API call's model, a database query's operation. */
export function readMessage(fields: Fields, level: string, message: string): Fields {
  if (level === 'PERF') fields.perfOperation = perfOperationOf(message, fields.operation);
  if (message.startsWith(API_CALL)) fields.apiCallModel = fields.model || `(${message.slice(API_CALL.length).split(' ', 1)[0] || 'unknown'})`;
  else if (level === 'DEBUG' && message.startsWith(DB_QUERY)) fields.dbOperation = message.slice(DB_QUERY.length);
  return fields;
}

/** The operation a PERF entry's message names; v2's performance lines name it in a field (`Performance | Operation: X | …`). */
export function perfOperationOf(message: string, operation: string | undefined): string {
  return (operation !== undefined && v2Operation(message, { operation })) || operationName(message);
}

/** The fields stats reads of an entry's body `message (key: value, …)`, as parseBody gives them. */
export function readFields(body: string, level: string): Fields {
  return fieldsOf(rawContext(body), level);
}

/** readFields of a body already split by rawContext. */
export function fieldsOf(raw: RawContext, level: string): Fields {
  const fields = emptyFields();
  const seen = new Set<string>();
  for (const [rawKey, value] of raw.fields) {
    const key = raw.escaped ? unescapeField(rawKey) : rawKey;
    if (isStatsField(key)) setField(fields, key, raw.escaped ? unescapeField(value) : value, seen);
    else if (key.endsWith('_by')) fields.doneByAnother = true;
  }
  return readMessage(fields, level, raw.message);
}

/** A model's call durations and TTFTs (seconds) while they are collected. */
export interface CallSeconds {
  durations: Tally;
  ttfts: Tally;
}

/** A model's figures while they are collected: its seconds tallied. */
type ModelFigures = Omit<ModelPartial, 'durations' | 'ttfts'> & CallSeconds;

function emptyModel(): ModelFigures {
  return { calls: 0, failures: 0, cancelled: 0, retries: 0, tokensIn: 0, tokensOut: 0, durations: new Tally(), ttfts: new Tally() };
}

function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function tallyIn(map: Map<string, Tally>, key: string): Tally {
  let tally = map.get(key);
  if (!tally) {
    tally = new Tally();
    map.set(key, tally);
  }
  return tally;
}

/** The players and games of an hour or a day, as numbers given by the collector's NameNumbers. */
interface Hour {
  users: BitSet;
  sessions: BitSet;
}

const emptyHour = (): Hour => ({ users: new BitSet(), sessions: new BitSet() });

function addHour(to: Hour, hour: Hour): void {
  to.users.addAll(hour.users);
  to.sessions.addAll(hour.sessions);
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
  private durations = new Map<string, Tally>();
  private modules = new Map<string, [number, number, number]>();
  private completed = new Map<string, number>();
  private operationErrors = new Map<string, number>();
  private hours = new Map<string, Hour>();
  private readonly userNumbers = new NameNumbers();
  private readonly sessionNumbers = new NameNumbers();
  private models = new Map<string, ModelFigures>();

  add(entry: LogEntry): void {
    const { time, body } = entry;
    const level = levelOf(entry.level);
    this.countEntry(level, this.moduleCounts(entry.module || UNPARSED));
    // A line that is not StoryOS's has no fields to read.
    if (!time) return;
    this.noteTime(time);
    const wanted =
      level === 'PERF' ||
      level === 'WARN' ||
      level === 'ERROR' ||
      level === 'FATAL' ||
      body.startsWith(API_CALL) ||
      (level === 'DEBUG' && body.startsWith(DB_QUERY)) ||
      ACTIVITY_FIELD.test(body);
    if (wanted) this.addFields(time.slice(0, HOUR_KEY), level, entry.module, readFields(body, level));
  }

  /** What an entry's fields add: an operation's duration or completion, an LLM call, an error, activity. */
  addFields(hourKey: string, level: string, module: string, context: Fields): void {
    const isError = level === 'ERROR' || level === 'FATAL';
    if (context.perfOperation !== undefined) this.addPerf(context.perfOperation, context.duration);
    else if (context.dbOperation !== undefined) bump(this.completed, context.dbOperation);
    if (context.apiCallModel !== undefined) this.addApiCall(context.apiCallModel, context, isError);
    else if (isError) {
      if (context.operation) bump(this.operationErrors, context.operation);
      if (module === 'llm_utils' && context.model) this.addFailedCall(context);
    }

    this.addActivity(hourKey, activeUser(level, context), sessionOf(context));
  }

  /** A player (in lower case) and a game seen active in the hour `hourKey` (`2024-01-15 10`); empty or undefined: none. */
  addActivity(hourKey: string, user: string | undefined, session: string | undefined): void {
    if (!user && !session) return;
    const hour = this.hourAt(hourKey);
    if (user) hour.users.add(this.userNumbers.numberOf(user));
    if (session) hour.sessions.add(this.sessionNumbers.numberOf(session));
  }

  /** This collector's number of a player (in lower case) or of a game, for addNumbered. */
  numberOf(kind: 'user' | 'session', name: string): number {
    return (kind === 'user' ? this.userNumbers : this.sessionNumbers).numberOf(name);
  }

  /** addActivity of one player or game given by its number (numberOf): a reader that meets a name often numbers it once. */
  addNumbered(hourKey: string, kind: 'user' | 'session', n: number): void {
    const hour = this.hourAt(hourKey);
    (kind === 'user' ? hour.users : hour.sessions).add(n);
  }

  /** `entries` entries more, of a module (its counts given by moduleCounts), of which `warnings` warnings and `errors` errors. */
  countEntries(counts: [number, number, number], entries: number, warnings: number, errors: number): void {
    this.entries += entries;
    counts[0] += entries;
    counts[1] += warnings;
    counts[2] += errors;
  }

  /** `n` completions more of an operation (database queries added up elsewhere). */
  addCompletions(operation: string, n: number): void {
    bump(this.completed, operation, n);
  }

  /** Answered calls of a model added up elsewhere; their seconds are pushed to the lists returned. */
  addCalls(name: string, calls: number, failures: number, retries: number, tokensIn: number, tokensOut: number, cancelled: number): CallSeconds {
    const model = this.model(name);
    model.calls += calls;
    model.failures += failures;
    model.cancelled += cancelled;
    model.retries += retries;
    model.tokensIn += tokensIn;
    model.tokensOut += tokensOut;
    return model;
  }

  /** One entry more, to its module's counts (given by moduleCounts) and to its warnings or errors. */
  countEntry(level: string, counts: [number, number, number]): void {
    this.entries++;
    counts[0]++;
    if (level === 'WARN') counts[1]++;
    else if (level === 'ERROR' || level === 'FATAL') counts[2]++;
  }

  /** An entry's time, to the span from the first to the last. */
  noteTime(time: string): void {
    if (this.first === null || time < this.first) this.first = time;
    if (this.last === null || time > this.last) this.last = time;
  }

  /** This collector's state as plain data (copied: adding more later does not change it). */
  toPartial(): StatsPartial {
    const copyLists = (map: Map<string, Tally>) => Object.fromEntries([...map].map(([k, v]) => [k, v.toPartial()]));
    return {
      entries: this.entries,
      first: this.first,
      last: this.last,
      modules: Object.fromEntries([...this.modules].map(([k, v]) => [k, [...v] as [number, number, number]])),
      durations: copyLists(this.durations),
      completed: Object.fromEntries(this.completed),
      operationErrors: Object.fromEntries(this.operationErrors),
      hours: Object.fromEntries([...this.hours].map(([k, h]) => [k, { users: h.users.toWords(), sessions: h.sessions.toWords() }])),
      userNames: [...this.userNumbers.names],
      sessionNames: [...this.sessionNumbers.names],
      models: Object.fromEntries([...this.models].map(([k, m]) => [k, { ...m, durations: m.durations.toPartial(), ttfts: m.ttfts.toPartial() }])),
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
    for (const [operation, values] of Object.entries(p.durations)) tallyIn(this.durations, operation).add(values);
    for (const [operation, n] of Object.entries(p.completed)) bump(this.completed, operation, n);
    for (const [operation, n] of Object.entries(p.operationErrors)) bump(this.operationErrors, operation, n);
    // The partial's numbers of names, as this collector numbers them.
    const users = p.userNames.map((name) => this.userNumbers.numberOf(name));
    const sessions = p.sessionNames.map((name) => this.sessionNumbers.numberOf(name));
    for (const [key, given] of Object.entries(p.hours)) {
      const hour = this.hour(key);
      new BitSet(given.users).forEach((n) => {
        hour.users.add(users[n] as number);
      });
      new BitSet(given.sessions).forEach((n) => {
        hour.sessions.add(sessions[n] as number);
      });
    }
    for (const [name, m] of Object.entries(p.models)) {
      const model = this.model(name);
      model.calls += m.calls;
      model.failures += m.failures;
      model.cancelled += m.cancelled;
      model.retries += m.retries;
      model.tokensIn += m.tokensIn;
      model.tokensOut += m.tokensOut;
      model.durations.add(m.durations);
      model.ttfts.add(m.ttfts);
    }
    return this;
  }

  result(options: StatsOptions = {}): LogStats {
    const operations = [...this.durations].map(([operation, seconds]) => ({
      operation,
      count: seconds.length,
      p50: seconds.percentile(50),
      p95: seconds.percentile(95),
      p99: seconds.percentile(99),
      max: seconds.max(),
    }));
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

  /** A module's entries, warnings and errors so far, to be counted on. */
  moduleCounts(module: string): [number, number, number] {
    let counts = this.modules.get(module);
    if (!counts) {
      counts = [0, 0, 0];
      this.modules.set(module, counts);
    }
    return counts;
  }

  private lastHourKey = '\u0000';
  private lastHour: Hour | undefined;

  /** The hour's players and games, to be added to. Entries come in runs of one hour: the last hour asked for is checked before the map. */
  private hourAt(hourKey: string): Hour {
    if (hourKey !== this.lastHourKey || this.lastHour === undefined) {
      this.lastHourKey = hourKey;
      this.lastHour = this.hour(hourKey);
    }
    return this.lastHour;
  }

  private hour(key: string): Hour {
    let hour = this.hours.get(key);
    if (!hour) {
      hour = emptyHour();
      this.hours.set(key, hour);
    }
    return hour;
  }

  private model(name: string): ModelFigures {
    let model = this.models.get(name);
    if (!model) {
      model = emptyModel();
      this.models.set(name, model);
    }
    return model;
  }

  private addPerf(operation: string, duration: number): void {
    bump(this.completed, operation);
    if (!Number.isNaN(duration)) tallyIn(this.durations, operation).push(duration);
  }

  /** `API call: llm chat.completions (stream) (status: 200, duration: 1.20s, retries: 0, tokens_in: …, model: …, ttft: 0.40s)`. */
  private addApiCall(modelName: string, context: Fields, isError: boolean): void {
    const model = this.model(modelName);
    model.calls++;
    const { status, finish_reason: finish } = context;
    if (finish === 'cancelled') model.cancelled++;
    else if (isError || !(status >= 200 && status < 300) || finish === 'cut') model.failures++;
    model.retries += context.retries;
    model.tokensIn += context.tokens_in;
    model.tokensOut += context.tokens_out;
    if (!Number.isNaN(context.duration)) model.durations.push(context.duration);
    if (!Number.isNaN(context.ttft)) model.ttfts.push(context.ttft);
  }

  /** `LLM request failed (purpose: turn, model: …, attempt: 3, kind: timeout, …)`: the call ended without an answer. */
  private addFailedCall(context: Fields): void {
    const model = this.model(context.model || '(unknown)');
    model.calls++;
    if (context.kind === 'cancelled') model.cancelled++;
    else model.failures++;
    model.retries += Math.max(0, context.attempt - 1);
  }

  private histogram(): HistogramBucket[] {
    const bounds = BUCKETS.map(([bound]) => bound);
    const counts = BUCKETS.map(() => 0);
    for (const tally of this.durations.values()) tally.histogramInto(bounds, counts);
    return BUCKETS.map(([, label], i) => ({ label, count: counts[i] as number }));
  }

  private activity(wanted: ActivityUnit | undefined): ActivityStats {
    const all = emptyHour();
    for (const hour of this.hours.values()) addHour(all, hour);
    const { users: allUsers, sessions: allSessions } = all;
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
        const day = days.get(key.slice(0, 10)) ?? emptyHour();
        addHour(day, hour);
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
        const { durations, ttfts } = m;
        return {
          model,
          calls: m.calls,
          failures: m.failures,
          cancelled: m.cancelled,
          retries: m.retries,
          tokensIn: m.tokensIn,
          tokensOut: m.tokensOut,
          ttftP50: ttfts.percentile(50),
          ttftP95: ttfts.percentile(95),
          durationP50: durations.percentile(50),
          durationP95: durations.percentile(95),
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
