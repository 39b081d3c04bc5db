import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runLogsBench } from './logs.bench.js';
import { runStoreBench } from './store.bench.js';
import { runEngineBench } from './engine.bench.js';
import { runStateUpdateBench } from './state-update.bench.js';
import { runTuiBench } from './tui.bench.js';

/** `npm run bench`: every benchmark, figures and ratios against the targets of the issues. */
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'storyos-bench-'));
try {
  console.log(`StoryOS benchmarks — node ${process.version}, ${os.cpus().length} cores, ${new Date().toISOString()}`);
  await runStoreBench(root);
  await runEngineBench(root);
  await runStateUpdateBench(root);
  await runTuiBench(root);
  runLogsBench(root);
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
