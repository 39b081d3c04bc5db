import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { LogFileInfo } from '../log-files.js';
import { entryChunks } from './chunks.js';
import type { LogEntry } from './entry.js';
import type { EntryFilter } from './filter.js';
import { scanChunk } from './search.js';

const BACKWARD_WINDOW = 1024 * 1024;

/** Matching entries of a window of the file, whole entries only. */
function windowMatches(fd: number, from: number, to: number, atFileStart: boolean, filter: EntryFilter): { entries: LogEntry[]; firstEntry: number } {
  const buf = Buffer.allocUnsafe(to - from);
  const read = fs.readSync(fd, buf, 0, to - from, from);
  const window = buf.subarray(0, read);
  const firstEntry = atFileStart ? 0 : window.indexOf('\n[') + 1;
  const entries: LogEntry[] = [];
  if (firstEntry > 0 || atFileStart) scanChunk(window.subarray(firstEntry), filter, (e) => void entries.push(e));
  return { entries, firstEntry: atFileStart ? from : firstEntry > 0 ? from + firstEntry : to };
}

/** The last `count` matching entries of one file, read backwards a window at a time. */
function lastOfFile(file: LogFileInfo, filter: EntryFilter, count: number): LogEntry[] {
  if (file.gzip) {
    const all: LogEntry[] = [];
    for (const chunk of entryChunks(file)) scanChunk(chunk, filter, (e) => void all.push(e));
    return all.slice(-count);
  }
  const fd = fs.openSync(file.path, 'r');
  try {
    let end = fs.fstatSync(fd).size;
    let found: LogEntry[] = [];
    while (end > 0 && found.length < count) {
      let from = Math.max(0, end - BACKWARD_WINDOW);
      let result = windowMatches(fd, from, end, from === 0, filter);
      while (result.firstEntry === end && from > 0) {
        from = Math.max(0, from - BACKWARD_WINDOW);
        result = windowMatches(fd, from, end, from === 0, filter);
      }
      found = result.entries.concat(found);
      end = result.firstEntry;
    }
    return found.slice(-count);
  } finally {
    fs.closeSync(fd);
  }
}

/** The last `count` matching entries across the log set (files oldest first), oldest first. */
export function lastEntries(files: LogFileInfo[], filter: EntryFilter, count: number): LogEntry[] {
  let found: LogEntry[] = [];
  for (let i = files.length - 1; i >= 0 && found.length < count; i--) {
    found = lastOfFile(files[i] as LogFileInfo, filter, count - found.length).concat(found);
  }
  return found;
}

/**
 * Follows a log like `tail -F`: reads what is appended, and when the file is rotated away
 * finishes the old file before continuing at the start of the new one.
 */
export class LogFollower {
  private fd: number | null = null;
  private ino = -1;
  private offset = 0;
  private pending = '';
  private decoder = new StringDecoder('utf8');
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly filePath: string,
    private readonly filter: EntryFilter,
    private readonly onEntry: (entry: LogEntry) => void,
  ) {}

  /** Starts at the current end of the file. */
  start(intervalMs = 200): void {
    this.open(true);
    this.timer = setInterval(() => this.poll(), intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.poll();
    this.flushPending(true);
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  poll(): void {
    let st: fs.Stats | null = null;
    try {
      st = fs.statSync(this.filePath);
    } catch {
      st = null;
    }
    if (this.fd === null) {
      if (st) this.open(false);
      return;
    }
    if (st && st.ino !== this.ino) {
      this.drain();
      this.flushPending(true);
      fs.closeSync(this.fd);
      this.fd = null;
      this.open(false);
      return;
    }
    if (st && st.size < this.offset) this.offset = 0;
    this.drain();
  }

  private open(atEnd: boolean): void {
    try {
      this.fd = fs.openSync(this.filePath, 'r');
    } catch {
      this.fd = null;
      return;
    }
    const st = fs.fstatSync(this.fd);
    this.ino = st.ino;
    this.offset = atEnd ? st.size : 0;
    this.decoder = new StringDecoder('utf8');
    if (!atEnd) this.drain();
  }

  private drain(): void {
    if (this.fd === null) return;
    const buf = Buffer.allocUnsafe(256 * 1024);
    for (;;) {
      const read = fs.readSync(this.fd, buf, 0, buf.length, this.offset);
      if (read === 0) break;
      this.offset += read;
      this.pending += this.decoder.write(buf.subarray(0, read));
    }
    this.flushPending(false);
  }

  /** Emits whole entries; an entry is whole once a newline ends it (writers write one entry per write). */
  private flushPending(all: boolean): void {
    const end = all ? this.pending.length : this.pending.lastIndexOf('\n') + 1;
    if (end <= 0) return;
    const text = this.pending.slice(0, end);
    this.pending = this.pending.slice(end);
    scanChunk(Buffer.from(text), this.filter, (entry) => void this.onEntry(entry));
  }
}
