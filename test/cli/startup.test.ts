import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HOOKS = fileURLToPath(new URL('../support/record-imports.mjs', import.meta.url));

/** The bundle's map from each output file to the sources and packages built into it. */
function bundleInputs(): Map<string, string[]> {
  const meta = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist/bundle/meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  return new Map(Object.entries(meta.outputs).map(([file, output]) => [path.join(ROOT, file), Object.keys(output.inputs)]));
}

/**
 * Every source file and package that `storyos <args>` loads: the bundle files it imports,
 * expanded through the bundle's metafile, plus any package loaded from node_modules directly.
 */
function loadedBy(args: string[]): string[] {
  const dir = tempDir();
  const record = path.join(dir, 'imports.txt');
  const result = spawnSync(process.execPath, ['--import', HOOKS, BIN, ...args], { cwd: dir, env: cleanEnv({ STORYOS_LOG_DIR: dir, STORYOS_DATA_DIR: dir, STORYOS_IMPORT_LOG: record }), encoding: 'utf8', input: '' });
  expect(result.stderr).not.toMatch(/\n\s+at /);
  const inputs = bundleInputs();
  const urls = fs.readFileSync(record, 'utf8').split('\n').filter((url) => url.startsWith('file:'));
  return [...new Set(urls.flatMap((url) => inputs.get(fileURLToPath(url)) ?? [fileURLToPath(url)]))];
}

const fromPackage = (loaded: string[], name: string) => loaded.some((file) => file.includes(`node_modules/${name}/`));

describe('start-up loads only what the command needs', () => {
  it('reads the bundle map correctly (the checks below would pass vacuously otherwise)', () => {
    const loaded = loadedBy(['logs', 'grep', '--level', 'PERF']);
    expect(loaded).toContain('src/cli/main.ts');
    expect(loaded).toContain('src/logging/reader/search.ts');
    expect(fromPackage(loaded, 'commander')).toBe(true);
  });

  it('`logs grep` loads no UI, database driver, narrator SDK or logger', () => {
    const loaded = loadedBy(['logs', 'grep', '--level', 'PERF']);
    for (const heavy of ['ink', 'react', 'mongodb', 'better-sqlite3', 'openai', 'log4js', 'marked']) expect(fromPackage(loaded, heavy), heavy).toBe(false);
  });

  it('`--version` loads neither configuration nor logging', () => {
    const loaded = loadedBy(['--version']);
    for (const unneeded of ['valibot', 'dotenv', 'log4js', 'picocolors']) expect(fromPackage(loaded, unneeded), unneeded).toBe(false);
    expect(loaded.filter((file) => file.startsWith('src/logging/'))).toEqual([]);
  });

  it('bare `storyos` loads the play command alone, and no UI when there is no terminal', () => {
    const loaded = loadedBy([]);
    expect(loaded).toContain('src/cli/play/index.ts');
    expect(loaded.filter((file) => /^src\/cli\/(users|scenarios|prompt|sessions|db|doctor|logs)\//.test(file))).toEqual([]);
    for (const heavy of ['ink', 'react', 'openai', 'marked-terminal']) expect(fromPackage(loaded, heavy), heavy).toBe(false);
  });
});
