import fs from 'node:fs';
import pc from 'picocolors';
import { levelPainter } from '../appenders.js';
import { normalizeLevel } from '../levels.js';
import { escapeControl } from '../escape.js';
import { sleepSync } from '../sleep-sync.js';
import { continuationLines, parseBody, type LogEntry } from './entry.js';
import { logTimeToMs } from './time-spec.js';
import { levelAsWritten, paintV2Entry } from './v2-format.js';

export type OutputMode = 'text' | 'json' | 'count';

const FLUSH_BYTES = 1 << 20;

/**
 * Writes all of `buf`, waiting when a non-blocking pipe is full. The wait starts at 50 µs and
 * doubles up to 2 ms: a reader as fast as `wc` drains a pipe's 64 KiB in well under a millisecond,
 * and a fixed 2 ms wait held output to about 30 MB/s.
 */
function writeFully(fd: number, buf: Buffer): void {
  let offset = 0;
  let waitMs = 0.05;
  while (offset < buf.length) {
    try {
      offset += fs.writeSync(fd, buf, offset);
      waitMs = 0.05;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      sleepSync(waitMs);
      waitMs = Math.min(2, waitMs * 2);
    }
  }
}

/** Control characters a terminal acts on (newline and tab aside), and the bidirectional overrides and isolates. */
const TERMINAL_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text a terminal only shows: each control character written `\uXXXX`. StoryOS escapes what it
 * writes, so its lines come out unchanged; a line another program wrote (Python's, raw) does not.
 */
export function inert(text: string): string {
  return text.replace(TERMINAL_CONTROLS, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One line a terminal only shows: newlines and other controls escaped as the log writer escapes them, and bidi controls too. */
export function inertLine(text: string): string {
  return inert(escapeControl(text));
}

/** Colour only for a terminal, and never when NO_COLOR is set. */
export function colourWanted(stream: NodeJS.WriteStream = process.stdout): boolean {
  return stream.isTTY === true && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
}

function isoLocal(time: string): string {
  const ms = logTimeToMs(time);
  const offset = -new Date(ms).getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${time.slice(0, 10)}T${time.slice(11, 19)}.${time.slice(20, 23)}${zone}`;
}

export function entryToJson(entry: LogEntry): Record<string, unknown> {
  const { message, context } = parseBody(entry.body);
  // The level as StoryOS names it; a line that names it otherwise (Python's WARNING) says so too.
  const written = levelAsWritten(entry);
  return {
    time: entry.time ? isoLocal(entry.time) : null,
    level: normalizeLevel(entry.level) || null,
    ...(written === undefined ? {} : { level_as_written: written }),
    module: entry.module || null,
    message,
    context,
    continuation: continuationLines(entry),
  };
}

/** Buffered, synchronous writer of entries to stdout; a closed pipe (`| head`) ends output quietly. */
export class EntryPrinter {
  count = 0;
  private pending: string[] = [];
  private pendingBytes = 0;
  private closed = false;
  private readonly paintLevel: ReturnType<typeof levelPainter>;
  private readonly c: ReturnType<typeof pc.createColors>;

  /**
   * `terminal`: the output is a terminal, so entries are printed inert (see inert) rather than as
   * the file holds them: a file another program wrote may hold escape sequences.
   */
  constructor(
    private readonly mode: OutputMode,
    private readonly colour: boolean,
    private readonly fd = 1,
    readonly terminal = colour,
  ) {
    this.paintLevel = levelPainter(colour);
    this.c = pc.createColors(colour);
  }

  get colourful(): boolean {
    return this.colour;
  }

  /** False once the reader of our output has gone away. */
  get open(): boolean {
    return !this.closed;
  }

  /** The entry as this printer prints it, without the final newline; inert for a terminal. */
  line(entry: LogEntry): string {
    if (this.mode === 'json') return JSON.stringify(entryToJson(entry));
    const text = this.terminal ? inert(entry.text) : entry.text;
    return this.colour ? this.paint({ ...entry, text }) : text;
  }

  print(entry: LogEntry): boolean {
    this.count++;
    if (this.mode === 'count') return true;
    const line = this.line(entry);
    this.pending.push(line, '\n');
    this.pendingBytes += line.length + 1;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    return !this.closed;
  }

  write(text: string): void {
    this.pending.push(text);
    this.flush();
  }

  flush(): void {
    if (this.pending.length === 0 || this.closed) return;
    const data = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    this.writeBytes(Buffer.from(data));
  }

  /** Output made elsewhere (a search's block of entries), after what is pending; false once the reader has gone. */
  writeBytes(data: Buffer): boolean {
    if (this.pending.length) this.flush();
    if (this.closed) return false;
    try {
      writeFully(this.fd, data);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
      this.closed = true;
    }
    return !this.closed;
  }

  private paint(entry: LogEntry): string {
    const { c } = this;
    if (!entry.time) return entry.text;
    if (entry.text.charCodeAt(0) !== 0x5b) return paintV2Entry(entry, c, this.paintLevel);
    const [header, ...rest] = entry.text.split('\n');
    const body = (header as string).slice((header as string).indexOf(`[${entry.module}] `) + entry.module.length + 3);
    const head = `${c.dim(`[${entry.time}]`)} ${this.paintLevel(entry.level)(`[${entry.level}]`)} ${c.magenta(`[${entry.module}]`)} ${body}`;
    return rest.length ? `${head}\n${c.dim(rest.join('\n'))}` : head;
  }
}
