import { parentPort, workerData } from 'node:worker_threads';
import { type GrepJob, type GrepTask, taskRunner } from './grep.js';

/** A search thread of `storyos logs`: runs the parts it is sent, in the order sent, and sends each result back. */
const run = taskRunner(workerData as GrepJob);

parentPort?.on('message', ({ id, task }: { id: number; task: GrepTask }) => {
  const result = run(task);
  if (result.kind === 'stats') {
    parentPort?.postMessage({ id, kind: 'stats', partial: result.partial });
    return;
  }
  const { buffer, byteOffset, byteLength } = result.output;
  parentPort?.postMessage({ id, kind: 'grep', count: result.count, buffer, byteOffset, byteLength }, [buffer as ArrayBuffer]);
});
