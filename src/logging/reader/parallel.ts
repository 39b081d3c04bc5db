import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LogFileInfo } from '../log-files.js';
import type { FilterOptions } from './filter.js';
import { type GrepJob, type GrepTask, planTasks, type TaskResult, taskRunner } from './grep.js';
import { buildFilter } from './filter.js';
import { StatsCollector, type StatsPartial } from './stats.js';

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

function defaultWorkers(): number {
  return Math.min(MAX_WORKERS, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

export interface GrepRun {
  count: number;
  /** False when the reader of the output went away before the end. */
  complete: boolean;
}

/**
 * Runs a job over the parts of the log set, handing each part's result to `take` in file order;
 * `take` returns false to stop. On more than one core, with enough to read, worker threads run the
 * parts; `take` still gets them in order, and no more than a few wait for an earlier one.
 */
async function runInOrder(files: LogFileInfo[], job: GrepJob, take: (result: TaskResult) => boolean, workers: number): Promise<boolean> {
  const tasks = planTasks(files, buildFilter(job.options));
  const total = tasks.reduce((sum, task) => sum + taskBytes(task), 0);
  const script = workerScript();
  if (workers < 2 || tasks.length < 2 || total < PARALLEL_MIN_BYTES || script === undefined) {
    const run = taskRunner(job);
    for (const task of tasks) if (!take(run(task))) return false;
    return true;
  }
  return inWorkers(tasks, job, take, Math.min(workers, tasks.length), script);
}

/** `storyos logs grep`: each part's output goes to `write` in file order. */
export async function grepFiles(
  files: LogFileInfo[],
  job: Omit<GrepJob, 'kind'>,
  write: (output: Buffer) => boolean,
  workers = defaultWorkers(),
): Promise<GrepRun> {
  let count = 0;
  const complete = await runInOrder(
    files,
    { ...job, kind: 'grep' },
    (result) => {
      if (result.kind !== 'grep') return true;
      count += result.count;
      return result.output.length === 0 || write(result.output);
    },
    workers,
  );
  return { count, complete };
}

/** `storyos logs stats`: the parts' collectors, merged. */
export async function collectStatsInParallel(
  files: LogFileInfo[],
  options: FilterOptions,
  workers = defaultWorkers(),
  nativeScan = true,
): Promise<StatsCollector> {
  const collector = new StatsCollector();
  await runInOrder(
    files,
    { kind: 'stats', options, mode: 'count', colour: false, terminal: false, nativeScan },
    (result) => {
      if (result.kind === 'stats' && result.partial !== null) collector.merge(result.partial);
      return true;
    },
    workers,
  );
  return collector;
}

type PartReply = { id: number } & (
  | { kind: 'grep'; count: number; buffer: ArrayBuffer; byteOffset: number; byteLength: number }
  | { kind: 'stats'; partial: StatsPartial | null }
);
/** A stats thread's figures over all its parts, when asked for them at the end. */
type CollectedReply = { kind: 'collected'; partial: StatsPartial };
type WorkerReply = PartReply | CollectedReply;

function resultOf(reply: PartReply): TaskResult {
  if (reply.kind === 'stats') return { kind: 'stats', partial: reply.partial };
  return { kind: 'grep', count: reply.count, output: Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength) };
}

function inWorkers(tasks: GrepTask[], job: GrepJob, take: (result: TaskResult) => boolean, size: number, script: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const pool = Array.from({ length: size }, () => new Worker(script, { workerData: job }));
    const done = new Map<number, PartReply>();
    let collected = 0;
    // Parts sent but not yet taken, at most this many: a slow early part does not let the rest pile up.
    const ahead = size * 2;
    let nextToSend = 0;
    let nextToTake = 0;
    let finished = false;
    const finish = (result: boolean | Error) => {
      if (finished) return;
      finished = true;
      for (const worker of pool) void worker.terminate();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const send = (worker: Worker) => {
      if (nextToSend >= tasks.length || nextToSend >= nextToTake + ahead) return false;
      worker.postMessage({ id: nextToSend, task: tasks[nextToSend] });
      nextToSend++;
      return true;
    };
    const idle: Worker[] = [];
    const takeReady = () => {
      for (let reply = done.get(nextToTake); reply !== undefined; reply = done.get(nextToTake)) {
        done.delete(nextToTake);
        nextToTake++;
        if (!take(resultOf(reply))) return finish(false);
      }
      if (nextToTake === tasks.length) {
        if (job.kind !== 'stats') return finish(true);
        // Every part is read: each thread's figures over its parts, once.
        for (const worker of pool) worker.postMessage({ collect: true });
        return;
      }
      while (idle.length && send(idle[idle.length - 1] as Worker)) idle.pop();
    };
    for (const worker of pool) {
      worker.on('message', (reply: WorkerReply) => {
        if (reply.kind === 'collected') {
          if (!take({ kind: 'stats', partial: reply.partial })) return finish(false);
          if (++collected === pool.length) finish(true);
          return;
        }
        done.set(reply.id, reply);
        if (!send(worker)) idle.push(worker);
        takeReady();
      });
      worker.on('error', (error) => finish(error));
      worker.on('exit', (code) => {
        if (!finished && code !== 0) finish(new Error(`a search thread stopped (exit ${code})`));
      });
      if (!send(worker)) idle.push(worker);
    }
  });
}
