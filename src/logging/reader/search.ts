import type { LogFileInfo } from '../log-files.js';
import { isDigitByte, latin1, utf8 } from './bytes.js';
import { CLOCK_SLACK_MS, entryChunks, entryStartBefore, firstEntryTime, lastEntryTime, nextEntryStart, offsetAtOrBefore } from './chunks.js';
import { parseEntry, rawContext, type LogEntry } from './entry.js';
import type { EntryFilter } from './filter.js';
import { type Finder, findNeedle } from './pattern.js';
import { logTimeToMs, toLogTime } from './time-spec.js';
import { isV2File, searchV2File } from './v2-format.js';

/** Return false to stop the search. */
export type EntryVisitor = (entry: LogEntry) => boolean | void;

function entryAt(buf: Buffer, start: number, end: number): LogEntry {
  const textEnd = end > start && buf[end - 1] === 0x0a ? end - 1 : end;
  return parseEntry(utf8(buf, start, textEnd));
}

const HEADER_SEPARATOR = Buffer.from('] [');

/** Whether `buf` holds `[2024-01-15 10:30:15,123] [` + an upper-case letter at `at`. */
export function headerAt(buf: Buffer, at: number): boolean {
  if (buf[at] !== 0x5b || buf[at + 24] !== 0x5d || buf[at + 25] !== 0x20 || buf[at + 26] !== 0x5b) return false;
  const level = buf[at + 27];
  if (level === undefined || level < 0x41 || level > 0x5a) return false;
  // `-` `-` ` ` `:` `:` `,` between the digits of 2024-01-15 10:30:15,123.
  if (buf[at + 5] !== 0x2d || buf[at + 8] !== 0x2d || buf[at + 11] !== 0x20 || buf[at + 14] !== 0x3a || buf[at + 17] !== 0x3a || buf[at + 20] !== 0x2c) {
    return false;
  }
  return (
    digitsAt(buf, at + 1, 4) &&
    digitsAt(buf, at + 6, 2) &&
    digitsAt(buf, at + 9, 2) &&
    digitsAt(buf, at + 12, 2) &&
    digitsAt(buf, at + 15, 2) &&
    digitsAt(buf, at + 18, 2) &&
    digitsAt(buf, at + 21, 3)
  );
}

function digitsAt(buf: Buffer, at: number, count: number): boolean {
  for (let i = at; i < at + count; i++) if (!isDigitByte(buf[i])) return false;
  return true;
}

/**
 * Where a header starts in the middle of a line of the entry [start, end), or -1: an entry torn
 * by a failed write, with the next one glued to it. The writer escapes such text inside entries,
 * so one found is a real entry. Only entries that are read pay for this, not those skipped.
 * `from` may skip the entry's own header up to its level when that is spelt as a level: a glued
 * header's `] [` after its time cannot lie there (the bytes 24 before it are the time's, no `[`).
 */
export function midLineHeader(buf: Buffer, start: number, end: number, from = start + 25): number {
  for (;;) {
    const hit = buf.indexOf(HEADER_SEPARATOR, from);
    if (hit === -1 || hit >= end) return -1;
    const at = hit - 24;
    if (at > start && buf[at - 1] !== 0x0a && headerAt(buf, at)) return at;
    from = hit + 1;
  }
}

/** The next hit of a finder in one chunk, from a position on; reads the chunk as latin1 once, if it must. */
class HitCursor {
  start = -1;
  end = -1;
  private text: string | undefined;

  constructor(
    private readonly buf: Buffer,
    private readonly finder: Finder,
  ) {}

  /** Moves to the first hit at or after `from`; false when there is none. */
  seek(from: number): boolean {
    if (this.start >= from) return this.start !== Number.POSITIVE_INFINITY;
    if (this.finder.kind === 'bytes') {
      this.start = findNeedle(this.buf, this.finder, from);
      this.end = this.start + this.finder.needle.length;
    } else {
      this.text ??= this.buf.toString('latin1');
      const { regex } = this.finder;
      regex.lastIndex = from;
      const m = regex.exec(this.text);
      this.start = m ? m.index : -1;
      this.end = m ? m.index + m[0].length : -1;
    }
    if (this.start === -1) this.start = Number.POSITIVE_INFINITY;
    return this.start !== Number.POSITIVE_INFINITY;
  }
}

const SPACE = 0x20;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const NEWLINE = 0x0a;
/** Where the level of the header headerModuleEnd last read ends: returned this way to allocate nothing per entry. */
let lastLevelEnd = 0;

export function levelEndOfLastHeader(): number {
  return lastLevelEnd;
}

/**
 * Where the module of a well-formed header ends (its `]`), reading the level and module on the
 * bytes as parseEntry reads them on the text; -1 when the header is not that simple (non-ASCII
 * or unusual), and the entry must be decoded to be judged.
 */
export function headerModuleEnd(buf: Buffer, start: number, textEnd: number): number {
  let i = start + 27;
  for (; i < textEnd; i++) {
    const c = buf[i] as number;
    if (c === CLOSE && buf[i + 1] === SPACE && buf[i + 2] === OPEN) break;
    if (c === NEWLINE || c >= 0x80) return -1;
  }
  lastLevelEnd = i;
  for (i += 3; i < textEnd; i++) {
    const c = buf[i] as number;
    if (c === CLOSE && buf[i + 1] === SPACE) return i;
    if (c === NEWLINE || c >= 0x80) return -1;
  }
  return -1;
}

/**
 * Whether the entry [start, textEnd) passes the filter, judged on its bytes where it can be:
 * the header's time, level and module are read in place, only the header line is decoded for a
 * context condition, and the whole entry only for a pattern the finder's hit did not prove.
 */
function entryPasses(buf: Buffer, start: number, textEnd: number, filter: EntryFilter, patternProven: boolean): boolean {
  const { header, contextMatches, pattern } = filter;
  if (header || contextMatches) {
    const moduleEnd = headerAt(buf, start) ? headerModuleEnd(buf, start, textEnd) : -1;
    if (moduleEnd === -1) return filter.matches(parseEntry(utf8(buf, start, textEnd)));
    if (header) {
      const levelEnd = lastLevelEnd;
      if (header.since !== undefined || header.until !== undefined) {
        const time = latin1(buf, start + 1, start + 24);
        if (header.since !== undefined && time < header.since) return false;
        if (header.until !== undefined && time > header.until) return false;
      }
      if (header.levels && !header.levels.has(latin1(buf, start + 27, levelEnd))) return false;
      if (header.modules && !header.modules.has(latin1(buf, levelEnd + 3, moduleEnd))) return false;
    }
    if (contextMatches) {
      const newline = buf.indexOf(NEWLINE, moduleEnd);
      const lineEnd = newline === -1 || newline > textEnd ? textEnd : newline;
      const inPlace = filter.contextMatchesAt?.(buf, moduleEnd + 2, lineEnd);
      if (inPlace === false || (inPlace === undefined && !contextMatches(rawContext(utf8(buf, moduleEnd + 2, lineEnd))))) return false;
    }
  }
  return pattern === undefined || patternProven || pattern.test(utf8(buf, start, textEnd));
}

/**
 * Calls `onMatch(start, end)` for each matching entry of one chunk (whole entries), in order; the
 * range includes the entry's final newline. With a finder, only entries holding a hit are looked
 * at: Buffer.indexOf or the regular expression skips the rest at memory speed. Return false from
 * `onMatch` to stop.
 */
export function matchRanges(buf: Buffer, filter: EntryFilter, onMatch: (start: number, end: number) => boolean | void): boolean {
  const hits = filter.finder && new HitCursor(buf, filter.finder);
  const proves = filter.finderIsPattern && filter.finder?.exact === true;
  let position = 0;
  while (position < buf.length) {
    let start = position;
    if (hits) {
      if (!hits.seek(position)) return true;
      start = Math.max(position, entryStartBefore(buf, hits.start));
    }
    let end = nextEntryStart(buf, start);
    const glued = midLineHeader(buf, start, end);
    if (glued !== -1) end = glued;
    position = end;
    // A hit beyond this entry (in an entry glued to it) says nothing of this one, which holds none.
    if (hits && hits.start >= end) continue;
    const textEnd = end > start && buf[end - 1] === NEWLINE ? end - 1 : end;
    // A hit proves the pattern only if it lies wholly inside the entry (not on the newline before it).
    const proven = proves && hits !== undefined && hits.start >= start && hits.end <= textEnd;
    if (entryPasses(buf, start, textEnd, filter, proven) && onMatch(start, end) === false) return false;
  }
  return true;
}

/** Visits the matching entries of one chunk in order, each decoded. */
export function scanChunk(buf: Buffer, filter: EntryFilter, visit: EntryVisitor): boolean {
  return matchRanges(buf, filter, (start, end) => visit(entryAt(buf, start, end)));
}

/** Whether a file can hold entries inside the filter's time window, judged by its first and last entry. */
export function fileInWindow(file: LogFileInfo, filter: EntryFilter): 'before' | 'inside' | 'after' {
  // Processes writing at once put entries a little out of order, so a file is skipped only well clear of the window.
  if (filter.since !== undefined) {
    const last = lastEntryTime(file);
    if (last !== undefined && logTimeToMs(last) + CLOCK_SLACK_MS < logTimeToMs(filter.since)) return 'before';
  }
  if (filter.until !== undefined) {
    const first = firstEntryTime(file);
    if (first !== undefined && logTimeToMs(first) - CLOCK_SLACK_MS > logTimeToMs(filter.until)) return 'after';
  }
  return 'inside';
}

/** Visits matching entries of the files (given oldest first) in chronological order. */
export function searchFiles(files: LogFileInfo[], filter: EntryFilter, visit: EntryVisitor): void {
  for (const file of files) {
    // StoryOS v2's files (Python's logging, its own format): read by v2-format.ts.
    if (isV2File(file)) {
      if (!searchV2File(file, filter, visit)) return;
      continue;
    }
    const window = fileInWindow(file, filter);
    if (window === 'before') continue;
    if (window === 'after') return;
    const start = filter.since === undefined ? 0 : offsetAtOrBefore(file, filter.since, logTimeToMs, toLogTime);
    for (const chunk of entryChunks(file, start)) {
      if (!scanChunk(chunk, filter, visit)) return;
    }
  }
}
