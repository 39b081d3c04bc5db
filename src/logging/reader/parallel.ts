import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LogFileInfo } from '../log-files.js';
import { type GrepJob, type GrepTask, grepTask, jobFilter, planTasks } from './grep.js';

/** Below this much to read, starting threads costs more than it saves. */
const PARALLEL_MIN_BYTES = 48 * 1024 * 1024;
const MAX_WORKERS = 4;

/** The worker's script beside this module's, when it was built (the tests run the sources, which have none). */
function workerScript(): string | undefined {
  const script = fileURLToPath(new URL('./grep-worker.js', import.meta.url));
  return fs.existsSync(script) ? script : undefined;
}

function taskBytes(task: GrepTask): number {
  return (Number.isFinite(task.end) ? task.end : task.file.size) - task.start;
}

export interface GrepRun {
  count: number;
  /** False when the reader of the output went away before the end. */
  complete: boolean;
}

/**
 * Searches the log set and hands each part's output to `write` in file order. On more than one
 * core, and with enough to read, worker threads search the parts; `write` still gets them in order,
 * and no more than a few parts are held waiting for an earlier one.
 */
export async function grepFiles(files: LogFileInfo[], job: GrepJob, write: (output: Buffer) => boolean, workers = defaultWorkers()): Promise<GrepRun> {
  const { filter, printer } = jobFilter(job);
  const tasks = planTasks(files, filter);
  const total = tasks.reduce((sum, task) => sum + taskBytes(task), 0);
  const script = workerScript();
  if (workers < 2 || tasks.length < 2 || total < PARALLEL_MIN_BYTES || script === undefined) {
    let count = 0;
    for (const task of tasks) {
      const part = grepTask(task, filter, printer, job.mode);
      count += part.count;
      if (part.output.length && !write(part.output)) return { count, complete: false };
    }
    return { count, complete: true };
  }
  return inWorkers(tasks, job, write, Math.min(workers, tasks.length), script);
}

function defaultWorkers(): number {
  return Math.min(MAX_WORKERS, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

interface PartMessage {
  id: number;
  count: number;
  buffer: ArrayBuffer;
  byteOffset: number;
  byteLength: number;
}

function inWorkers(tasks: GrepTask[], job: GrepJob, write: (output: Buffer) => boolean, size: number, script: string): Promise<GrepRun> {
  return new Promise((resolve, reject) => {
    const pool = Array.from({ length: size }, () => new Worker(script, { workerData: job }));
    const done = new Map<number, PartMessage>();
    // Parts sent but not yet written, at most this many: a slow early part does not let the rest pile up.
    const ahead = size * 2;
    let nextToSend = 0;
    let nextToWrite = 0;
    let count = 0;
    let finished = false;
    const finish = (result: GrepRun | Error) => {
      if (finished) return;
      finished = true;
      for (const worker of pool) void worker.terminate();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const send = (worker: Worker) => {
      if (nextToSend < tasks.length && nextToSend < nextToWrite + ahead) {
        worker.postMessage({ id: nextToSend, task: tasks[nextToSend] });
        nextToSend++;
        return true;
      }
      return false;
    };
    const idle: Worker[] = [];
    const writeReady = () => {
      for (let part = done.get(nextToWrite); part !== undefined; part = done.get(nextToWrite)) {
        done.delete(nextToWrite);
        nextToWrite++;
        count += part.count;
        if (part.byteLength && !write(Buffer.from(part.buffer, part.byteOffset, part.byteLength))) return finish({ count, complete: false });
      }
      if (nextToWrite === tasks.length) return finish({ count, complete: true });
      while (idle.length && send(idle[idle.length - 1] as Worker)) idle.pop();
    };
    for (const worker of pool) {
      worker.on('message', (part: PartMessage) => {
        done.set(part.id, part);
        if (!send(worker)) idle.push(worker);
        writeReady();
      });
      worker.on('error', (error) => finish(error));
      worker.on('exit', (code) => {
        if (!finished && code !== 0) finish(new Error(`a search thread stopped (exit ${code})`));
      });
      if (!send(worker)) idle.push(worker);
    }
  });
}
