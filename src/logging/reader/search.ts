import type { LogFileInfo } from '../log-files.js';
import { entryChunks, entryStartBefore, firstEntryTime, lastEntryTime, nextEntryStart, offsetAtOrBefore } from './chunks.js';
import { parseEntry, type LogEntry } from './entry.js';
import type { EntryFilter } from './filter.js';
import { logTimeToMs, toLogTime } from './time-spec.js';
import { isV2File, searchV2File } from './v2-format.js';

/** Return false to stop the search. */
export type EntryVisitor = (entry: LogEntry) => boolean | void;

function entryAt(buf: Buffer, start: number, end: number): LogEntry {
  const textEnd = end > start && buf[end - 1] === 0x0a ? end - 1 : end;
  return parseEntry(buf.toString('utf8', start, textEnd));
}

const HEADER_SEPARATOR = Buffer.from('] [');
const TIME_SHAPE = '0000-00-00 00:00:00,000';

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

/** Whether `buf` holds `[2024-01-15 10:30:15,123] [` + an upper-case letter at `at`. */
function headerAt(buf: Buffer, at: number): boolean {
  if (buf[at] !== 0x5b) return false;
  for (let i = 0; i < TIME_SHAPE.length; i++) {
    const want = TIME_SHAPE.charCodeAt(i);
    const c = buf[at + 1 + i];
    if (want === 0x30 ? !isDigit(c) : c !== want) return false;
  }
  const level = buf[at + 27];
  return level !== undefined && level >= 0x41 && level <= 0x5a;
}

/**
 * Where a header starts in the middle of a line of the entry [start, end), or -1: an entry torn
 * by a failed write, with the next one glued to it. The writer escapes such text inside entries,
 * so one found is a real entry. Only entries that are read pay for this, not those skipped.
 */
export function midLineHeader(buf: Buffer, start: number, end: number): number {
  let from = start + 25;
  for (;;) {
    const hit = buf.indexOf(HEADER_SEPARATOR, from);
    if (hit === -1 || hit >= end) return -1;
    const at = hit - 24;
    if (at > start && buf[at - 1] !== 0x0a && headerAt(buf, at)) return at;
    from = hit + 1;
  }
}

/**
 * Visits the matching entries of one chunk in order. With a needle, only entries that contain
 * it are decoded and tested: `Buffer.indexOf` skips the rest at memory speed.
 */
export function scanChunk(buf: Buffer, filter: EntryFilter, visit: EntryVisitor): boolean {
  const { needle } = filter;
  let position = 0;
  while (position < buf.length) {
    let start = position;
    if (needle) {
      const hit = buf.indexOf(needle, position);
      if (hit === -1) return true;
      start = Math.max(position, entryStartBefore(buf, hit));
    }
    let end = nextEntryStart(buf, start);
    const glued = midLineHeader(buf, start, end);
    if (glued !== -1) end = glued;
    const entry = entryAt(buf, start, end);
    if (filter.matches(entry) && visit(entry) === false) return false;
    position = end;
  }
  return true;
}

/** Whether a file can hold entries inside the filter's time window, judged by its first and last entry. */
function fileInWindow(file: LogFileInfo, filter: EntryFilter): 'before' | 'inside' | 'after' {
  if (filter.since !== undefined) {
    const last = lastEntryTime(file);
    if (last !== undefined && last < filter.since) return 'before';
  }
  if (filter.until !== undefined) {
    const first = firstEntryTime(file);
    if (first !== undefined && first > filter.until) return 'after';
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
