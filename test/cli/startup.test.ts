import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HOOKS = fileURLToPath(new URL('../support/record-imports.mjs', import.meta.url));

interface BundleOutput {
  entryPoint?: string;
  inputs: Record<string, unknown>;
  imports: Array<{ path: string; kind: string; external?: boolean }>;
}

/** esbuild's metafile: each output file of the bundle, the sources in it, and what it imports. */
const outputs = (): Record<string, BundleOutput> =>
  (JSON.parse(fs.readFileSync(path.join(ROOT, 'dist/bundle/meta.json'), 'utf8')) as { outputs: Record<string, BundleOutput> }).outputs;

/**
 * Every source file and package that `storyos <args>` loads: the bundle files it imports,
 * expanded through the metafile, plus any package loaded from node_modules directly.
 */
function run(args: string[]) {
  const dir = tempDir();
  const record = path.join(dir, 'imports.txt');
  const result = spawnSync(process.execPath, ['--import', HOOKS, BIN, ...args], {
    cwd: dir,
    env: cleanEnv({ STORYOS_LOG_DIR: dir, STORYOS_DATA_DIR: dir, STORYOS_IMPORT_LOG: record }),
    encoding: 'utf8',
    input: '',
  });
  const inputs = new Map(Object.entries(outputs()).map(([file, output]) => [path.join(ROOT, file), Object.keys(output.inputs)]));
  const urls = fs
    .readFileSync(record, 'utf8')
    .split('\n')
    .filter((url) => url.startsWith('file:'));
  const loaded = [...new Set(urls.flatMap((url) => inputs.get(fileURLToPath(url)) ?? [fileURLToPath(url)]))];
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, loaded };
}

/** What importing `source` (a lazily loaded part) loads before any of its code runs: its file and their static imports. */
function loadedWith(source: string): string[] {
  const all = outputs();
  const start = Object.keys(all).find((file) => all[file]?.entryPoint === source);
  expect(start, source).toBeDefined();
  const seen = new Set<string>();
  const found: string[] = [];
  const queue = [start as string];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    found.push(...Object.keys(all[file]?.inputs ?? {}));
    for (const imported of all[file]?.imports ?? []) {
      if (imported.kind !== 'import-statement') continue;
      if (imported.external) found.push(`node_modules/${imported.path}/`);
      else queue.push(imported.path);
    }
  }
  return found;
}

const fromPackage = (loaded: string[], name: string) => loaded.some((file) => file.includes(`node_modules/${name}/`));

describe('start-up loads only what the command needs', () => {
  it('`logs grep` loads the log reader and no UI, database driver, narrator SDK or logger', () => {
    const { code, stderr, loaded } = run(['logs', 'grep', '--level', 'PERF']);
    // An empty log folder: no match, and a line saying nothing has been logged there.
    expect(code).toBe(1);
    expect(stderr).toMatch(/^storyos: no storyos\.log in \S+ yet: nothing has been logged there\.\n$/);
    expect(loaded).toContain('src/cli/main.ts');
    expect(loaded).toContain('src/logging/reader/search.ts');
    expect(fromPackage(loaded, 'commander')).toBe(true);
    for (const heavy of ['ink', 'react', 'mongodb', 'better-sqlite3', 'openai', 'log4js', 'marked']) expect(fromPackage(loaded, heavy), heavy).toBe(false);
  });

  it('`logs top` loads the log reader and no UI, database driver, narrator SDK or logger', () => {
    const { code, loaded } = run(['logs', 'top', '--iterations', '1']);
    expect(code).toBe(0);
    expect(loaded).toContain('src/logging/reader/top.ts');
    for (const heavy of ['ink', 'react', 'mongodb', 'better-sqlite3', 'openai', 'log4js', 'marked']) expect(fromPackage(loaded, heavy), heavy).toBe(false);
  });

  it('`logs replay` loads the log reader and its story, and no UI, database driver, narrator SDK or logger', () => {
    const { code, stderr, loaded } = run(['logs', 'replay', '--session', 'abc123']);
    expect([code, stderr]).toEqual([1, expect.stringMatching(/^storyos: no line of session "abc123" in storyos\.log of \S+\.\n$/)]);
    expect(loaded).toContain('src/logging/reader/replay.ts');
    for (const heavy of ['ink', 'react', 'mongodb', 'better-sqlite3', 'openai', 'log4js', 'marked']) expect(fromPackage(loaded, heavy), heavy).toBe(false);
  });

  it('`--version` loads neither configuration nor logging', () => {
    const { code, stdout, loaded } = run(['--version']);
    expect([code, stdout]).toEqual([0, `${JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version}\n`]);
    for (const unneeded of ['valibot', 'dotenv', 'log4js', 'picocolors']) expect(fromPackage(loaded, unneeded), unneeded).toBe(false);
    expect(loaded.filter((file) => file.startsWith('src/logging/'))).toEqual([]);
  });

  it('bare `storyos` runs the game from its code-cached script through a CommonJS launcher: no ES module of the split bundle (here without a terminal, so it stops before the UI)', () => {
    const { code, stderr, loaded } = run([]);
    expect([code, stderr]).toEqual([2, 'storyos: The game needs a terminal; for pipes and scripts use `storyos play --headless`.\n']);
    // The ES module loader sees only bin/storyos.js; dist/bundle/start-game.cjs and the script are required.
    expect(loaded).toEqual([BIN]);
  });

  it('the login screen waits for no narrator SDK, Markdown renderer, argon2 or log4js file streams', () => {
    for (const beforeFirstFrame of [loadedWith('src/cli/play/tui.ts'), loadedWith('src/tui/run.tsx')]) {
      for (const later of ['openai', 'marked-terminal', 'highlight.js', 'argon2']) expect(fromPackage(beforeFirstFrame, later), later).toBe(false);
    }
    expect(fromPackage(loadedWith('src/tui/run.tsx'), 'ink')).toBe(true);
    // log4js without its own file appenders' streams: StoryOS writes its files itself.
    const logging = loadedWith('src/logging/setup.ts');
    expect(fromPackage(logging, 'log4js')).toBe(true);
    for (const leftOut of ['streamroller', 'fs-extra', 'graceful-fs']) expect(fromPackage(logging, leftOut), leftOut).toBe(false);
    expect(fromPackage(loadedWith('src/tui/screens/GameScreen.tsx'), 'marked-terminal')).toBe(true);
    expect(fromPackage(loadedWith('src/llm/openai-client.ts'), 'openai')).toBe(true);
  });
});
