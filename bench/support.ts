import { execFileSync, spawnSync } from 'node:child_process';

export interface Timing {
  medianMs: number;
  minMs: number;
  output: string;
}

/** Median wall time of a shell command over `runs` runs (after one warm-up), with its stdout. */
export function timeCommand(command: string, runs = 5, env: NodeJS.ProcessEnv = process.env): Timing {
  const times: number[] = [];
  let output = '';
  for (let i = -1; i < runs; i++) {
    const started = performance.now();
    const result = spawnSync('sh', ['-c', command], { env, encoding: 'utf8', maxBuffer: 1 << 26 });
    const elapsed = performance.now() - started;
    if (result.status !== 0 && result.status !== 1) throw new Error(`${command} failed: ${result.stderr}`);
    output = result.stdout.trim();
    if (i >= 0) times.push(elapsed);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)] as number, minMs: times[0] as number, output };
}

/** Median of an in-process operation's time. */
export function timeInProcess(run: () => void, runs = 5): number {
  const times: number[] = [];
  for (let i = -1; i < runs; i++) {
    const started = performance.now();
    run();
    if (i >= 0) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

export function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const ms = (v: number) => `${v.toFixed(1)} ms`;
export const mbps = (bytes: number, msValue: number) => `${(bytes / 1024 / 1024 / (msValue / 1000)).toFixed(0)} MB/s`;

export function verdict(met: boolean): string {
  return met ? 'target met' : 'TARGET MISSED';
}
