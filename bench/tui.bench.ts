import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import module from 'node:module';
import path from 'node:path';
import { hasCommand, ms, verdict } from './support.js';

const BIN = path.resolve('bin/storyos.js');

/** Runs the render benchmark in a process of its own, so that its memory is the TUI's alone. */
function renderFigures(turns: number): { meanMs: number; p95Ms: number; frames: number; rssMb: number } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.resolve('bench/tui-render.tsx'), String(turns)], { encoding: 'utf8', timeout: 180_000 });
  const line = result.stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`tui-render failed: ${result.stderr}`);
  return JSON.parse(line);
}

/**
 * Milliseconds from starting `node <args>` in a pseudo-terminal to `text` appearing on it; the
 * program is then stopped, after `lingerMs` more.
 */
function timeToText(dir: string, args: string, text: string, lingerMs = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // Without CI in the environment: Ink in CI writes only the last frame, when the app exits.
    const { CI: _ci, ...env } = process.env;
    const child = spawn('script', ['-qfec', `stty cols 100 rows 30; ${process.execPath} ${args}`, '/dev/null'], {
      cwd: dir,
      env: { ...env, TERM: 'xterm-256color' },
      detached: true,
    });
    let out = '';
    let done = false;
    const timer = setTimeout(() => reject(new Error(`no "${text}" within 20 s`)), 20_000);
    child.stdout.on('data', (data: Buffer) => {
      out += data.toString();
      if (done || !out.includes(text)) return;
      done = true;
      clearTimeout(timer);
      const elapsed = performance.now() - started;
      setTimeout(() => {
        try {
          process.kill(-(child.pid as number), 'SIGKILL');
        } catch {
          // It had already finished (--version does).
        }
        resolve(elapsed);
      }, lingerMs);
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** Where bare `storyos` keeps V8's code cache of its game script (src/launch/code-cache.ts). */
const CODE_CACHE = path.resolve('dist/bundle/.code-cache');

/** A start of bare `storyos` without its code cache, as the first after a Node.js upgrade is. */
async function coldStart(dir: string): Promise<number> {
  const aside = `${CODE_CACHE}.aside`;
  fs.renameSync(CODE_CACHE, aside);
  try {
    return await timeToText(dir, BIN, 'Log in');
  } finally {
    fs.rmSync(CODE_CACHE, { recursive: true, force: true });
    fs.renameSync(aside, CODE_CACHE);
  }
}

/**
 * The start-ups timed the same way (a pseudo-terminal, until their text shows) and in turn,
 * round after round, so that a slower moment of the machine weighs on all of them alike; the
 * median of each.
 */
async function startupTimes<Name extends string>(starts: Record<Name, () => Promise<number>>, rounds = 15): Promise<Record<Name, number>> {
  const names = Object.keys(starts) as Name[];
  const times = new Map<Name, number[]>(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) for (const name of names) times.get(name)?.push(await starts[name]());
  return Object.fromEntries(names.map((name) => [name, median(times.get(name) ?? [])])) as Record<Name, number>;
}

/** Whether this Node.js has its own compile cache (module.enableCompileCache, Node >= 22). */
const hasCompileCache = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function';

/** bench/compile-cache-start.ts, bundled by the build's own script; returns the file to run. */
function bundleCompileCacheStart(): string {
  const out = path.resolve('bench/.work/compile-cache-start');
  const result = spawnSync(process.execPath, ['scripts/bundle.mjs', 'bench/compile-cache-start.ts', out], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`bundling bench/compile-cache-start.ts failed: ${result.stderr}`);
  return path.join(out, 'compile-cache-start.js');
}

export async function runTuiBench(root: string): Promise<void> {
  console.log('\n## TUI — render time per streamed chunk, memory, and time to the first frame');
  const small = renderFigures(10);
  const large = renderFigures(1000);
  const ratio = large.meanMs / small.meanMs;
  console.log(
    `render per frame while narrating: turn 10 mean ${ms(small.meanMs)} (p95 ${ms(small.p95Ms)}, ${small.frames} frames); 1,000-turn session mean ${ms(large.meanMs)} (p95 ${ms(large.p95Ms)}); ratio ${ratio.toFixed(2)} (target ≤ 1.5: ${verdict(ratio <= 1.5)})`,
  );
  console.log(
    `resident memory with the 1,000-turn session loaded: ${large.rssMb.toFixed(0)} MB, tsx included (target ≤ 200 MB: ${verdict(large.rssMb <= 200)})`,
  );
  await runStartupBench(root);
}

/** Time to the first frame: bare `storyos` against `storyos --version`, and the same start on Node's compile cache. */
export async function runStartupBench(root: string): Promise<void> {
  if (!hasCommand('script')) {
    console.log('time to the first frame: skipped (no `script` command for a pseudo-terminal)');
    return;
  }
  const dir = path.join(root, 'tui-start');
  fs.mkdirSync(dir, { recursive: true });
  spawnSync(process.execPath, [BIN, 'users', 'add', 'bench', '--password-stdin'], { cwd: dir, input: 'password123\n' });
  const version = JSON.parse(fs.readFileSync('package.json', 'utf8')).version as string;
  const bareInk = bundleBareInk();
  // One start first stays up until the code cache is kept (the build keeps one already).
  await timeToText(dir, BIN, 'Log in', 2500);
  if (!fs.existsSync(CODE_CACHE)) throw new Error(`the warm-up start kept no code cache in ${CODE_CACHE}`);
  const starts = {
    login: () => timeToText(dir, BIN, 'Log in'),
    version: () => timeToText(dir, `${BIN} --version`, version),
    bareInk: () => timeToText(dir, bareInk, 'Log in'),
    cold: () => coldStart(dir),
  };
  if (!hasCompileCache) {
    const times = await startupTimes(starts);
    reportStartup(times);
    console.log(`  Node's own compile cache: not in Node ${process.version} (module.enableCompileCache came in Node 22)`);
    return;
  }
  // The same game on Node's compile cache, from the split bundle and from the one script, each
  // with its cache kept by a first start (as the build keeps V8's) and without one.
  const launcher = bundleCompileCacheStart();
  const bundleDir = path.resolve('dist/bundle');
  const compiled = (mode: 'split' | 'script', cacheDir: string) => `${launcher} ${mode} ${cacheDir} ${bundleDir}`;
  const kept = { split: path.join(root, 'compile-cache-split'), script: path.join(root, 'compile-cache-script') };
  const coldCache = path.join(root, 'compile-cache-cold');
  const coldCompiled = (mode: 'split' | 'script') => () => {
    fs.rmSync(coldCache, { recursive: true, force: true });
    return timeToText(dir, compiled(mode, coldCache), 'Log in');
  };
  for (const mode of ['split', 'script'] as const) {
    await timeToText(dir, compiled(mode, kept[mode]), 'Log in', 2500);
    if (!fs.existsSync(kept[mode]) || fs.readdirSync(kept[mode]).length === 0) throw new Error(`the warm-up start kept no compile cache in ${kept[mode]}`);
  }
  const times = await startupTimes({
    ...starts,
    split: () => timeToText(dir, compiled('split', kept.split), 'Log in'),
    script: () => timeToText(dir, compiled('script', kept.script), 'Log in'),
    splitCold: coldCompiled('split'),
    scriptCold: coldCompiled('script'),
  });
  reportStartup(times);
  const x = (value: number) => `${ms(value)} (${(value / times.version).toFixed(2)}x)`;
  console.log(`  the same start on Node's own compile cache (module.enableCompileCache), side by side with the above (V8's code cache: ${x(times.login)}):`);
  console.log(`    the split bundle (dist/bundle/main.js, no game script): ${x(times.split)}; without its cache ${x(times.splitCold)}`);
  console.log(`    the one game script (storyos-game.cjs, as today, through require): ${x(times.script)}; without its cache ${x(times.scriptCold)}`);
}

function reportStartup({ login, cold, version, bareInk }: { login: number; cold: number; version: number; bareInk: number }): void {
  const startRatio = login / version;
  console.log(
    `time to the login screen's first frame ${ms(login)} vs storyos --version ${ms(version)} (medians of 15, both in a pseudo-terminal): ${startRatio.toFixed(2)}x (target ≤ 2x: ${verdict(startRatio <= 2)})`,
  );
  console.log(
    `  a start without V8's code cache (the first after a Node.js upgrade, or where the build could not keep it): ${ms(cold)} (${(cold / version).toFixed(2)}x)`,
  );
  console.log(
    `  for reference, a bare Ink app (one bordered line, bundled the same way) draws its first frame in ${ms(bareInk)}: ${(bareInk / version).toFixed(2)}x --version`,
  );
}

/** bench/bare-ink.tsx, bundled by the build's own script; returns the file to run. */
function bundleBareInk(): string {
  const out = path.resolve('bench/.work/bare-ink');
  const result = spawnSync(process.execPath, ['scripts/bundle.mjs', 'bench/bare-ink.tsx', out], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`bundling bench/bare-ink.tsx failed: ${result.stderr}`);
  return path.join(out, 'bare-ink.js');
}
