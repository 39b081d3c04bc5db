import type { LogFileInfo } from '../log-files.js';
import { entryChunks, entryStartAtOrAfter, offsetAtOrBefore } from './chunks.js';
import { parseEntry } from './entry.js';
import { buildFilter, type EntryFilter, type FilterOptions } from './filter.js';
import { EntryPrinter, type OutputMode } from './output.js';
import { fileInWindow, matchRanges } from './search.js';
import { StatsCollector, type StatsPartial } from './stats.js';
import { ByteStrings, collectChunk } from './stats-bytes.js';
import { type NativeScan, nativeScan } from './stats-native.js';
import { logTimeToMs, toLogTime } from './time-spec.js';
import { isV2File, searchV2File } from './v2-format.js';

/** A part of one file: the entries that start in [start, end). */
export interface GrepTask {
  file: LogFileInfo;
  start: number;
  end: number;
  /** A file StoryOS v2 wrote, read whole by its own scanner (told once, when the parts are planned). */
  v2: boolean;
}

/** What a search thread is asked to do with each part: print its matches, or collect their statistics. */
export interface GrepJob {
  kind: 'grep' | 'stats';
  options: FilterOptions;
  mode: OutputMode;
  colour: boolean;
  /** The output is a terminal: entries are decoded and printed inert, never copied as they are. */
  terminal: boolean;
  /** stats: read with the native scanner when it is built (STORYOS_NATIVE_SCAN). */
  nativeScan?: boolean;
}

/** The native scanner a job reads with, if any. */
export const scannerOf = (job: GrepJob) => (job.nativeScan === false ? undefined : nativeScan());

/** A stats part's figures; null from a thread that keeps them until it is asked for all of them (see grep-worker.ts). */
export type TaskResult = ({ kind: 'grep' } & GrepPart) | { kind: 'stats'; partial: StatsPartial | null };

export interface GrepPart {
  /** The part's output, ready to write. */
  output: Buffer;
  count: number;
}

/** Parts of a file this big or more are searched separately (in parallel, on more than one core). */
const TASK_BYTES = 16 * 1024 * 1024;

/** The parts of the log set to search, oldest first, without the files (or their beginnings) outside the time window. */
export function planTasks(files: LogFileInfo[], filter: EntryFilter): GrepTask[] {
  const tasks: GrepTask[] = [];
  for (const file of files) {
    const window = fileInWindow(file, filter);
    if (window === 'before') continue;
    if (window === 'after') break;
    // A compressed file is inflated whole, and one of v2's is read by its own scanner.
    const v2 = isV2File(file);
    if (file.gzip || v2) {
      tasks.push({ file, start: 0, end: Number.POSITIVE_INFINITY, v2 });
      continue;
    }
    const first = filter.since === undefined ? 0 : offsetAtOrBefore(file, filter.since, logTimeToMs, toLogTime);
    for (let start = first; start < file.size; start += TASK_BYTES) tasks.push({ file, start, end: Math.min(file.size, start + TASK_BYTES), v2 });
  }
  return tasks;
}

/** Bytes appended in place, the buffer doubling as it fills: one copy per match, no strings for raw output. */
class ByteBuilder {
  private buf = Buffer.allocUnsafeSlow(1 << 16);
  length = 0;

  append(source: Buffer, start: number, end: number): void {
    this.reserve(end - start);
    this.length += source.copy(this.buf, this.length, start, end);
  }

  appendText(text: string): void {
    this.reserve(Buffer.byteLength(text));
    this.length += this.buf.write(text, this.length);
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.length + bytes));
    this.buf.copy(bigger, 0, 0, this.length);
    this.buf = bigger;
  }
}

/**
 * The chunks of a part of a StoryOS-format file: its entries, from the first that starts in it.
 * An entry longer than the part before it starts in an earlier part: then this one has none.
 */
function taskChunks(task: GrepTask): Generator<Buffer> {
  const start = task.file.gzip ? 0 : entryStartAtOrAfter(task.file, task.start);
  return entryChunks(task.file, start, undefined, task.end);
}

/**
 * Searches one part. Plain text is copied as the file holds it (an entry without a final newline,
 * the last of a file, gets one); colour and JSON decode the matching entries only.
 */
export function grepTask(task: GrepTask, filter: EntryFilter, printer: EntryPrinter, mode: OutputMode): GrepPart {
  const out = new ByteBuilder();
  let count = 0;
  if (task.v2) {
    searchV2File(task.file, filter, (entry) => {
      count++;
      if (mode !== 'count') out.appendText(`${printer.line(entry)}\n`);
    });
    return { output: out.bytes(), count };
  }
  const raw = mode === 'text' && !printer.colourful && !printer.terminal;
  for (const chunk of taskChunks(task)) {
    matchRanges(chunk, filter, (from, to) => {
      count++;
      if (mode === 'count') return;
      if (raw) {
        out.append(chunk, from, to);
        if (chunk[to - 1] !== 0x0a) out.appendText('\n');
        return;
      }
      const textEnd = chunk[to - 1] === 0x0a ? to - 1 : to;
      out.appendText(`${printer.line(parseEntry(chunk.toString('utf8', from, textEnd)))}\n`);
    });
  }
  return { output: out.bytes(), count };
}

/** Adds the statistics of one part's matching entries to `collector`. */
export function collectTask(task: GrepTask, filter: EntryFilter, collector: StatsCollector, native: NativeScan | undefined, strings = new ByteStrings()): void {
  if (task.v2) searchV2File(task.file, filter, (entry) => collector.add(entry));
  else for (const chunk of taskChunks(task)) collectChunk(chunk, filter, collector, native, strings);
}

/** The statistics of one part's matching entries. */
export function statsTask(task: GrepTask, filter: EntryFilter, native: NativeScan | undefined): StatsPartial {
  const collector = new StatsCollector();
  collectTask(task, filter, collector, native);
  return collector.toPartial();
}

/** Runs a job's parts one at a time, in this thread or a worker's. */
export function taskRunner(job: GrepJob): (task: GrepTask) => TaskResult {
  const filter = buildFilter(job.options);
  if (job.kind === 'stats') {
    const native = scannerOf(job);
    return (task) => ({ kind: 'stats', partial: statsTask(task, filter, native) });
  }
  const printer = new EntryPrinter(job.mode, job.colour, 1, job.terminal);
  return (task) => ({ kind: 'grep', ...grepTask(task, filter, printer, job.mode) });
}
