import { LEVEL_ORDER, spellingsOf, type LineLevel } from '../levels.js';
import { isDigitByte, latin1, utf8 } from './bytes.js';
import { bytesAre, scanContext } from './context-bytes.js';
import { parseEntry } from './entry.js';
import type { EntryFilter } from './filter.js';
import { nextEntryStart } from './chunks.js';
import {
  AT,
  CALL_FLOATS,
  FLAG,
  H,
  MODEL_FLOATS,
  MODEL_INTS,
  MODULE_INTS,
  type NativeScan,
  OPERATION_INTS,
  PAIR_INTS,
  R,
  RECORD_FLOATS,
  RECORD_INTS,
  TEXT_INTS,
} from './stats-native.js';
import { headerAt, headerModuleEnd, levelEndOfLastHeader, matchRanges, midLineHeader } from './search.js';
import {
  API_CALL,
  type CallSeconds,
  countOf,
  DB_QUERY,
  emptyFields,
  FIELD_READINGS,
  resetFields,
  type FieldName,
  type Fields,
  readFields,
  readMessage,
  type Reading,
  secondsOf,
  type StatsCollector,
  statusOf,
  type TEXT_FIELDS,
  UNPARSED,
} from './stats.js';

/**
 * The strings of byte ranges, each made once: a log says the same modules, hours, users, sessions
 * and models over and over, and a string made again for each would be most of the work (and of
 * the garbage). Up to `limit` strings are kept; past that each is made anew.
 */
export class ByteStrings {
  /** Open addressing: each slot a string and its hash, probed in turn from the hash's slot. */
  private readonly hashes: Int32Array;
  private readonly texts: Array<string | undefined>;
  private readonly mask: number;
  private size = 0;

  constructor(private readonly limit = 1 << 15) {
    const slots = 1 << Math.ceil(Math.log2(limit * 2));
    this.hashes = new Int32Array(slots);
    this.texts = new Array<string | undefined>(slots).fill(undefined);
    this.mask = slots - 1;
  }

  get(buf: Buffer, start: number, end: number): string {
    let hash = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) {
      const c = buf[i] as number;
      if (c >= 0x80) return utf8(buf, start, end);
      hash = Math.imul(hash ^ c, 0x01000193);
    }
    const { hashes, texts, mask } = this;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const known = texts[slot];
      if (known === undefined) {
        const made = latin1(buf, start, end);
        if (this.size < this.limit) {
          this.size++;
          texts[slot] = made;
          hashes[slot] = hash;
        }
        return made;
      }
      if (hashes[slot] === hash && isAscii(known, buf, start, end)) return known;
    }
  }
}

/** Whether the ASCII string `text` is the bytes [start, end). */
function isAscii(text: string, buf: Buffer, start: number, end: number): boolean {
  if (text.length !== end - start) return false;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== buf[start + i]) return false;
  return true;
}

const DIGIT_0 = 0x30;
/** Whole numbers of up to this many digits, and their quotients by powers of ten, are exact doubles. */
const EXACT_DIGITS = 15;

/**
 * parseFloat of the bytes [start, end) when they begin `digits[.digits]` followed by no exponent:
 * the digits as a whole number over a power of ten, both exact, so the quotient is the double
 * parseFloat gives. Undefined for any other shape (read the text).
 */
export function decimalAt(buf: Buffer, start: number, end: number): number | undefined {
  let mantissa = 0;
  let digits = 0;
  let scale = 1;
  let i = start;
  for (; i < end && isDigitByte(buf[i]); i++, digits++) mantissa = mantissa * 10 + ((buf[i] as number) - DIGIT_0);
  if (digits === 0) return undefined;
  if (i < end && buf[i] === 0x2e) {
    for (i++; i < end && isDigitByte(buf[i]); i++, digits++) {
      mantissa = mantissa * 10 + ((buf[i] as number) - DIGIT_0);
      scale *= 10;
    }
  }
  if (digits > EXACT_DIGITS || (i < end && (buf[i] === 0x65 || buf[i] === 0x45))) return undefined;
  return mantissa / scale;
}

/** Number() of the bytes when they are only digits (up to 15); undefined for any other text. */
export function wholeNumberAt(buf: Buffer, start: number, end: number): number | undefined {
  if (end === start || end - start > EXACT_DIGITS) return undefined;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i] as number;
    if (!isDigitByte(c)) return undefined;
    n = n * 10 + (c - DIGIT_0);
  }
  return n;
}

interface KeyReading {
  key: Buffer;
  name: FieldName;
  /** This key's bit in the mask of the keys an entry has given (the first value is kept). */
  bit: number;
  reading: Reading;
}

/** The keys stats reads, by their length in bytes. */
const KEYS_BY_LENGTH: KeyReading[][] = [];
FIELD_READINGS.forEach(([name, reading], i) => {
  const key = Buffer.from(name);
  KEYS_BY_LENGTH[key.length] ??= [];
  KEYS_BY_LENGTH[key.length]?.push({ key, name, reading, bit: 1 << i });
});

/** The level spelt [start, end) as a line writes one (`WARNING` is WARN), else undefined. */
const SPELLINGS: Array<[Buffer, LineLevel]> = LEVEL_ORDER.flatMap((level) => spellingsOf(level).map((s) => [Buffer.from(s), level] as [Buffer, LineLevel]));
function levelSpelt(buf: Buffer, start: number, end: number): LineLevel | undefined {
  for (const [spelling, level] of SPELLINGS) if (bytesAre(buf, start, end, spelling)) return level;
  return undefined;
}

/** Whether the `length` bytes at `a` are those at `b`. */
function sameBytes(buf: Buffer, a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (buf[a + i] !== buf[b + i]) return false;
  return true;
}

/** The number the `count` digits at `at` write (they are digits: the header was checked). */
function digitsAt(buf: Buffer, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) n = n * 10 + ((buf[i] as number) - DIGIT_0);
  return n;
}

type TextField = (typeof TEXT_FIELDS)[number];
type NumberField = Exclude<FieldName, TextField>;

// A store to a property named by a variable is slow once it has seen many names: each field its own store.
function setText(fields: Fields, name: TextField, value: string): void {
  switch (name) {
    case 'operation':
      fields.operation = value;
      return;
    case 'model':
      fields.model = value;
      return;
    case 'kind':
      fields.kind = value;
      return;
    case 'user_id':
      fields.user_id = value;
      return;
    case 'session':
      fields.session = value;
      return;
    case 'session_id':
      fields.session_id = value;
      return;
    case 'finish_reason':
      fields.finish_reason = value;
      return;
    default:
      name satisfies never;
  }
}

function setNumber(fields: Fields, name: NumberField, value: number): void {
  switch (name) {
    case 'duration':
      fields.duration = value;
      return;
    case 'ttft':
      fields.ttft = value;
      return;
    case 'retries':
      fields.retries = value;
      return;
    case 'tokens_in':
      fields.tokens_in = value;
      return;
    case 'tokens_out':
      fields.tokens_out = value;
      return;
    case 'attempt':
      fields.attempt = value;
      return;
    case 'status':
      fields.status = value;
      return;
    default:
      name satisfies never;
  }
}

/** The minutes, seconds and milliseconds of the header at `start` as one number (mm ss mmm): ordered as the text is. */
function restOf(buf: Buffer, start: number): number {
  return digitsAt(buf, start + MINUTES, 2) * 100_000 + digitsAt(buf, start + SECONDS, 2) * 1000 + digitsAt(buf, start + MILLISECONDS, 3);
}

/** Whether the bytes at `at` begin with `prefix`. */
function startsWithAt(buf: Buffer, at: number, prefix: Buffer): boolean {
  return bytesAre(buf, at, at + prefix.length, prefix);
}

const DB_QUERY_BYTES = Buffer.from(DB_QUERY);
const API_CALL_BYTES = Buffer.from(API_CALL);
const ACTIVITY_NEEDLES = [Buffer.from('user_id: '), Buffer.from('session')];
const NEWLINE = 0x0a;
const OPEN_BRACKET = 0x5b;
/** In a header, where the time's hour ends and its minutes, seconds and milliseconds are. */
const HOUR_END = 14;
const MINUTES = 15;
const SECONDS = 18;
const MILLISECONDS = 21;

/**
 * One chunk's entries read on their bytes into a collector: the header's time, level and module in
 * place, and for the entries whose fields count (PERF, warnings and errors, API calls, database
 * queries, lines naming a user or session) the fields stats reads, as numbers or as strings made
 * once (ByteStrings). A line of another shape is decoded and given to add(). With no filter and
 * the native scanner, the entries of the common shape come as its records (record()), and only
 * the others are read here.
 */
class ChunkReader {
  private readonly fields = emptyFields();
  private given = 0;
  /** The next hit of each activity needle at or after the entry looked at. */
  private readonly nextActivity = [-1, -1];
  private previousStart = -1;
  private hourKey = '';
  /** The earliest and latest times of the chunk, as (hour, minutes-seconds-milliseconds as digits) and where. */
  private firstHour = '';
  private firstRest = 0;
  private firstAt = -1;
  private lastHour = '';
  private lastRest = 0;
  private lastAt = -1;

  constructor(
    private readonly buf: Buffer,
    private readonly collector: StatsCollector,
    private readonly strings: ByteStrings,
    private readonly native: NativeScan | undefined,
  ) {}

  /** Adds the entry [start, end) (its final newline included). */
  entry(start: number, end: number): void {
    const { buf } = this;
    const textEnd = buf[end - 1] === NEWLINE ? end - 1 : end;
    const newline = buf.indexOf(NEWLINE, start);
    const lineEnd = newline === -1 || newline > textEnd ? textEnd : newline;
    const level = this.headerLevel(start, textEnd);
    if (level === undefined) this.other(start, lineEnd);
    else this.header(start, lineEnd, level);
  }

  /** Where the level and the module of the header headerLevel last read end. */
  private levelEnd = -1;
  private moduleEnd = -1;

  /** The level of the header at `start` when it is spelt as a level (its level's and module's ends kept), else undefined. */
  private headerLevel(start: number, textEnd: number): LineLevel | undefined {
    const { buf } = this;
    this.moduleEnd = headerAt(buf, start) ? headerModuleEnd(buf, start, textEnd) : -1;
    this.levelEnd = levelEndOfLastHeader();
    return this.moduleEnd === -1 ? undefined : levelSpelt(buf, start + 27, this.levelEnd);
  }

  /**
   * Adds every entry of the chunk, cutting them as matchRanges does for a filter that takes all:
   * at each `\n[` and at a header glued mid-line, but with one search for each in most entries.
   */
  all(): void {
    const { buf, native } = this;
    // The scanner's records hold positions as 32-bit integers.
    if (native !== undefined && buf.length < 2 ** 31) this.allNative(native);
    else for (let start = 0; start < buf.length; ) start = this.next(start);
  }

  /** Adds the entry at `start` and returns where the next starts. */
  private next(start: number): number {
    const { buf } = this;
    const newline = buf.indexOf(NEWLINE, start);
    const lineEnd = newline === -1 ? buf.length : newline;
    let end = newline === -1 ? buf.length : buf[newline + 1] === OPEN_BRACKET ? newline + 1 : nextEntryStart(buf, newline);
    const level = this.headerLevel(start, lineEnd);
    // No header can be glued before a level spelt as a level ends (see midLineHeader).
    const glued = midLineHeader(buf, start, end, level === undefined ? start + 25 : this.levelEnd + 1);
    if (glued !== -1) end = glued;
    if (level === undefined || glued !== -1) this.entry(start, end);
    else this.header(start, lineEnd, level);
    return end;
  }

  /** all() with the native scanner reading and adding up the entries of the common shape; next() reads each it leaves. */
  private allNative(native: NativeScan): void {
    const { buf, collector } = this;
    const { ints } = native;
    let start = 0;
    while (start < buf.length) {
      native.scan(buf, start, collector);
      this.fold(native);
      const records = ints[H.records] as number;
      for (let r = 0; r < records; r++) this.record(native, r);
      start = ints[H.stop] as number;
      if (ints[H.left] === 1 && start < buf.length) start = this.next(start);
    }
  }

  /** The figures a scan call added up, into the collector. */
  private fold(native: NativeScan): void {
    const { buf, collector } = this;
    const { ints, floats } = native;
    const name = (at: number) => native.name(ints[at] as number, buf, ints[at + 1] as number, ints[at + 2] as number) as string;
    for (let i = 0, at = AT.modules; i < (ints[H.modules] as number); i++, at += MODULE_INTS) {
      const counts = collector.moduleCounts(name(at) || UNPARSED);
      collector.countEntries(counts, ints[at + 3] as number, ints[at + 4] as number, ints[at + 5] as number);
    }
    for (let i = 0, at = AT.operations; i < (ints[H.operations] as number); i++, at += OPERATION_INTS)
      collector.addCompletions(name(at), ints[at + 3] as number);
    const models = this.calledModels;
    for (let i = 0; i < (ints[H.models] as number); i++) {
      const n = AT.modelFloats + i * MODEL_FLOATS;
      const figure = (k: number) => floats[n + k] as number;
      models[i] = collector.addCalls(name(AT.models + i * MODEL_INTS), figure(0), figure(1), figure(2), figure(3), figure(4), figure(5));
    }
    for (let i = 0; i < (ints[H.calls] as number); i++) {
      const model = models[ints[AT.calls + i] as number] as CallSeconds;
      const duration = floats[AT.callFloats + i * CALL_FLOATS] as number;
      const ttft = floats[AT.callFloats + i * CALL_FLOATS + 1] as number;
      if (!Number.isNaN(duration)) model.durations.push(duration);
      if (!Number.isNaN(ttft)) model.ttfts.push(ttft);
    }
    for (let i = 0, at = AT.pairs; i < (ints[H.pairs] as number); i++, at += PAIR_INTS) {
      const kind = ints[at + 1] === 0 ? 'user' : 'session';
      const id = ints[at + 2] as number;
      let n = native.collectorNumber(kind, id);
      if (n === -1) {
        const value = native.name(id, buf, ints[at + 3] as number, ints[at + 4] as number) as string;
        n = collector.numberOf(kind, kind === 'user' ? value.toLowerCase() : value);
        native.setCollectorNumber(kind, id, n);
      }
      collector.addNumbered(this.hourAt(ints[at] as number), kind, n);
    }
    for (const at of [ints[H.first] as number, ints[H.last] as number]) if (at !== -1) this.noteTime(at, restOf(buf, at));
  }

  /** Of the last scan call, the seconds lists of the models in its region, by place. */
  private readonly calledModels: CallSeconds[] = [];

  /** What header() does for an entry, from the native scanner's record of it (its time and, unless uncounted, its module's counts taken already). */
  private record(native: NativeScan, r: number): void {
    const { buf, collector, fields } = this;
    const { ints, floats } = native;
    const at = AT.records + r * RECORD_INTS;
    const level = LEVEL_ORDER[ints[at + R.level] as number] as LineLevel;
    const moduleStart = ints[at + R.moduleStart] as number;
    const moduleEnd = ints[at + R.moduleEnd] as number;
    const module = native.name(ints[at + R.moduleName] as number, buf, moduleStart, moduleEnd) ?? this.moduleAt(moduleStart, moduleEnd);
    const flags = ints[at + R.flags] as number;
    if (flags & FLAG.uncounted) collector.countEntry(level, collector.moduleCounts(module || UNPARSED));
    if ((flags & FLAG.fields) === 0) return;
    const hourKey = this.hourAt(ints[at + R.start] as number);
    resetFields(fields);
    const given = ints[at + R.given] as number;
    const numbers = AT.recordFloats + r * RECORD_FLOATS;
    for (let rest = given; rest !== 0; rest &= rest - 1) {
      const k = 31 - Math.clz32(rest & -rest);
      const [name, reading] = FIELD_READINGS[k] as [FieldName, Reading];
      if (reading === 'text') setText(fields, name as TextField, this.nameAt(native, at + R.texts + TEXT_INTS * k));
      else setNumber(fields, name as NumberField, floats[numbers + k] as number);
    }
    if (flags & FLAG.doneByAnother) fields.doneByAnother = true;
    if (flags & FLAG.needsMessage) readMessage(fields, level, utf8(buf, ints[at + R.body] as number, ints[at + R.messageEnd] as number));
    else if (flags & FLAG.apiCall) fields.apiCallModel = fields.model;
    else if (flags & FLAG.dbOperation) fields.dbOperation = this.nameAt(native, at + R.dbStart);
    collector.addFields(hourKey, level, module, fields);
  }

  /** The string of the name whose start, end, hash (the scanner's own) and number are the four ints at `at` of the scanner's results. */
  private nameAt(native: NativeScan, at: number): string {
    const { ints } = native;
    const start = ints[at] as number;
    const end = ints[at + 1] as number;
    return native.name(ints[at + 3] as number, this.buf, start, end) ?? this.strings.get(this.buf, start, end);
  }

  /** An entry that is not a StoryOS header of a known level: decoded, its first line given to add(). */
  private other(start: number, lineEnd: number): void {
    this.collector.add(parseEntry(utf8(this.buf, start, lineEnd)));
  }

  /** An entry whose header line [start, lineEnd) has a known level (read by headerLevel). */
  private header(start: number, lineEnd: number, level: LineLevel): void {
    const { buf, collector, levelEnd, moduleEnd } = this;
    const module = this.moduleAt(levelEnd + 3, moduleEnd);
    collector.countEntry(level, collector.moduleCounts(module || UNPARSED));
    this.noteTime(start, restOf(buf, start));
    const bodyAt = moduleEnd + 2;
    const apiCall = startsWithAt(buf, bodyAt, API_CALL_BYTES);
    const dbQuery = level === 'DEBUG' && startsWithAt(buf, bodyAt, DB_QUERY_BYTES);
    const quiet = level === 'DEBUG' || level === 'INFO';
    if (quiet && !apiCall && !dbQuery && !this.namesActivity(start, lineEnd)) return;
    const fields = this.readFieldsAt(level, bodyAt, lineEnd, apiCall, dbQuery) ?? readFields(utf8(buf, bodyAt, lineEnd), level);
    collector.addFields(this.hourKey, level, module, fields);
  }

  /** A log has a few modules: each kept in a slot of its own, found without hashing its name. */
  private readonly modules = new Array<string>(32).fill('');

  private moduleAt(start: number, end: number): string {
    const { buf } = this;
    const slot = (end - start + 3 * (buf[start] as number) + 5 * (buf[end - 1] as number)) & 31;
    const known = this.modules[slot] as string;
    if (isAscii(known, buf, start, end)) return known;
    const module = this.strings.get(buf, start, end);
    this.modules[slot] = module;
    return module;
  }

  /** Gives the collector the chunk's earliest and latest times. */
  finish(): void {
    if (this.firstAt !== -1) this.collector.noteTime(latin1(this.buf, this.firstAt + 1, this.firstAt + 24));
    if (this.lastAt !== -1) this.collector.noteTime(latin1(this.buf, this.lastAt + 1, this.lastAt + 24));
  }

  /** The hour (`2024-01-15 10`) of the header at `start`: the string of the last one asked for when it is the same. */
  private hourAt(start: number): string {
    const { buf } = this;
    const previous = this.previousStart;
    if (previous === -1 || !sameBytes(buf, start + 1, previous + 1, HOUR_END - 1)) this.hourKey = this.strings.get(buf, start + 1, start + HOUR_END);
    this.previousStart = start;
    return this.hourKey;
  }

  /** The time of the header at `start` to the chunk's span (its hour read by hourAt); `rest` is its minutes, seconds and milliseconds (restOf). */
  private noteTime(start: number, rest: number): void {
    const hour = this.hourAt(start);
    if (this.firstAt === -1 || hour < this.firstHour || (hour === this.firstHour && rest < this.firstRest)) {
      this.firstHour = hour;
      this.firstRest = rest;
      this.firstAt = start;
    }
    if (this.lastAt === -1 || hour > this.lastHour || (hour === this.lastHour && rest > this.lastRest)) {
      this.lastHour = hour;
      this.lastRest = rest;
      this.lastAt = start;
    }
  }

  /** Whether the header line [start, lineEnd) may name a user or session: each needle searched once, its next hit kept. */
  private namesActivity(start: number, lineEnd: number): boolean {
    const next = this.nextActivity;
    for (let i = 0; i < ACTIVITY_NEEDLES.length; i++) {
      if ((next[i] as number) < start) {
        const hit = this.buf.indexOf(ACTIVITY_NEEDLES[i] as Buffer, start);
        next[i] = hit === -1 ? Number.POSITIVE_INFINITY : hit;
      }
      if ((next[i] as number) < lineEnd) return true;
    }
    return false;
  }

  private readonly visitField = (keyStart: number, keyEnd: number, valueEnd: number): void => {
    const { buf } = this;
    const candidates = KEYS_BY_LENGTH[keyEnd - keyStart];
    if (candidates !== undefined) {
      for (const reading of candidates) {
        if (buf[keyStart] !== reading.key[0] || !bytesAre(buf, keyStart, keyEnd, reading.key)) continue;
        if ((this.given & reading.bit) === 0) {
          this.given |= reading.bit;
          this.store(reading, keyEnd + 2, valueEnd);
        }
        return;
      }
    }
    if (keyEnd - keyStart >= 3 && buf[keyEnd - 3] === 0x5f && buf[keyEnd - 2] === 0x62 && buf[keyEnd - 1] === 0x79) this.fields.doneByAnother = true;
  };

  /** Sets a field from its value's bytes [start, end). */
  private store({ name, reading }: KeyReading, start: number, end: number): void {
    const { buf, fields } = this;
    switch (reading) {
      case 'text':
        setText(fields, name as TextField, this.strings.get(buf, start, end));
        return;
      case 'seconds':
        setNumber(fields, name as NumberField, decimalAt(buf, start, end) ?? secondsOf(utf8(buf, start, end)));
        return;
      case 'count':
        setNumber(fields, name as NumberField, wholeNumberAt(buf, start, end) ?? countOf(utf8(buf, start, end)));
        return;
      case 'status':
        fields.status = wholeNumberAt(buf, start, end) ?? statusOf(utf8(buf, start, end));
        return;
      default:
        reading satisfies never;
    }
  }

  /**
   * readFields on the bytes of a header line's body [bodyAt, lineEnd), for a context of the simple
   * shape (see scanContext); undefined for any other, which readFields reads. The message is
   * decoded only for a PERF entry and an API call that names no model.
   */
  private readFieldsAt(level: LineLevel, bodyAt: number, lineEnd: number, apiCallPrefix: boolean, dbQueryPrefix: boolean): Fields | undefined {
    const { buf, fields } = this;
    resetFields(fields);
    this.given = 0;
    const open = scanContext(buf, bodyAt, lineEnd, this.visitField);
    if (open === -2) return undefined;
    const messageEnd = open === -1 ? lineEnd : open - 1;
    const apiCall = apiCallPrefix && messageEnd - bodyAt >= API_CALL_BYTES.length;
    if (level === 'PERF' || (apiCall && !fields.model)) return readMessage(fields, level, utf8(buf, bodyAt, messageEnd));
    if (apiCall) fields.apiCallModel = fields.model;
    else if (dbQueryPrefix && messageEnd - bodyAt >= DB_QUERY_BYTES.length)
      fields.dbOperation = this.strings.get(buf, bodyAt + DB_QUERY_BYTES.length, messageEnd);
    return fields;
  }
}

/**
 * Adds a chunk's matching entries to the collector, read on the bytes (see ChunkReader), with the
 * native scanner when one is given (undefined: JavaScript alone). `strings` may be shared by the
 * chunks of one collector.
 */
export function collectChunk(buf: Buffer, filter: EntryFilter, collector: StatsCollector, native: NativeScan | undefined, strings = new ByteStrings()): void {
  const reader = new ChunkReader(buf, collector, strings, native);
  const takesAll = filter.finder === undefined && filter.header === undefined && filter.contextMatches === undefined && filter.pattern === undefined;
  if (takesAll) reader.all();
  else matchRanges(buf, filter, (start, end) => reader.entry(start, end));
  reader.finish();
}
