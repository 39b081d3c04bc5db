import fs from 'node:fs';
import zlib from 'node:zlib';
import type { LogFileInfo } from '../log-files.js';

export const ENTRY_START = Buffer.from('\n[');
/** Small enough that a chunk read is still in the CPU's cache when it is searched (2 MiB was the fastest of 1–8). */
const CHUNK_BYTES = 2 * 1024 * 1024;
const PROBE_BYTES = 64 * 1024;
/** How much of a file's end is read first for its last entry's time: dozens of entries. */
const LAST_ENTRY_PROBE_BYTES = 8 * 1024;
/** Processes writing at once may put entries a little out of time order: the time window widens by this much. */
export const CLOCK_SLACK_MS = 5_000;

/** Where the entry containing `offset` begins. */
export function entryStartBefore(buf: Buffer, offset: number): number {
  const i = buf.lastIndexOf(ENTRY_START, offset);
  return i === -1 ? 0 : i + 1;
}

/** Where the entry after the one containing `offset` begins (or the buffer's end). */
export function nextEntryStart(buf: Buffer, offset: number): number {
  const i = buf.indexOf(ENTRY_START, offset);
  return i === -1 ? buf.length : i + 1;
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  const read = fs.readSync(fd, buf, 0, length, position);
  return buf.subarray(0, read);
}

/** A compressed file's text; one that cannot be inflated is said on stderr and skipped, the search goes on. */
export function inflate(file: LogFileInfo): Buffer | undefined {
  try {
    return zlib.gunzipSync(fs.readFileSync(file.path));
  } catch (error) {
    process.stderr.write(`storyos: skipped ${file.path}: it is not a readable gzip file (${(error as Error).message}).\n`);
    return undefined;
  }
}

/**
 * A file as chunks that each hold only whole entries: those that start in [startOffset, endOffset)
 * (startOffset an entry start). Compressed files are inflated whole: rotated files are bounded by
 * the size setting.
 */
export function* entryChunks(file: LogFileInfo, startOffset = 0, chunkBytes = CHUNK_BYTES, endOffset = Number.POSITIVE_INFINITY): Generator<Buffer> {
  if (file.gzip) {
    const inflated = inflate(file);
    if (inflated) yield inflated;
    return;
  }
  if (startOffset >= endOffset) return;
  const fd = fs.openSync(file.path, 'r');
  // One buffer for the whole file: each chunk is consumed before the next read overwrites it.
  let buf = takeReadBuffer(chunkBytes * 2);
  try {
    let carried = 0;
    let position = startOffset;
    for (;;) {
      if (buf.length - carried < chunkBytes) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, carried);
        buf = bigger;
      }
      const read = fs.readSync(fd, buf, carried, chunkBytes, position);
      position += read;
      const filled = buf.subarray(0, carried + read);
      const base = position - filled.length;
      if (position > endOffset) {
        // The first entry that starts at or after the end belongs to the next range.
        const next = filled.indexOf(ENTRY_START, Math.max(0, endOffset - base - 1));
        if (next !== -1) {
          yield filled.subarray(0, next + 1);
          return;
        }
      }
      if (read === 0) {
        if (filled.length) yield filled;
        return;
      }
      const cut = filled.lastIndexOf(ENTRY_START);
      if (cut === -1) {
        carried = filled.length;
        continue;
      }
      yield filled.subarray(0, cut + 1);
      carried = filled.length - (cut + 1);
      buf.copy(buf, 0, cut + 1, filled.length);
    }
  } finally {
    fs.closeSync(fd);
    giveBackReadBuffer(buf);
  }
}

/**
 * Read buffers of files finished, for the next file: a fresh one of megabytes is new memory the
 * system clears page by page (measured: a twentieth of a thread's time for stats on 1 GiB of
 * 10 MiB files). A consumer of entryChunks copies what it keeps of a chunk (they all do).
 */
const readBuffers: Buffer[] = [];

function takeReadBuffer(bytes: number): Buffer {
  const i = readBuffers.findIndex((buf) => buf.length >= bytes);
  return i === -1 ? Buffer.allocUnsafe(bytes) : (readBuffers.splice(i, 1)[0] as Buffer);
}

function giveBackReadBuffer(buf: Buffer): void {
  if (readBuffers.length < 2) readBuffers.push(buf);
}

/** The first entry start at or after `offset` (the file's size when there is none). */
export function entryStartAtOrAfter(file: LogFileInfo, offset: number): number {
  if (offset === 0) return 0;
  const fd = fs.openSync(file.path, 'r');
  try {
    for (let from = offset - 1; from < file.size; from += PROBE_BYTES) {
      const buf = readAt(fd, from, PROBE_BYTES + 1);
      const i = buf.indexOf(ENTRY_START);
      if (i !== -1) return from + i + 1;
    }
    return file.size;
  } finally {
    fs.closeSync(fd);
  }
}

/** A header's start and time, wherever it is in a line: a line's start, or glued after a torn entry. */
const HEADER = /\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})\] \[[A-Z]/g;

/** Time of the first real header that starts at or after `offset` (at a line's start), or undefined when none is near. */
function timeAfter(fd: number, offset: number): { time: string; start: number } | undefined {
  const text = readAt(fd, offset, PROBE_BYTES).toString('latin1');
  HEADER.lastIndex = 0;
  for (let m = HEADER.exec(text); m !== null; m = HEADER.exec(text)) {
    const atLineStart = m.index === 0 ? offset === 0 : text.charCodeAt(m.index - 1) === 0x0a;
    if (atLineStart) return { time: m[1] as string, start: offset + m.index };
  }
  return undefined;
}

/**
 * The latest time of the headers near the end of a file (glued ones included), for skipping whole
 * files that end before `--since`; undefined when there is none to trust (a torn last line).
 */
export function lastEntryTime(file: LogFileInfo): string | undefined {
  if (file.gzip || file.size === 0) return undefined;
  const fd = fs.openSync(file.path, 'r');
  try {
    // Most files end in entries of a line or a few; one that ends in a long stack trace gets the longer look.
    return (
      latestTimeInLast(fd, file.size, LAST_ENTRY_PROBE_BYTES) ?? (file.size > LAST_ENTRY_PROBE_BYTES ? latestTimeInLast(fd, file.size, PROBE_BYTES) : undefined)
    );
  } finally {
    fs.closeSync(fd);
  }
}

/** The latest header time in the last `bytes` of a file (entries written a little out of order: the latest, not the last). */
function latestTimeInLast(fd: number, size: number, bytes: number): string | undefined {
  const from = Math.max(0, size - bytes);
  const text = readAt(fd, from, size - from).toString('latin1');
  let latest: string | undefined;
  HEADER.lastIndex = 0;
  for (let m = HEADER.exec(text); m !== null; m = HEADER.exec(text)) if (latest === undefined || (m[1] as string) > latest) latest = m[1] as string;
  return latest;
}

export function firstEntryTime(file: LogFileInfo): string | undefined {
  if (file.gzip || file.size === 0) return undefined;
  const fd = fs.openSync(file.path, 'r');
  try {
    return timeAfter(fd, 0)?.time;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Bisects a time-ordered file for an entry start at or before the first entry at `since`,
 * backing off a few seconds for entries that processes wrote slightly out of order.
 */
export function offsetAtOrBefore(file: LogFileInfo, since: string, toMs: (time: string) => number, fromMs: (ms: number) => string): number {
  if (file.gzip) return 0;
  const target = fromMs(toMs(since) - CLOCK_SLACK_MS);
  const fd = fs.openSync(file.path, 'r');
  try {
    let lo = 0;
    let hi = file.size;
    while (hi - lo > PROBE_BYTES) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const probe = timeAfter(fd, mid);
      if (!probe || probe.start >= hi) hi = mid;
      else if (probe.time < target) lo = probe.start;
      else hi = mid;
    }
    return lo;
  } finally {
    fs.closeSync(fd);
  }
}

/** A window's entries: those starting at or after `start`, the window's first entry start (-1 when it holds none). */
export interface WindowEntries<T> {
  entries: T[];
  start: number;
}

const BACKWARD_WINDOW = 1024 * 1024;

/**
 * The last `count` entries of an open file, oldest first, read back from its end a window at a
 * time: `read(window, atFileStart)` gives the entries of a window that start at or after its
 * first entry start. A window holding no start (one entry longer than it) is read again twice as long.
 */
export function lastEntriesBackwards<T>(fd: number, count: number, read: (window: Buffer, atFileStart: boolean) => WindowEntries<T>): T[] {
  let end = fs.fstatSync(fd).size;
  let found: T[] = [];
  let length = BACKWARD_WINDOW;
  while (end > 0 && found.length < count) {
    const from = Math.max(0, end - length);
    const window = readAt(fd, from, end - from);
    const { entries, start } = read(window, from === 0);
    if (start === -1) {
      length *= 2;
      continue;
    }
    found = entries.concat(found);
    end = from + start;
    length = BACKWARD_WINDOW;
  }
  return found.slice(-count);
}
