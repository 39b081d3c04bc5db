import { UserFacingError } from '../../config/errors.js';
import { LEVEL_ORDER, isLevelName, levelRank, type LineLevel, normalizeLevel, spellingsOf } from '../levels.js';
import { valueAsWritten } from '../escape.js';
import { rawContext, type LogEntry, type RawContext } from './entry.js';
import { bytesFinder, type CompiledPattern, caseless, compilePattern, type Finder, integerAtLeast } from './pattern.js';
import { toLogTime } from './time-spec.js';
import { utf8 } from './bytes.js';
import { bytesAre, scanContext } from './context-bytes.js';

export interface FilterOptions {
  pattern?: string | undefined;
  ignoreCase?: boolean | undefined;
  fixedString?: boolean | undefined;
  levels?: string[] | undefined;
  minLevel?: string | undefined;
  modules?: string[] | undefined;
  user?: string | undefined;
  session?: string | undefined;
  /** Epoch milliseconds. */
  since?: number | undefined;
  until?: number | undefined;
  slowerThanSeconds?: number | undefined;
}

export interface EntryFilter {
  /** Log-format times (`2024-01-15 10:30:15,123`): they compare as strings. */
  since: string | undefined;
  until: string | undefined;
  /** The options it was built from: a worker thread builds the same filter from them. */
  options: FilterOptions;
  /** What the scanner searches each chunk for, jumping between hits; undefined: every entry is read. */
  finder: Finder | undefined;
  /** Whether an exact hit of the finder proves the pattern (the finder is the pattern's own). */
  finderIsPattern: boolean;
  /** What the scanner checks on the bytes of a header; all undefined when nothing is asked of it. */
  header: HeaderConditions | undefined;
  /** The context condition, on the fields as written; undefined when none is asked for. */
  contextMatches: ((raw: RawContext) => boolean) | undefined;
  /** The same on a header line's body [bodyStart, lineEnd) in place; undefined when its context is not of the simple shape. */
  contextMatchesAt: ((buf: Buffer, bodyStart: number, lineEnd: number) => boolean | undefined) | undefined;
  pattern: CompiledPattern | undefined;
  matches(entry: LogEntry): boolean;
}

/** The conditions on an entry's header: level as written (Python's spellings included), module, time. */
export interface HeaderConditions {
  levels: ReadonlySet<string> | undefined;
  modules: ReadonlySet<string> | undefined;
  since: string | undefined;
  until: string | undefined;
}

function checkLevel(level: string): LineLevel {
  const name = normalizeLevel(level);
  if (!isLevelName(name)) throw new UserFacingError(`Unknown level ${JSON.stringify(level)}: use one of ${LEVEL_ORDER.join(', ')}.`);
  return name;
}

/** The levels a line may carry to pass `--level` and `--min-level`, or undefined when neither is given. */
function acceptedLevels(levels: LineLevel[], minRank: number): LineLevel[] | undefined {
  if (levels.length === 0 && minRank < 0) return undefined;
  return (levels.length ? levels : [...LEVEL_ORDER]).filter((level) => levelRank(level) >= minRank);
}

/**
 * What the scanner searches each chunk for: the condition whose hits are likely fewest, written as
 * the line holds it. Each starts on its distinctive part (`PERF] [` rather than `] [PERF] [`):
 * the search skips ahead on the first byte, and `]` is everywhere.
 */
function chooseFinder(options: FilterOptions, levels: LineLevel[] | undefined, modules: string[], pattern: CompiledPattern | undefined): Finder | undefined {
  const { session } = options;
  // The line holds the value escaped; a line written before the escaping holds it as it is. A
  // value with nothing to escape follows `: ` either way, and the longer needle skips further.
  const escapedSession = session === undefined ? undefined : valueAsWritten(session);
  if (session && escapedSession === session) return bytesFinder(`: ${session}`, false);
  if (session && escapedSession?.includes(session)) return bytesFinder(session, false);
  if (pattern?.finder) return pattern.finder;
  const { user } = options;
  // The name's case may differ: a regex of letter classes over the chunk read as latin1 (ASCII
  // names only, as usernames are), one native scan rather than an indexOf per near miss.
  if (user && valueAsWritten(user) === user && /^[\x21-\x7e]+$/.test(user))
    return { kind: 'regex', regex: new RegExp(`user_id: ${caseless(user)}(?=[,)])`, 'g'), exact: false };
  // parseFloat reads the value: spaces, a sign and leading zeros may come first, and an exponent
  // can make a small-looking number large, so those are candidates too.
  if (options.slowerThanSeconds !== undefined && options.slowerThanSeconds >= 1)
    return {
      kind: 'regex',
      regex: new RegExp(`duration:\\s*\\+?0*(?:${integerAtLeast(options.slowerThanSeconds)}(?!\\d)|[\\d.]*[eE])`, 'g'),
      exact: false,
    };
  if (options.slowerThanSeconds !== undefined) return bytesFinder('duration:', false);
  const spellings = levels?.flatMap(spellingsOf);
  if (spellings?.length === 1 && modules.length === 1) return bytesFinder(`${spellings[0]}] [${modules[0]}] `, false);
  if (spellings?.length === 1) return bytesFinder(`${spellings[0]}] [`, false);
  if (spellings && spellings.length < LEVEL_ORDER.length) return { kind: 'regex', regex: new RegExp(`(?:${spellings.join('|')})\\] \\[`, 'g'), exact: false };
  if (modules.length === 1) return bytesFinder(`${modules[0]}] `, false);
  return undefined;
}

/** The context fields the filters read, by key. */
interface ContextFields {
  userId?: string;
  session?: string;
  sessionId?: string;
  duration?: string;
}
const CONTEXT_FIELDS: ReadonlyMap<string, keyof ContextFields> = new Map([
  ['user_id', 'userId'],
  ['session', 'session'],
  ['session_id', 'sessionId'],
  ['duration', 'duration'],
]);
const CONTEXT_KEYS = [...CONTEXT_FIELDS].map(([key, name]) => [Buffer.from(key), name] as const);

/** Lower case for ASCII letters only, as the finders fold case on the bytes. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

function durationSeconds(value: string | undefined): number {
  if (value === undefined) return Number.NaN;
  return Number.parseFloat(value);
}

export function buildFilter(options: FilterOptions): EntryFilter {
  const levels = (options.levels ?? []).map(checkLevel);
  const minRank = options.minLevel === undefined ? -1 : levelRank(checkLevel(options.minLevel));
  const accepted = acceptedLevels(levels, minRank);
  const modules = options.modules ?? [];
  const since = options.since === undefined ? undefined : toLogTime(options.since);
  const until = options.until === undefined ? undefined : toLogTime(options.until);
  const pattern = compilePattern(options.pattern, options.ignoreCase, options.fixedString);
  // Usernames (ASCII) are unique without regard to case, so `--user ALICE` finds alice.
  const user = options.user === undefined ? undefined : asciiLower(options.user);
  const needsContext = options.user !== undefined || options.session !== undefined || options.slowerThanSeconds !== undefined;
  const structural = accepted !== undefined || modules.length > 0 || needsContext || since !== undefined || until !== undefined;

  // Fields are compared as the line holds them (escaped), so no entry's context is unescaped.
  const wanted = {
    user: user === undefined ? undefined : { escaped: valueAsWritten(user), plain: user },
    session: options.session === undefined ? undefined : { escaped: valueAsWritten(options.session), plain: options.session },
  };
  /** The context conditions, on the first value of each key as the line holds it (`form`: escaped or not). */
  const fieldsPass = (fields: ContextFields, form: 'escaped' | 'plain'): boolean => {
    const { userId, session, sessionId, duration } = fields;
    if (wanted.user !== undefined && (userId === undefined || asciiLower(userId) !== wanted.user[form])) return false;
    if (wanted.session !== undefined && session !== wanted.session[form] && sessionId !== wanted.session[form]) return false;
    if (options.slowerThanSeconds !== undefined && !(durationSeconds(duration) > options.slowerThanSeconds)) return false;
    return true;
  };
  const contextMatches = (raw: RawContext): boolean => {
    const fields: ContextFields = {};
    for (const [key, value] of raw.fields) {
      const name = CONTEXT_FIELDS.get(key);
      if (name) fields[name] ??= value;
    }
    return fieldsPass(fields, raw.escaped ? 'escaped' : 'plain');
  };
  // A simple context has nothing escaped: its values are read in place, as written.
  const contextMatchesAt = (buf: Buffer, bodyStart: number, lineEnd: number): boolean | undefined => {
    const fields: ContextFields = {};
    const open = scanContext(buf, bodyStart, lineEnd, (keyStart, keyEnd, valueEnd) => {
      for (const [key, name] of CONTEXT_KEYS) {
        if (bytesAre(buf, keyStart, keyEnd, key)) {
          fields[name] ??= utf8(buf, keyEnd + 2, valueEnd);
          return;
        }
      }
    });
    return open === -2 ? undefined : fieldsPass(fields, 'escaped');
  };
  const finder = chooseFinder(options, accepted, modules, pattern);
  // Levels are compared as written, in capitals as StoryOS and Python write them.
  const spellings = accepted && new Set(accepted.flatMap(spellingsOf));
  const header: HeaderConditions | undefined = structural
    ? { levels: spellings, modules: modules.length ? new Set(modules) : undefined, since, until }
    : undefined;

  return {
    since,
    until,
    options,
    finder,
    finderIsPattern: finder !== undefined && finder === pattern?.finder,
    header,
    contextMatches: needsContext ? contextMatches : undefined,
    contextMatchesAt: needsContext ? contextMatchesAt : undefined,
    pattern,
    matches(entry) {
      if (structural && entry.time === '') return false;
      if (spellings && !spellings.has(entry.level)) return false;
      if (modules.length > 0 && !modules.includes(entry.module)) return false;
      if (since !== undefined && entry.time < since) return false;
      if (until !== undefined && entry.time > until) return false;
      if (needsContext && !contextMatches(rawContext(entry.body))) return false;
      return pattern === undefined || pattern.test(entry.text);
    },
  };
}

/** `--level PERF,ERROR` or repeated flags, as one list. */
export function splitList(values: string[] | string | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const list = (Array.isArray(values) ? values : [values])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return list.length ? list : undefined;
}
