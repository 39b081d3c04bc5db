import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./python-logs.py', import.meta.url));

export type PythonLogMode = 'rotating' | 'timed' | 'ms' | 'bracket';

/**
 * Has Python's `logging` write log files into `dir` the way StoryOS v2 did (see python-logs.py for
 * the modes), and returns the names of the files it wrote, sorted.
 */
export function writePythonLogs(dir: string, mode: PythonLogMode): string[] {
  const result = spawnSync('python3', [SCRIPT, dir, mode], { encoding: 'utf8', timeout: 30_000, env: process.env });
  if (result.error) throw new Error(`python3 is needed for the tests of Python's log files (apt-get install python3): ${result.error.message}`);
  if (result.status !== 0) throw new Error(`python-logs.py ${mode} failed (${result.status}): ${result.stderr}`);
  return fs.readdirSync(dir).sort();
}

export function readLog(dir: string, name: string): string {
  return fs.readFileSync(path.join(dir, name), 'utf8');
}
