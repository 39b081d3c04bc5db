import fs from 'node:fs';
import zlib from 'node:zlib';
import type { Paint } from '../appenders.js';
import { escapeControl, valueAsWritten } from '../escape.js';
import { lineLevel, normalizeLevel } from '../levels.js';
import type { LogFileInfo } from '../log-files.js';
import { inflate, lastEntriesBackwards } from './chunks.js';
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

/** Where the parts of a v2 header line lie, from the line's start. */
interface Header {
  ms: boolean;
  nameStart: number;
  nameEnd: number;
  levelStart: number;
  levelEnd: number;
  funcStart: number;
  colon: number;
  lineNoEnd: number;
  messageStart: number;
}
const newHeader = (): Header => ({ ms: false, nameStart: 0, nameEnd: 0, levelStart: 0, levelEnd: 0, funcStart: 0, colon: 0, lineNoEnd: 0, messageStart: 0 });
/** The header line parsed last (see parseHeader): positions in the text parsed. */
const H = newHeader();

/** Copies H, parsed at `at`, into `to` with positions from the line's start. */
function keepHeader(to: Header, at: number): void {
  to.ms = H.ms;
  to.nameStart = H.nameStart - at;
  to.nameEnd = H.nameEnd - at;
  to.levelStart = H.levelStart - at;
  to.levelEnd = H.levelEnd - at;
  to.funcStart = H.funcStart - at;
  to.colon = H.colon - at;
  to.lineNoEnd = H.lineNoEnd - at;
  to.messageStart = H.messageStart - at;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isUpper = (c: number) => c >= 0x41 && c <= 0x5a;
/** `2025-01-15 10:30:15`: where each digit and separator goes. */
const TIME_SHAPE = '0000-00-00 00:00:00';

/** A level name Python writes: `WARNING`, `CRITICAL`, a custom `TRACE_2`, or `Level 5` for a level without a name. */
function isLevelName(text: string, start: number, end: number): boolean {
  if (end <= start) return false;
  if (text.startsWith('Level ', start) && end > start + 6) {
    for (let i = start + 6; i < end; i++) if (!isDigit(text.charCodeAt(i))) return false;
    return true;
  }
  if (!isUpper(text.charCodeAt(start))) return false;
  for (let i = start + 1; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!isUpper(c) && !isDigit(c) && c !== 0x5f) return false;
  }
  return true;
}

/** `funcName:lineno` in [start, end): a function name without spaces or colons, then digits. */
function isFuncLine(text: string, start: number, end: number): boolean {
  const colon = text.indexOf(':', start);
  if (colon <= start || colon >= end - 1) return false;
  for (let i = start; i < colon; i++) if (text.charCodeAt(i) <= 0x20) return false;
  for (let i = colon + 1; i < end; i++) if (!isDigit(text.charCodeAt(i))) return false;
  H.funcStart = start;
  H.colon = colon;
  H.lineNoEnd = end;
  return true;
}

/**
 * Whether the line [at, end) of `text` is a v2 header line,
 * `2025-01-15 10:30:15[,123] - name - LEVEL - func:line - message`, and if so where its parts are
 * (in H). The logger name is the shortest that leaves a level and `func:line` after it, so a name
 * or a message may hold ` - `.
 */
function parseHeader(text: string, at: number, end: number): boolean {
  if (end - at < 31) return false;
  for (let i = 0; i < TIME_SHAPE.length; i++) {
    const c = text.charCodeAt(at + i);
    const want = TIME_SHAPE.charCodeAt(i);
    if (want === 0x30 ? !isDigit(c) : c !== want) return false;
  }
  let p = at + 19;
  H.ms = text.charCodeAt(p) === 0x2c && isDigit(text.charCodeAt(p + 1)) && isDigit(text.charCodeAt(p + 2)) && isDigit(text.charCodeAt(p + 3));
  if (H.ms) p += 4;
  if (!text.startsWith(' - ', p)) return false;
  const nameStart = p + 3;
  for (let nameEnd = text.indexOf(' - ', nameStart + 1); nameEnd !== -1 && nameEnd < end; nameEnd = text.indexOf(' - ', nameEnd + 1)) {
    // The level and `func:line` hold no ` - `: each ends at the first one after it.
    const levelEnd = text.indexOf(' - ', nameEnd + 3);
    if (levelEnd === -1 || levelEnd >= end) return false;
    if (!isLevelName(text, nameEnd + 3, levelEnd)) continue;
    const funcEnd = text.indexOf(' - ', levelEnd + 3);
    if (funcEnd === -1 || funcEnd >= end) return false;
    if (!isFuncLine(text, levelEnd + 3, funcEnd)) continue;
    H.nameStart = nameStart;
    H.nameEnd = nameEnd;
    H.levelStart = nameEnd + 3;
    H.levelEnd = levelEnd;
    H.messageStart = funcEnd + 3;
    return true;
  }
  return false;
}

/** A StoryOS header line: a file v2 wrote first and StoryOS (v3) went on appending to holds both. */
const STORYOS_HEADER = /\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] \[[A-Z]/y;

type HeaderKind = 'v2' | 'storyos' | undefined;

/** Which header, if any, the line [at, end) of `text` is. */
function headerKind(text: string, at: number, end: number): HeaderKind {
  const c = text.charCodeAt(at);
  if (isDigit(c)) return parseHeader(text, at, end) ? 'v2' : undefined;
  if (c === 0x5b) {
    STORYOS_HEADER.lastIndex = at;
    return STORYOS_HEADER.test(text) ? 'storyos' : undefined;
  }
  return undefined;
}

const lineEnd = (text: string, at: number) => {
  const newline = text.indexOf('\n', at);
  return newline === -1 ? text.length : newline;
};

const SNIFF_BYTES = 64 * 1024;

/**
 * Whether text is in v2's format, judged by its first header line (v2's or StoryOS's) within
 * the first 64 KB; text without either is not (the StoryOS reader takes it, as it always did).
 */
export function isV2Text(text: string): boolean {
  const limit = Math.min(text.length, SNIFF_BYTES);
  for (let at = 0; at < limit; ) {
    const end = lineEnd(text, at);
    const kind = headerKind(text, at, end);
    if (kind) return kind === 'v2';
    at = end + 1;
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
    // A compressed file's first 16 KB inflate to enough for the first header, and not to megabytes.
    const size = file.gzip ? SNIFF_BYTES / 4 : SNIFF_BYTES;
    const buf = Buffer.allocUnsafe(size);
    const head = buf.subarray(0, fs.readSync(fd, buf, 0, size, 0));
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

/** What escapeControl changes, newlines aside: control characters, and the start of a StoryOS header. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;
const HEADER_IN_TEXT = /\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] \[/;
const needsEscape = (text: string) => CONTROL.test(text) || HEADER_IN_TEXT.test(text);

/**
 * The entry as written, each line made safe to print; the newlines between its lines stay, and so
 * does the `[` that starts a StoryOS header line (escapeControl writes one inside text `\u005b`).
 */
function safeText(text: string): string {
  if (!needsEscape(text)) return text;
  const storyosHeader = headerKind(text, 0, lineEnd(text, 0)) === 'storyos';
  const lines = text.split('\n');
  return lines.map((line, i) => (i === 0 && storyosHeader ? `[${escapeControl(line.slice(1))}` : escapeControl(line))).join('\n');
}

/** The context fields v2's messages hold, by their name in the message. */
const MESSAGE_FIELDS = new Map([
  ['User', 'user_id'],
  ['Action', 'action'],
  ['Operation', 'operation'],
  ['Service', 'service'],
  ['Endpoint', 'endpoint'],
  ['Status', 'status'],
  ['Error', 'error'],
]);
const FIELD_ORDER = ['user_id', 'action', 'operation', 'service', 'endpoint', 'status', 'error', 'duration', 'session'];
/** Keys of the Python dict v2 wrote after `Details:` or `Context:`, and the context key each gives. */
const DICT_KEYS: Array<[string, string]> = [
  ['session_id', 'session'],
  ['operation', 'operation'],
  ['user_id', 'user_id'],
];
/** After a dict key: its closing quote, `: ` and the value, a str repr in either quotes or a whole number. */
const DICT_VALUE = /['"]: (?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|(-?\d+))/y;

/** The value of `key` in the text of a Python dict (its repr), or undefined. */
function dictValue(dict: string, key: string): string | undefined {
  for (let at = dict.indexOf(key); at !== -1; at = dict.indexOf(key, at + 1)) {
    const quote = dict.charCodeAt(at - 1);
    if (quote !== 0x27 && quote !== 0x22) continue;
    DICT_VALUE.lastIndex = at + key.length;
    const m = DICT_VALUE.exec(dict);
    if (m) return (m[1] ?? m[2] ?? m[3]) as string;
  }
  return undefined;
}

const DURATION = /^(\d+)(?:\.(\d+))?\s*(ms|s)?$/;
const V2_SECONDS = /^\d+\.\d{3}s$/;

/**
 * A v2 duration (`2.340s`, `250ms`) in StoryOS's form: seconds with two decimals (`2.34s`), or
 * more when v2 wrote more that are not zeros (`3.905s`), so `--slower-than 3.9s` still finds it.
 */
export function v2Duration(text: string): string | undefined {
  // What v2 wrote (`%.3fs`): its last decimal dropped when it is a zero.
  if (V2_SECONDS.test(text)) return text.charCodeAt(text.length - 2) === 0x30 ? `${text.slice(0, -2)}s` : text;
  const m = DURATION.exec(text);
  if (!m) return undefined;
  const ms = m[3] === 'ms';
  const decimals = Math.min(9, Math.max(2, (m[2]?.length ?? 0) + (ms ? 3 : 0)));
  const seconds = Number(`${m[1]}.${m[2] ?? '0'}`) / (ms ? 1000 : 1);
  return `${seconds.toFixed(decimals).replace(/(\.\d\d\d*?)0+$/, '$1')}s`;
}

/** valueAsWritten, without its work for the usual value (a name, an id, a number) that needs none. */
const PLAIN = /^[\w./-]*$/;
const asWritten = (value: string) => (PLAIN.test(value) ? value : valueAsWritten(value));

/**
 * What a v2 message says, as StoryOS's context keys: `User: alice | Action: login | Details: {…}`,
 * `Performance | Operation: x | Duration: 2.340s | Details: {…}`, `API Call | Service: … | Endpoint:
 * … | Status: … | Duration: …`, `Error: boom | Context: {…}`. Durations become StoryOS's `2.34s`;
 * `session_id` (and `operation`, `user_id`) come from the Details or Context dict.
 */
export function messageContext(message: string): Record<string, string> {
  const found: Record<string, string> = {};
  let separator = message.indexOf(' | ');
  if (separator === -1) return found;
  for (let start = 0; ; start = separator + 3, separator = message.indexOf(' | ', start)) {
    const end = separator === -1 ? message.length : separator;
    const colon = message.indexOf(': ', start);
    if (colon !== -1 && colon < end) {
      const name = message.slice(start, colon);
      if (name === 'Details' || name === 'Context') {
        // The dict is the message's end, ` | ` inside its strings included.
        const dict = message.slice(colon + 2);
        for (const [dictKey, key] of DICT_KEYS) {
          const value = found[key] === undefined ? dictValue(dict, dictKey) : undefined;
          if (value !== undefined) found[key] = value;
        }
        return found;
      }
      const value = message.slice(colon + 2, end);
      const key = name === 'Duration' ? 'duration' : MESSAGE_FIELDS.get(name);
      const field = key === 'duration' ? v2Duration(value) : value;
      if (key !== undefined && field !== undefined && found[key] === undefined) found[key] = field;
    }
    if (separator === -1) return found;
  }
}

const PERFORMANCE = 'Performance | Operation: ';

/**
 * The PERF operation of a v2 performance line (`Performance | Operation: x | Duration: …`), given
 * its message and context: `x`. Undefined for any other line.
 */
export function v2Operation(message: string, context: Record<string, string>): string | undefined {
  return message.startsWith(PERFORMANCE) ? context.operation : undefined;
}

/** The body of a v2 entry: its message and a StoryOS context with the function, the line and what the message says. */
function v2Body(message: string, func: string, line: string): string {
  const said = messageContext(message);
  let context = `function: ${asWritten(func)}, line: ${line}`;
  for (const key of FIELD_ORDER) if (said[key] !== undefined) context += `, ${key}: ${asWritten(said[key] as string)}`;
  return `${message} (${context})`;
}

/** Carriage returns before newlines (a file written on Windows): a line ends without one. */
const withoutCr = (raw: string) => (raw.includes('\r') ? raw.replace(/\r(?=\n|$)/g, '') : raw);

/**
 * An entry from its text as the file holds it (without carriage returns before newlines);
 * `header`, when given, is where the parts of its v2 header line are (the splitter parsed it), or
 * null for an entry that does not start with one.
 */
function entryOf(raw: string, header?: Header | null): LogEntry {
  const end = lineEnd(raw, 0);
  const h = header === undefined ? (parseHeader(raw, 0, end) ? H : null) : header;
  if (h === null) {
    const text = safeText(raw);
    if (headerKind(raw, 0, end) === 'storyos') return parseEntry(text);
    return { text, time: '', level: '', module: '', body: text.slice(0, lineEnd(text, 0)) };
  }
  const written = raw.slice(h.levelStart, h.levelEnd);
  let level = lineLevel(written);
  if (level === 'INFO' && raw.startsWith(PERFORMANCE, h.messageStart)) level = 'PERF';
  const name = raw.slice(h.nameStart, h.nameEnd);
  return new V2Entry(raw, h.ms ? raw.slice(0, 23) : `${raw.slice(0, 19)},000`, level, CONTROL.test(name) ? escapeControl(name) : name, h, end);
}

/**
 * A v2 entry. Its text is made safe (safeText) when first read, and its body (the context made
 * from its message) too: a search that rejects an entry by its time, level or module does neither.
 * They are getters on the class, so a copy made by spreading the entry (`{ ...entry }`) lacks them.
 */
class V2Entry implements LogEntry {
  // Private (#) fields are no properties: the entry compares and prints as the fields of LogEntry.
  readonly #raw: string;
  #text: string | undefined;
  #body: string | undefined;
  readonly #funcStart: number;
  readonly #colon: number;
  readonly #lineNoEnd: number;
  readonly #messageStart: number;
  readonly #headerEnd: number;

  constructor(
    raw: string,
    readonly time: string,
    readonly level: string,
    readonly module: string,
    header: Header,
    headerEnd: number,
  ) {
    this.#raw = raw;
    this.#funcStart = header.funcStart;
    this.#colon = header.colon;
    this.#lineNoEnd = header.lineNoEnd;
    this.#messageStart = header.messageStart;
    this.#headerEnd = headerEnd;
  }

  get text(): string {
    // Read on something that is no V2Entry (the class's prototype, by a deep equality): nothing.
    if (!(#raw in this)) return '';
    this.#text ??= safeText(this.#raw);
    return this.#text;
  }

  get body(): string {
    if (!(#raw in this)) return '';
    if (this.#body === undefined) {
      const raw = this.#raw;
      const message = escapeControl(raw.slice(this.#messageStart, this.#headerEnd));
      this.#body = v2Body(message, raw.slice(this.#funcStart, this.#colon), raw.slice(this.#colon + 1, this.#lineNoEnd));
    }
    return this.#body;
  }
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
  return entryOf(withoutCr(raw));
}

/**
 * Splits text into entries at header lines (v2's or StoryOS's), calling `emit` with each entry
 * (its text without the final newline). The last entry may go on in text not yet read: unless
 * `final`, it is not emitted and its start is returned, for the caller to carry over; -1 when
 * `emit` returned false.
 */
function splitEntries(text: string, final: boolean, emit: (entry: LogEntry) => boolean): number {
  const crlf = text.includes('\r');
  // The header of the entry being read, and of the one after it: each is parsed once, here.
  let current = newHeader();
  let next = newHeader();
  let currentIsV2 = parseHeader(text, 0, lineEnd(text, 0));
  if (currentIsV2) keepHeader(current, 0);
  const entry = (start: number, end: number) => {
    const raw = text.slice(start, end);
    // Carriage returns move the parts of the header: it is parsed again without them.
    return emit(crlf && raw.includes('\r') ? parseV2Entry(raw) : entryOf(raw, currentIsV2 ? current : null));
  };
  let entryStart = 0;
  for (let at = text.indexOf('\n') + 1; at > 0 && at < text.length; ) {
    const end = lineEnd(text, at);
    const kind = headerKind(text, at, end);
    if (kind !== undefined) {
      if (kind === 'v2') keepHeader(next, at);
      if (!entry(entryStart, at - 1)) return -1;
      [current, next] = [next, current];
      currentIsV2 = kind === 'v2';
      entryStart = at;
    }
    at = end + 1;
  }
  if (!final) return entryStart;
  const end = text.endsWith('\n') ? text.length - 1 : text.length;
  if (entryStart < end && !entry(entryStart, end)) return -1;
  return text.length;
}

/** Visits the matching entries of text holding only whole v2 entries; false when `visit` stopped. */
export function scanV2Text(text: string, filter: EntryFilter, visit: EntryVisitor): boolean {
  return splitEntries(text, true, (entry) => !filter.matches(entry) || visit(entry) !== false) !== -1;
}

const CHUNK_BYTES = 8 * 1024 * 1024;

/** A file's text a chunk at a time, each cut after a newline; a compressed file whole. */
function* textChunks(file: LogFileInfo, chunkBytes = CHUNK_BYTES): Generator<string> {
  if (file.gzip) {
    const text = inflate(file);
    if (text) yield text.toString('utf8');
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
  const matched = (entry: LogEntry) => !filter.matches(entry) || visit(entry) !== false;
  let pending = '';
  for (const chunk of textChunks(file, chunkBytes)) {
    const text = pending + chunk;
    const last = splitEntries(text, false, matched);
    if (last === -1) return false;
    pending = text.slice(last);
  }
  return splitEntries(pending, true, matched) !== -1;
}

/** Where (in bytes from `from`) the first header line of `buf` starts, when it is not at 0; -1 when none does. */
function firstHeaderAfterStart(buf: Buffer): number {
  const newline = buf.indexOf(0x0a);
  if (newline === -1) return -1;
  const text = buf.toString('utf8', newline + 1);
  for (let at = 0; at < text.length; ) {
    const end = lineEnd(text, at);
    if (headerKind(text, at, end)) return newline + 1 + Buffer.byteLength(text.slice(0, at));
    at = end + 1;
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
    return lastEntriesBackwards(fd, count, (window, atFileStart) => {
      const start = atFileStart ? 0 : firstHeaderAfterStart(window);
      const entries: LogEntry[] = [];
      if (start !== -1) scanV2Text(window.toString('utf8', start), filter, (e) => void entries.push(e));
      return { entries, start };
    });
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The written level of an entry when it is not the level StoryOS reads it as (`WARNING` for
 * WARN, `INFO` for a v2 performance line read as PERF), for `--json`'s `level_as_written`.
 */
export function levelAsWritten(entry: LogEntry): string | undefined {
  const { text } = entry;
  const written = text.charCodeAt(0) !== 0x5b && parseHeader(text, 0, lineEnd(text, 0)) ? text.slice(H.levelStart, H.levelEnd) : entry.level;
  return written !== normalizeLevel(entry.level) ? written : undefined;
}

/** A v2 entry coloured as StoryOS's are: time dim, level by level, logger magenta, continuation dim. */
export function paintV2Entry(entry: LogEntry, c: { dim: Paint; magenta: Paint }, paintLevel: (level: string) => Paint): string {
  const { text } = entry;
  const end = lineEnd(text, 0);
  if (!parseHeader(text, 0, end)) return text;
  const part = (from: number, to: number) => text.slice(from, to);
  const head = `${c.dim(part(0, H.nameStart - 3))} - ${c.magenta(part(H.nameStart, H.nameEnd))} - ${paintLevel(entry.level)(part(H.levelStart, H.levelEnd))} - ${c.dim(part(H.funcStart, H.lineNoEnd))} - ${part(H.messageStart, end)}`;
  return end < text.length ? `${head}\n${c.dim(text.slice(end + 1))}` : head;
}
