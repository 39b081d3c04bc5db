import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp.js';

const COMPILED = pathToFileURL(fileURLToPath(new URL('../../dist/launch/code-cache.js', import.meta.url))).href;

interface Run {
  fromCache: boolean;
  exports: { answer: number; dep: string; file: string; sep: string };
  /** Where that process keeps the cache. */
  cacheFile: string;
}

/**
 * Runs `file` through the code cache in a process of its own (within one process V8 reuses what
 * it compiled and never reads the cache), saving the cache after when `save` is set.
 */
function runWithCodeCache(file: string, save = false): Run {
  const script = `import { cacheFileFor, runWithCodeCache } from ${JSON.stringify(COMPILED)};
const run = runWithCodeCache(${JSON.stringify(file)});
const sep = await run.exports.sep();
if (${save}) run.saveCache();
console.log(JSON.stringify({ fromCache: run.fromCache, exports: { ...run.exports, sep }, cacheFile: cacheFileFor(${JSON.stringify(file)}) }));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as Run;
}

/** A small CommonJS "bundle" with requires and enough functions to cache. */
function writeScript(dir: string, answer = 42): string {
  const file = path.join(dir, 'game.cjs');
  fs.writeFileSync(path.join(dir, 'dep.cjs'), 'exports.name = "dep";\n');
  const functions = Array.from({ length: 200 }, (_, i) => `function f${i}(x) { return x + ${i}; }`).join('\n');
  fs.writeFileSync(
    file,
    `${functions}\nexports.answer = f0(${answer});\nexports.dep = require('./dep.cjs').name;\nexports.sep = () => Promise.resolve(require('node:path').sep);\nexports.file = __filename;\n`,
  );
  return file;
}

describe('running a script through V8 code cache', () => {
  it('compiles the first time, keeps the cache when told, and takes its code from the cache the next time', () => {
    const file = writeScript(tempDir());
    const first = runWithCodeCache(file);
    expect(first).toMatchObject({ fromCache: false, exports: { answer: 42, dep: 'dep', file, sep: path.sep } });
    expect(fs.existsSync(first.cacheFile)).toBe(false);
    runWithCodeCache(file, true);
    expect(fs.statSync(first.cacheFile).size).toBeGreaterThan(0);
    expect(runWithCodeCache(file)).toMatchObject({ fromCache: true, exports: { answer: 42, dep: 'dep', file, sep: path.sep } });
  });

  it('refuses a cut-short cache, runs all the same, and replaces it', () => {
    const file = writeScript(tempDir());
    const { cacheFile } = runWithCodeCache(file, true);
    const cache = fs.readFileSync(cacheFile);
    fs.writeFileSync(cacheFile, cache.subarray(0, Math.floor(cache.length / 2)));
    const damaged = runWithCodeCache(file, true);
    expect([damaged.fromCache, damaged.exports.answer]).toEqual([false, 42]);
    expect(runWithCodeCache(file).fromCache).toBe(true);
  });

  it('never gives a rebuilt script the old cache, and drops the old one when it keeps the new', () => {
    const dir = tempDir();
    const file = writeScript(dir, 1);
    const old = runWithCodeCache(file, true).cacheFile;
    // Of the same length: V8 itself would take the old cache and run the old code.
    writeScript(dir, 2);
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const rebuilt = runWithCodeCache(file, true);
    expect([rebuilt.fromCache, rebuilt.exports.answer]).toEqual([false, 2]);
    expect(rebuilt.cacheFile).not.toBe(old);
    expect(fs.readdirSync(path.dirname(old))).toEqual([path.basename(rebuilt.cacheFile)]);
    expect(fs.existsSync(old)).toBe(false);
    expect(runWithCodeCache(file).fromCache).toBe(true);
  });

  it('reads a script that is not ASCII as UTF-8', () => {
    const dir = tempDir();
    const file = path.join(dir, 'utf8.cjs');
    fs.writeFileSync(file, "exports.answer = 'Café… 謎'.length; exports.dep = 'é'; exports.file = __filename; exports.sep = async () => '/';\n");
    expect(runWithCodeCache(file).exports).toEqual({ answer: 7, dep: 'é', file, sep: '/' });
  });

  it('drops a partial write another process abandoned', () => {
    const file = writeScript(tempDir());
    const { cacheFile } = runWithCodeCache(file);
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    const abandoned = `${cacheFile}.99999.tmp`;
    const recent = `${cacheFile}.99998.tmp`;
    fs.writeFileSync(abandoned, 'half');
    fs.writeFileSync(recent, 'being written');
    fs.utimesSync(abandoned, new Date(), new Date(Date.now() - 120_000));
    runWithCodeCache(file, true);
    expect(fs.readdirSync(path.dirname(cacheFile)).sort()).toEqual([path.basename(cacheFile), path.basename(recent)].sort());
  });

  it('rewrites nothing when the cache was used', () => {
    const file = writeScript(tempDir());
    const { cacheFile } = runWithCodeCache(file, true);
    const written = fs.statSync(cacheFile).mtimeMs;
    runWithCodeCache(file, true);
    expect(fs.statSync(cacheFile).mtimeMs).toBe(written);
  });
});
