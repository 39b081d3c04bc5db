import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runLogsBench } from './logs.bench.js';
import { runStoreBench } from './store.bench.js';
import { runEngineBench } from './engine.bench.js';
import { runStateUpdateBench } from './state-update.bench.js';
import { runStartupBench, runTuiBench } from './tui.bench.js';

/** Each benchmark by name; `startup` is the last part of `tui`, alone. */
const BENCHES: Record<string, (root: string) => void | Promise<void>> = {
  store: runStoreBench,
  engine: runEngineBench,
  'state-update': runStateUpdateBench,
  tui: runTuiBench,
  startup: runStartupBench,
  logs: runLogsBench,
};
const EVERY = ['store', 'engine', 'state-update', 'tui', 'logs'];

/**
 * `npm run bench`: every benchmark, figures and ratios against the targets of the issues;
 * `npm run bench -- startup logs` runs only the ones named.
 */
const names = process.argv.length > 2 ? process.argv.slice(2) : EVERY;
const unknown = names.filter((name) => !(name in BENCHES));
if (unknown.length > 0) {
  console.error(`bench: no benchmark named ${unknown.join(', ')}; the names are ${Object.keys(BENCHES).join(', ')}.`);
  process.exit(2);
}
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'storyos-bench-'));
try {
  console.log(`StoryOS benchmarks — node ${process.version}, ${os.cpus().length} cores, ${new Date().toISOString()}`);
  for (const name of names) await BENCHES[name]?.(root);
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
