import { UserFacingError } from '../../config/errors.js';
import { LEVEL_ORDER, isLevelName, levelNeedle, levelRank, type LineLevel, normalizeLevel } from '../levels.js';
import { valueAsWritten } from '../escape.js';
import { rawContext, type LogEntry, type RawContext } from './entry.js';
import { toLogTime } from './time-spec.js';

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
  /** Bytes every matching entry contains: the scanner jumps between them instead of reading each entry. */
  needle: Buffer | undefined;
  matches(entry: LogEntry): boolean;
}

function checkLevel(level: string): string {
  const name = normalizeLevel(level);
  if (!isLevelName(name)) throw new UserFacingError(`Unknown level ${JSON.stringify(level)}: use one of ${LEVEL_ORDER.join(', ')}.`);
  return name;
}

function compilePattern(options: FilterOptions): ((text: string) => boolean) | undefined {
  const { pattern, ignoreCase, fixedString } = options;
  if (pattern === undefined || pattern === '') return undefined;
  if (fixedString) {
    if (!ignoreCase) return (text) => text.includes(pattern);
    const lower = pattern.toLowerCase();
    return (text) => text.toLowerCase().includes(lower);
  }
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, ignoreCase ? 'i' : '');
  } catch (error) {
    throw new UserFacingError(`Invalid pattern ${JSON.stringify(pattern)}: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}.`);
  }
  return (text) => regex.test(text);
}

/**
 * A substring every matching entry contains. Each starts on its distinctive part (`PERF] [`
 * rather than `] [PERF] [`): the search skips ahead on the first byte, and `]` is everywhere.
 */
function chooseNeedle(options: FilterOptions, levels: string[], modules: string[]): Buffer | undefined {
  const { pattern, fixedString, ignoreCase } = options;
  if (pattern && fixedString && !ignoreCase && !/[\r\n]/.test(pattern)) return Buffer.from(pattern);
  // The line holds the value escaped, as the writer wrote it.
  if (options.session) return Buffer.from(valueAsWritten(options.session));
  const levelText = levels.length === 1 ? levelNeedle(levels[0] as LineLevel) : undefined;
  if (levelText) return Buffer.from(levelText);
  if (modules.length === 1) return Buffer.from(`${modules[0]}] `);
  return undefined;
}

function durationSeconds(value: string | undefined): number {
  if (value === undefined) return Number.NaN;
  return Number.parseFloat(value);
}

export function buildFilter(options: FilterOptions): EntryFilter {
  const levels = (options.levels ?? []).map(checkLevel);
  const minRank = options.minLevel === undefined ? -1 : levelRank(checkLevel(options.minLevel));
  const modules = options.modules ?? [];
  const since = options.since === undefined ? undefined : toLogTime(options.since);
  const until = options.until === undefined ? undefined : toLogTime(options.until);
  const patternMatches = compilePattern(options);
  // Usernames are unique without regard to case, so `--user ALICE` finds alice.
  const user = options.user?.toLowerCase();
  const needsContext = options.user !== undefined || options.session !== undefined || options.slowerThanSeconds !== undefined;
  const structural = levels.length > 0 || minRank >= 0 || modules.length > 0 || needsContext || since !== undefined || until !== undefined;

  // Fields are compared as the line holds them (escaped), so no entry's context is unescaped.
  const wanted = {
    user: user === undefined ? undefined : { escaped: valueAsWritten(user), plain: user },
    session: options.session === undefined ? undefined : { escaped: valueAsWritten(options.session), plain: options.session },
  };
  const contextMatches = (raw: RawContext): boolean => {
    let userId: string | undefined;
    let session: string | undefined;
    let sessionId: string | undefined;
    let duration: string | undefined;
    for (const [key, value] of raw.fields) {
      if (key === 'user_id') userId ??= value;
      else if (key === 'session') session ??= value;
      else if (key === 'session_id') sessionId ??= value;
      else if (key === 'duration') duration ??= value;
    }
    const form = raw.escaped ? 'escaped' : 'plain';
    if (wanted.user !== undefined && userId?.toLowerCase() !== wanted.user[form]) return false;
    if (wanted.session !== undefined && session !== wanted.session[form] && sessionId !== wanted.session[form]) return false;
    if (options.slowerThanSeconds !== undefined && !(durationSeconds(duration) > options.slowerThanSeconds)) return false;
    return true;
  };

  return {
    since,
    until,
    needle: chooseNeedle(options, levels, modules),
    matches(entry) {
      if (structural && entry.time === '') return false;
      if (levels.length > 0 && !levels.includes(normalizeLevel(entry.level))) return false;
      if (minRank >= 0 && levelRank(entry.level) < minRank) return false;
      if (modules.length > 0 && !modules.includes(entry.module)) return false;
      if (since !== undefined && entry.time < since) return false;
      if (until !== undefined && entry.time > until) return false;
      if (needsContext && !contextMatches(rawContext(entry.body))) return false;
      return patternMatches === undefined || patternMatches(entry.text);
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
