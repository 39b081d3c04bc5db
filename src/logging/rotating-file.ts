import fs from 'node:fs';
import path from 'node:path';
import { needsRotation, rotateFile, type RotationPolicy } from './rotation.js';

const LOCK_WAIT_MS = 250;

/**
 * A log file that several processes append to at once. Each entry is one `write(2)` on an
 * O_APPEND descriptor; before each write the path is checked against the open inode, so a
 * rotation by any process (or by `storyos logs rotate`) is followed at the next entry.
 */
export class RotatingFile {
  private fd: number | null = null;
  private ino = -1;
  private reportedError = false;
  /** After a lock wait times out (a crashed rotator's lock), writes go on without waiting for a while. */
  private skipLockWaitUntil = 0;

  constructor(
    readonly filePath: string,
    private readonly policy: RotationPolicy,
    private readonly onError: (error: Error) => void = () => {},
  ) {}

  write(text: string): void {
    const data = Buffer.from(text, 'utf8');
    try {
      const st = this.currentStat();
      if (needsRotation(st, this.policy, data.length)) this.rotateBeforeWriting(data.length);
      this.writeAll(data);
    } catch (error) {
      this.report(error as Error);
    }
  }

  /**
   * Rotates, or waits for the process already rotating, so that the file we append to next is
   * the fresh one: without the wait, a writer would grow the file being rotated past its size.
   */
  private rotateBeforeWriting(incomingBytes: number): void {
    const waitMs = Date.now() < this.skipLockWaitUntil ? 0 : LOCK_WAIT_MS;
    const outcome = rotateFile(this.filePath, this.policy, { force: false, incomingBytes, waitMs });
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
    fs.mkdirSync(path.dirname(this.filePath), { recursive: true });
    this.fd = fs.openSync(this.filePath, 'a');
    const st = fs.fstatSync(this.fd);
    this.ino = st.ino;
    return st;
  }

  private writeAll(data: Buffer): void {
    let offset = 0;
    while (offset < data.length) offset += fs.writeSync(this.fd as number, data, offset, data.length - offset);
  }

  private report(error: Error): void {
    if (this.reportedError) return;
    this.reportedError = true;
    this.onError(error);
  }
}
