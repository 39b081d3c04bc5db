import { isAscii } from 'node:buffer';
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

/** A CommonJS script run through V8's code cache, and how to keep that cache for the next run. */
export interface CachedScript {
  exports: Record<string, unknown>;
  /** Whether V8 took compiled code from the cache instead of compiling the script. */
  fromCache: boolean;
  /** Saves the code compiled so far (once, and only when the cache was missing or refused). */
  saveCache(): void;
}

/** The build of `file` a cache belongs to: its size and time. */
function buildOf(file: string): string {
  const { size, mtimeMs } = fs.statSync(file);
  return `${size}-${Math.round(mtimeMs)}`;
}

/**
 * Where the cache of `file` lives: beside it, named after the script's build and the Node.js
 * version. A rebuilt script or another Node.js never meets an old cache: V8 refuses a cache from
 * another V8 or made with other V8 flags itself (it is then written again), but of the source it
 * checks only the length.
 */
export function cacheFileFor(file: string): string {
  return path.join(path.dirname(file), '.code-cache', `${path.basename(file)}-${buildOf(file)}-${process.version}-${process.arch}.bin`);
}

function readCache(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** A write another process left unfinished (killed) is this old or older. */
const ABANDONED_MS = 60_000;

/**
 * Writes the cache beside any other process doing the same (rename is atomic), then drops the
 * caches of older builds and abandoned partial writes.
 */
function writeCache(file: string, build: string, data: Buffer): void {
  const dir = path.dirname(file);
  const partial = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(partial, data);
    fs.renameSync(partial, file);
    for (const name of fs.readdirSync(dir)) {
      const other = path.join(dir, name);
      const stale = name.endsWith('.tmp') ? Date.now() - fs.statSync(other).mtimeMs > ABANDONED_MS : !name.includes(`-${build}-`);
      if (stale) fs.rmSync(other, { force: true });
    }
  } catch {
    // A read-only installation runs without the cache: slower to start, nothing else.
    fs.rmSync(partial, { force: true });
  }
}

/** The script's text; an ASCII file (as esbuild writes) is read as Latin-1, without decoding UTF-8. */
function readSource(file: string): string {
  const bytes = fs.readFileSync(file);
  return bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
}

/**
 * Runs `file` (a CommonJS bundle) as Node.js would, but compiled with V8's code cache when one
 * was kept: parsing and compiling a large bundle is most of the time of a cold start, and
 * Node.js 20 has no compile cache of its own (module.enableCompileCache came in Node.js 22).
 * The script may require() but not import(): Node 20 lets a vm script import only behind a flag,
 * or with a warning printed (vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER).
 */
export function runWithCodeCache(file: string): CachedScript {
  const cacheFile = cacheFileFor(file);
  const cachedData = readCache(cacheFile);
  const script = new vm.Script(Module.wrap(readSource(file)), {
    filename: file,
    cachedData,
  });
  const module = { exports: {} as Record<string, unknown> };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  const fromCache = cachedData !== undefined && !script.cachedDataRejected;
  let saved = fromCache;
  return {
    exports: module.exports,
    fromCache,
    saveCache() {
      if (saved) return;
      saved = true;
      writeCache(cacheFile, buildOf(file), script.createCachedData());
    },
  };
}
