import { parentPort, workerData } from 'node:worker_threads';
import { buildFilter } from './filter.js';
import { collectTask, type GrepJob, type GrepTask, scannerOf, taskRunner } from './grep.js';
import { StatsCollector } from './stats.js';
import { ByteStrings } from './stats-bytes.js';

/**
 * A search thread of `storyos logs`: runs the parts it is sent, in the order sent, and sends each
 * result back. For stats it adds every part to one collector and sends its figures once, when
 * asked (`collect`): merging a partial per part cost the main thread as much as the reading
 * (each part's players and sessions of each hour made into strings and added to sets again).
 */
type Message = { id: number; task: GrepTask } | { collect: true };

const job = workerData as GrepJob;

if (job.kind === 'stats') {
  const filter = buildFilter(job.options);
  const collector = new StatsCollector();
  const strings = new ByteStrings();
  const native = scannerOf(job);
  parentPort?.on('message', (message: Message) => {
    if ('collect' in message) {
      parentPort?.postMessage({ kind: 'collected', partial: collector.toPartial() });
      return;
    }
    collectTask(message.task, filter, collector, native, strings);
    parentPort?.postMessage({ id: message.id, kind: 'stats', partial: null });
  });
} else {
  const run = taskRunner(job);
  parentPort?.on('message', (message: Message) => {
    if ('collect' in message) return;
    const result = run(message.task);
    if (result.kind !== 'grep') return;
    const { buffer, byteOffset, byteLength } = result.output;
    parentPort?.postMessage({ id: message.id, kind: 'grep', count: result.count, buffer, byteOffset, byteLength }, [buffer as ArrayBuffer]);
  });
}
