import fs from 'node:fs';
import path from 'node:path';
import { yyyymmdd } from './log-files.js';
import { entryDay, lastEntryDay, needsRotation, rotateFile, type Incoming, type RotationPolicy } from './rotation.js';

const LOCK_WAIT_MS = 250;
const NEWLINE = Buffer.from('\n');

/**
 * `mkdir -p`, one level at a time: Node's recursive mkdirSync never returns for a path under
 * /proc (it spins at 100% CPU); this fails at once with the error of the first level it cannot make.
 */
export function makeDirectory(dir: string): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) {
    missing.unshift(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing) {
    try {
      fs.mkdirSync(d);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/**
 * A log file that several processes append to at once. Each entry is one `write(2)` on an
 * O_APPEND descriptor; before each write the path is checked against the open inode, so a
 * rotation by any process (or by `storyos logs rotate`) is followed at the next entry.
 */
export class RotatingFile {
  private fd: number | null = null;
  private ino = -1;
  private reportedError = false;
  /** Time rotation: the day of the last entry in the file held (read from it once, then kept up). */
  private lastDay: string | undefined;
  /** Part of an entry is in the file without its newline (the disk was full). */
  private unterminated = false;
  /** After a lock wait times out (a crashed rotator's lock), writes go on without waiting for a while. */
  private skipLockWaitUntil = 0;

  constructor(
    readonly filePath: string,
    private readonly policy: RotationPolicy,
    private readonly onError: (error: Error) => void = () => {},
  ) {}

  write(text: string): void {
    const data = Buffer.from(text, 'utf8');
    const incoming: Incoming = { bytes: data.length, day: entryDay(text) ?? yyyymmdd(new Date()) };
    try {
      const st = this.currentStat();
      if (needsRotation(st, this.policy, incoming, () => (this.lastDay ??= lastEntryDay(this.filePath)))) this.rotateBeforeWriting(incoming);
      this.writeAll(data);
      if (this.lastDay === undefined || this.lastDay < incoming.day) this.lastDay = incoming.day;
    } catch (error) {
      this.report(error as Error);
    }
  }

  /**
   * Rotates, or waits for the process already rotating, so that the file we append to next is
   * the fresh one: without the wait, a writer would grow the file being rotated past its size.
   */
  private rotateBeforeWriting(incoming: Incoming): void {
    const waitMs = Date.now() < this.skipLockWaitUntil ? 0 : LOCK_WAIT_MS;
    const outcome = rotateFile(this.filePath, this.policy, { force: false, incomingBytes: incoming.bytes, incomingDay: incoming.day, waitMs });
    if (outcome === 'busy') this.skipLockWaitUntil = Date.now() + 1000;
    this.currentStat();
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
    this.ino = -1;
  }

  /** The state of the file at the path, reopening it when it was rotated away or deleted. */
  private currentStat(): fs.Stats {
    let st: fs.Stats | null = null;
    try {
      st = fs.statSync(this.filePath);
    } catch {
      st = null;
    }
    if (this.fd !== null && st && st.ino === this.ino) return st;
    return this.reopen();
  }

  private reopen(): fs.Stats {
    this.close();
    makeDirectory(path.dirname(this.filePath));
    this.fd = fs.openSync(this.filePath, 'a+');
    const st = fs.fstatSync(this.fd);
    this.ino = st.ino;
    this.lastDay = undefined;
    return st;
  }

  /**
   * Writes the whole entry. When the disk is full (a short write, then ENOSPC) part of it may be
   * in the file: that part is ended with a newline at once, or, when even that fails, before this
   * writer's next entry, so the next entry never joins it (the reader also splits a header found
   * mid-line, for an entry another process glued to it).
   */
  private writeAll(data: Buffer): void {
    const fd = this.fd as number;
    if (this.unterminated) {
      if (!this.fileEndsWithNewline(fd)) fs.writeSync(fd, NEWLINE);
      this.unterminated = false;
    }
    let offset = 0;
    try {
      while (offset < data.length) offset += fs.writeSync(fd, data, offset, data.length - offset);
    } catch (error) {
      if (offset > 0) this.endTornEntry(fd);
      throw error;
    }
  }

  private endTornEntry(fd: number): void {
    try {
      if (fs.writeSync(fd, NEWLINE) === 1) return;
    } catch {
      // The disk is still full: end it before the next entry.
    }
    this.unterminated = true;
  }

  private fileEndsWithNewline(fd: number): boolean {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return true;
    const last = Buffer.alloc(1);
    return fs.readSync(fd, last, 0, 1, size - 1) === 1 && last[0] === 0x0a;
  }

  private report(error: Error): void {
    if (this.reportedError) return;
    this.reportedError = true;
    this.onError(error);
  }
}
