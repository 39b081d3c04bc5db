import fs from 'node:fs';
import zlib from 'node:zlib';
import type { Paint } from '../appenders.js';
import { escapeControl, valueAsWritten } from '../escape.js';
import { formatDuration } from '../format.js';
import { normalizeLevel } from '../levels.js';
import type { LogFileInfo } from '../log-files.js';
import { parseEntry, type LogEntry } from './entry.js';
import type { EntryFilter } from './filter.js';
import type { EntryVisitor } from './search.js';

/**
 * StoryOS v2 (Python) wrote its logs with `logging`, in this format:
 *
 *     %(asctime)s - %(name)s - %(levelname)s - %(funcName)s:%(lineno)d - %(message)s
 *
 * with `datefmt='%Y-%m-%d %H:%M:%S'` (no milliseconds; Python's default datefmt adds `,123`), and its
 * error file added `\nException: %(exc_info)s\n---` after which Python's Formatter appends the
 * traceback. Nothing in those files is escaped or indented: an entry is a header line and every
 * following line that is not one. This module reads such files into the LogEntry the filters,
 * `stats` and the output already take, so that they work on v2's logs unchanged.
 */

/** v2's loggers that StoryOS's own categories do not have: `--module` takes them too. */
export const V2_LOGGER_NAMES = ['user_actions', 'api_calls', 'logging_config'] as const;

/**
 * A v2 header line, from the position it is set at (sticky): time, optional `,ms`, logger name,
 * level name (`Level 5` for a level without one), function, line number and the message.
 */
const V2_HEADER = /(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:,(\d{3}))? - ([^\n]+?) - ([A-Z][A-Z0-9_]*|Level \d+) - ([^\s:]+):(\d+) - ([^\n]*)/y;
/** A StoryOS header line: a file v2 wrote first and StoryOS (v3) went on appending to holds both. */
const STORYOS_HEADER = /\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] \[[A-Z]/y;

type HeaderKind = 'v2' | 'storyos' | undefined;

/** Which header, if any, the line starting at `at` of `text` is. */
function headerKind(text: string, at: number): HeaderKind {
  const c = text.charCodeAt(at);
  if (c >= 0x30 && c <= 0x39) {
    V2_HEADER.lastIndex = at;
    return V2_HEADER.test(text) ? 'v2' : undefined;
  }
  if (c === 0x5b) {
    STORYOS_HEADER.lastIndex = at;
    return STORYOS_HEADER.test(text) ? 'storyos' : undefined;
  }
  return undefined;
}

const SNIFF_BYTES = 64 * 1024;

/**
 * Whether text is in v2's format, judged by its first header line (v2's or StoryOS's) within
 * the first 64 KB; text without either is not (the StoryOS reader takes it, as it always did).
 */
export function isV2Text(text: string): boolean {
  const limit = Math.min(text.length, SNIFF_BYTES);
  for (let at = 0; at < limit; ) {
    const kind = headerKind(text, at);
    if (kind) return kind === 'v2';
    const newline = text.indexOf('\n', at);
    if (newline === -1) return false;
    at = newline + 1;
  }
  return false;
}

/** The first bytes of a file, inflated when it is gzip-compressed (as far as they go). */
function fileHead(file: LogFileInfo): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file.path, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const buf = Buffer.allocUnsafe(SNIFF_BYTES);
    const head = buf.subarray(0, fs.readSync(fd, buf, 0, SNIFF_BYTES, 0));
    if (!file.gzip) return head;
    try {
      // A partial stream: inflate what it holds instead of failing at its cut end.
      return zlib.gunzipSync(head, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    } catch {
      return Buffer.alloc(0);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Whether a log file is one StoryOS v2 wrote, judged by its first bytes. */
export function isV2File(file: LogFileInfo): boolean {
  return isV2Text(fileHead(file).toString('utf8'));
}

/** Control characters other than newlines, and text a StoryOS header could be mistaken in: what escapeControl changes. */
const NEEDS_ESCAPE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029[]/;

/**
 * The entry as written, each line made safe to print; the newlines between its lines stay, and so
 * does the `[` that starts a StoryOS header line (escapeControl writes one inside text `\u005b`).
 */
function safeText(text: string, storyosHeader: boolean): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  const lines = text.split('\n');
  return lines.map((line, i) => (i === 0 && storyosHeader ? `[${escapeControl(line.slice(1))}` : escapeControl(line))).join('\n');
}

/** The context fields v2's messages hold, by their name in the message. */
const MESSAGE_FIELDS: Record<string, string> = {
  User: 'user_id',
  Action: 'action',
  Operation: 'operation',
  Service: 'service',
  Endpoint: 'endpoint',
  Status: 'status',
  Error: 'error',
};
const FIELD_ORDER = ['user_id', 'action', 'operation', 'service', 'endpoint', 'status', 'error', 'duration', 'session'];
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s)?$/;
/** A key of the Python dict v2 wrote after `Details:` or `Context:`, and its value: a str repr or a number. */
const dictValue = (key: string) => new RegExp(`['"]${key}['"]: (?:'((?:[^'\\\\]|\\\\.)*)'|"((?:[^"\\\\]|\\\\.)*)"|(-?\\d+))`);
const DICT_FIELDS: Array<[RegExp, string]> = [
  [dictValue('session_id'), 'session'],
  [dictValue('operation'), 'operation'],
  [dictValue('user_id'), 'user_id'],
];

/**
 * What a v2 message says, as StoryOS's context keys: `User: alice | Action: login | Details: {…}`,
 * `Performance | Operation: x | Duration: 2.340s | Details: {…}`, `API Call | Service: … | Endpoint:
 * … | Status: … | Duration: …`, `Error: boom | Context: {…}`. Durations become StoryOS's `2.34s`;
 * `session_id` (and `operation`, `user_id`) come from the Details or Context dict.
 */
export function messageContext(message: string): Record<string, string> {
  const found: Record<string, string> = {};
  if (!message.includes(' | ')) return found;
  const parts = message.split(' | ');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    const colon = part.indexOf(': ');
    if (colon === -1) continue;
    const name = part.slice(0, colon);
    const value = part.slice(colon + 2);
    if (name === 'Details' || name === 'Context') {
      // The dict is the message's end, ` | ` inside its strings included.
      const dict = parts
        .slice(i)
        .join(' | ')
        .slice(colon + 2);
      for (const [pattern, key] of DICT_FIELDS) {
        const m = pattern.exec(dict);
        if (m && found[key] === undefined) found[key] = (m[1] ?? m[2] ?? m[3]) as string;
      }
      break;
    }
    if (name === 'Duration') {
      const m = DURATION.exec(value);
      if (m) found.duration = formatDuration(m[2] === 'ms' ? Number(m[1]) : Number(m[1]) * 1000);
      continue;
    }
    const key = MESSAGE_FIELDS[name];
    if (key !== undefined && found[key] === undefined) found[key] = value;
  }
  return found;
}

const PERFORMANCE = 'Performance | Operation: ';

/**
 * The PERF operation of a v2 performance line (`Performance | Operation: x | Duration: …`), given
 * its message and context: `x`. Undefined for any other line.
 */
export function v2Operation(message: string, context: Record<string, string>): string | undefined {
  return message.startsWith(PERFORMANCE) ? context.operation : undefined;
}

/**
 * One v2 entry (header line and continuation lines, no final newline) as a LogEntry: `text` as
 * written (each line made safe), `time` in StoryOS's form (`,000` when v2 wrote no milliseconds),
 * `level` StoryOS's name (WARN, FATAL; a performance line, written at INFO, is PERF), `module`
 * the logger's name, and `body` the message followed by a StoryOS context holding the function,
 * the line number and what the message says (see messageContext), escaped as StoryOS writes it.
 * A StoryOS line among them is read as StoryOS reads it; anything else is an entry with empty fields.
 */
export function parseV2Entry(raw: string): LogEntry {
  const unix = raw.includes('\r') ? raw.replace(/\r(?=\n|$)/g, '') : raw;
  const kind = headerKind(unix, 0);
  const text = safeText(unix, kind === 'storyos');
  V2_HEADER.lastIndex = 0;
  const m = kind === 'v2' ? V2_HEADER.exec(text) : null;
  if (!m) {
    if (kind === 'storyos') return parseEntry(text);
    const newline = text.indexOf('\n');
    return { text, time: '', level: '', module: '', body: newline === -1 ? text : text.slice(0, newline) };
  }
  const [, time, ms, name, written, func, line, message] = m as unknown as [string, string, string | undefined, string, string, string, string, string];
  let level = normalizeLevel(written);
  if (level === 'INFO' && message.startsWith(PERFORMANCE)) level = 'PERF';
  // The message is the text already made safe; the context's values are written as StoryOS writes them.
  const said = messageContext(message);
  const fields = [`function: ${valueAsWritten(func)}`, `line: ${line}`];
  for (const key of FIELD_ORDER) if (said[key] !== undefined) fields.push(`${key}: ${valueAsWritten(said[key] as string)}`);
  return { text, time: `${time},${ms ?? '000'}`, level, module: name, body: `${message} (${fields.join(', ')})` };
}

/**
 * Splits text into entries at header lines, calling `emit` with each entry's text (without its
 * final newline). The last entry may go on in text not yet read: its start is returned, so the
 * caller can carry it over. `emit` returning false stops the split (-1 is returned).
 */
function splitEntries(text: string, emit: (entry: string) => boolean): number {
  let entryStart = 0;
  for (let newline = text.indexOf('\n'); newline !== -1 && newline + 1 < text.length; newline = text.indexOf('\n', newline + 1)) {
    if (headerKind(text, newline + 1) === undefined) continue;
    if (!emit(text.slice(entryStart, newline))) return -1;
    entryStart = newline + 1;
  }
  return entryStart;
}

/** Visits the matching entries of text holding only whole v2 entries; false when `visit` stopped. */
export function scanV2Text(text: string, filter: EntryFilter, visit: EntryVisitor): boolean {
  const matched = (entry: string) => {
    const parsed = parseV2Entry(entry);
    return !filter.matches(parsed) || visit(parsed) !== false;
  };
  const last = splitEntries(text, matched);
  if (last === -1) return false;
  const end = text.endsWith('\n') ? text.length - 1 : text.length;
  return last >= end || matched(text.slice(last, end));
}

const CHUNK_BYTES = 8 * 1024 * 1024;

/** A file's text a chunk at a time, each cut after a newline; a compressed file whole. */
function* textChunks(file: LogFileInfo, chunkBytes = CHUNK_BYTES): Generator<string> {
  if (file.gzip) {
    yield zlib.gunzipSync(fs.readFileSync(file.path)).toString('utf8');
    return;
  }
  const fd = fs.openSync(file.path, 'r');
  try {
    let carried = Buffer.alloc(0);
    let position = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(carried.length + chunkBytes);
      carried.copy(buf);
      const read = fs.readSync(fd, buf, carried.length, chunkBytes, position);
      position += read;
      const filled = buf.subarray(0, carried.length + read);
      if (read === 0) {
        if (filled.length) yield filled.toString('utf8');
        return;
      }
      const cut = filled.lastIndexOf(0x0a) + 1;
      if (cut > 0) yield filled.toString('utf8', 0, cut);
      carried = Buffer.from(filled.subarray(cut));
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Visits the matching entries of a v2 file in order; false when `visit` stopped the search. The
 * whole file is read, `--since` included: v2's files are not bisected by time as StoryOS's are.
 * The filter's needle (StoryOS's header text) is not used: each entry goes through `matches`.
 */
export function searchV2File(file: LogFileInfo, filter: EntryFilter, visit: EntryVisitor, chunkBytes = CHUNK_BYTES): boolean {
  let pending = '';
  let stopped = false;
  const matched = (entry: string) => {
    const parsed = parseV2Entry(entry);
    stopped = filter.matches(parsed) && visit(parsed) === false;
    return !stopped;
  };
  for (const chunk of textChunks(file, chunkBytes)) {
    const text = pending + chunk;
    const last = splitEntries(text, matched);
    if (stopped) return false;
    pending = text.slice(last);
  }
  return scanV2Text(pending, filter, visit);
}

const BACKWARD_WINDOW = 1024 * 1024;

/** Where (in bytes from `from`) the first header line of `buf` starts, when it is not at 0; -1 when none does. */
function firstHeaderAfterStart(buf: Buffer): number {
  const newline = buf.indexOf(0x0a);
  if (newline === -1) return -1;
  const text = buf.toString('utf8', newline + 1);
  for (let at = 0; at < text.length; ) {
    if (headerKind(text, at)) return newline + 1 + Buffer.byteLength(text.slice(0, at));
    const next = text.indexOf('\n', at);
    if (next === -1) return -1;
    at = next + 1;
  }
  return -1;
}

/** The last `count` matching entries of a v2 file, oldest first, read backwards a window at a time. */
export function lastV2Entries(file: LogFileInfo, filter: EntryFilter, count: number): LogEntry[] {
  if (count <= 0) return [];
  if (file.gzip) {
    const all: LogEntry[] = [];
    searchV2File(file, filter, (e) => void all.push(e));
    return all.slice(-count);
  }
  const fd = fs.openSync(file.path, 'r');
  try {
    let end = fs.fstatSync(fd).size;
    let found: LogEntry[] = [];
    let window = BACKWARD_WINDOW;
    while (end > 0 && found.length < count) {
      const from = Math.max(0, end - window);
      const buf = Buffer.allocUnsafe(end - from);
      const read = buf.subarray(0, fs.readSync(fd, buf, 0, end - from, from));
      const start = from === 0 ? 0 : firstHeaderAfterStart(read);
      if (start === -1) {
        // One entry longer than the window: read further back.
        window *= 2;
        continue;
      }
      const entries: LogEntry[] = [];
      scanV2Text(read.toString('utf8', start), filter, (e) => void entries.push(e));
      found = entries.concat(found);
      end = from + start;
      window = BACKWARD_WINDOW;
    }
    return found.slice(-count);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The written level of an entry when it is not the level StoryOS reads it as (`WARNING` for
 * WARN, `INFO` for a v2 performance line read as PERF), for `--json`'s `level_as_written`.
 */
export function levelAsWritten(entry: LogEntry): string | undefined {
  let written = entry.level;
  if (entry.text.charCodeAt(0) !== 0x5b) {
    V2_HEADER.lastIndex = 0;
    written = V2_HEADER.exec(entry.text)?.[4] ?? entry.level;
  }
  return written !== normalizeLevel(entry.level) ? written : undefined;
}

/** A v2 entry coloured as StoryOS's are: time dim, level by level, logger magenta, continuation dim. */
export function paintV2Entry(entry: LogEntry, c: { dim: Paint; magenta: Paint }, paintLevel: (level: string) => Paint): string {
  V2_HEADER.lastIndex = 0;
  const m = V2_HEADER.exec(entry.text);
  if (!m) return entry.text;
  const [header, time, ms, name, written, func, line, message] = m as unknown as [string, string, string | undefined, string, string, string, string, string];
  const head = `${c.dim(ms === undefined ? time : `${time},${ms}`)} - ${c.magenta(name)} - ${paintLevel(entry.level)(written)} - ${c.dim(`${func}:${line}`)} - ${message}`;
  const rest = entry.text.slice(header.length + 1);
  return header.length < entry.text.length ? `${head}\n${c.dim(rest)}` : head;
}
