import fs from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { listLogSet, type LogFileInfo } from '../log-files.js';
import { entryChunks, lastEntriesBackwards, type WindowEntries } from './chunks.js';
import type { LogEntry } from './entry.js';
import type { EntryFilter } from './filter.js';
import { scanChunk } from './search.js';
import { isV2File, isV2Text, lastV2Entries, scanV2Text } from './v2-format.js';

/** The entries of a window of a file that start at or after its first entry start. */
function windowEntries(window: Buffer, atFileStart: boolean, filter: EntryFilter): WindowEntries<LogEntry> {
  const start = atFileStart ? 0 : window.indexOf('\n[') + 1;
  const entries: LogEntry[] = [];
  if (start === 0 && !atFileStart) return { entries, start: -1 };
  scanChunk(window.subarray(start), filter, (e) => void entries.push(e));
  return { entries, start };
}

/** The last `count` matching entries of one file. */
function lastOfFile(file: LogFileInfo, filter: EntryFilter, count: number): LogEntry[] {
  if (isV2File(file)) return lastV2Entries(file, filter, count);
  if (file.gzip) {
    const all: LogEntry[] = [];
    for (const chunk of entryChunks(file)) scanChunk(chunk, filter, (e) => void all.push(e));
    return all.slice(-count);
  }
  const fd = fs.openSync(file.path, 'r');
  try {
    return lastEntriesBackwards(fd, count, (window, atFileStart) => windowEntries(window, atFileStart, filter));
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
 * How long a rotated file is still read after the follower first sees it rotated: a writer that
 * checked the path just before the rotation appends its entry to the renamed file.
 */
const SETTLE_MS = 300;

function inodeAt(file: string): number | null {
  try {
    return fs.statSync(file).ino;
  } catch {
    return null;
  }
}

/**
 * Follows a log like `tail -F`, by inode: when the file it reads is rotated away it reads it to
 * its end, then goes on with the file rotated after it (found by inode among the rotated files),
 * and so on up to the active file, so several rotations between two polls lose nothing and each
 * entry is shown once, in the order the files hold them.
 */
export class LogFollower {
  private fd: number | null = null;
  private ino = -1;
  private offset = 0;
  private pending = '';
  private decoder = new StringDecoder('utf8');
  private timer: NodeJS.Timeout | null = null;
  /** Inode → when the follower first saw that file rotated away. */
  private readonly rotatedAt = new Map<number, number>();

  constructor(
    private readonly filePath: string,
    private readonly filter: EntryFilter,
    private readonly onEntry: (entry: LogEntry) => void,
  ) {}

  /** Starts at the current end of the file. */
  start(intervalMs = 200): void {
    this.open(this.filePath, true);
    this.timer = setInterval(() => this.poll(), intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.poll(true);
    this.flushPending(true);
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  /** `final`: stopping, so rotated files are read to their end without waiting for them to settle. */
  poll(final = false): void {
    if (this.fd === null) {
      this.open(this.filePath, false);
      if (this.fd === null) return;
    }
    for (let step = 0; step < 10_000; step++) {
      const active = inodeAt(this.filePath);
      if (active === null || active === this.ino) {
        if (active !== null && fs.fstatSync(this.fd as number).size < this.offset) this.offset = 0;
        this.drain();
        return;
      }
      // The file held was rotated away: read what it holds, then, once settled, the next one.
      this.drain();
      const now = Date.now();
      if (!this.rotatedAt.has(this.ino)) this.markRotated(active, now);
      if (!final && now - (this.rotatedAt.get(this.ino) as number) < SETTLE_MS) return;
      if (!this.moveToNext(active, now)) return;
    }
  }

  /**
   * The log's files, oldest first; those rotated and not seen before are marked seen now, all at
   * once, so that they settle together and the follower never waits once per file.
   */
  private markRotated(activeIno: number, now: number): LogFileInfo[] {
    const files = listLogSet(path.dirname(this.filePath), path.basename(this.filePath)).filter((f) => !f.gzip);
    for (const f of files) if (f.ino !== undefined && f.ino !== activeIno && !this.rotatedAt.has(f.ino)) this.rotatedAt.set(f.ino, now);
    if (!this.rotatedAt.has(this.ino)) this.rotatedAt.set(this.ino, now);
    return files;
  }

  /** Goes on to the file rotated after the one held (or the active file); false to wait for the next poll. */
  private moveToNext(activeIno: number, now: number): boolean {
    const heldMtime = fs.fstatSync(this.fd as number).mtimeMs;
    const files = this.markRotated(activeIno, now);
    const at = files.findIndex((f) => f.ino === this.ino);
    const next = at >= 0 ? files[at + 1] : files.find((f) => f.ino !== this.ino && f.mtimeMs >= heldMtime);
    let fd: number;
    try {
      fd = fs.openSync(next?.path ?? this.filePath, 'r');
    } catch {
      return false;
    }
    const st = fs.fstatSync(fd);
    if (next && st.ino !== next.ino) {
      // Renamed again since the listing: look again, the file held still open.
      fs.closeSync(fd);
      return true;
    }
    this.flushPending(true);
    fs.closeSync(this.fd as number);
    this.fd = fd;
    this.adopt(st, false);
    return true;
  }

  private open(file: string, atEnd: boolean): void {
    try {
      this.fd = fs.openSync(file, 'r');
    } catch {
      this.fd = null;
      return;
    }
    this.adopt(fs.fstatSync(this.fd), atEnd);
  }

  private adopt(st: fs.Stats, atEnd: boolean): void {
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
    if (isV2Text(text)) scanV2Text(text, this.filter, (entry) => void this.onEntry(entry));
    else scanChunk(Buffer.from(text), this.filter, (entry) => void this.onEntry(entry));
  }
}
