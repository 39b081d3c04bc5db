import { parentPort, workerData } from 'node:worker_threads';
import { type GrepJob, type GrepTask, grepTask, jobFilter } from './grep.js';

/** A worker thread of `storyos logs grep`: searches the parts it is sent, in the order sent, and sends each part's output back. */
const job = workerData as GrepJob;
const { filter, printer } = jobFilter(job);

parentPort?.on('message', ({ id, task }: { id: number; task: GrepTask }) => {
  const part = grepTask(task, filter, printer, job.mode);
  const { buffer, byteOffset, byteLength } = part.output;
  parentPort?.postMessage({ id, count: part.count, buffer, byteOffset, byteLength }, [buffer as ArrayBuffer]);
});
