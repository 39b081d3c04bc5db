import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../support/temp.js';

/**
 * stats' native scanner built with AddressSanitizer and fed hostile log text (test/support/
 * scan-fuzz.cjs): any read or write outside a chunk or a result array is reported and fails this.
 * It needs gcc and its libasan, which the native builds need anyway (python3, make, a compiler).
 */
describe("stats' native scanner under AddressSanitizer", () => {
  it('reads nothing outside its chunk, whatever the text and wherever it is cut', () => {
    const out = path.join(tempDir(), 'storyos_scan.node');
    const include = path.join(path.dirname(process.execPath), '..', 'include', 'node');
    const source = path.resolve('src/logging/reader/native/scan.c');
    execFileSync('gcc', [
      '-shared',
      '-fPIC',
      '-O1',
      '-g',
      '-fsanitize=address',
      '-fno-omit-frame-pointer',
      '-DNAPI_VERSION=8',
      `-I${include}`,
      source,
      '-o',
      out,
    ]);
    const asan = execFileSync('gcc', ['-print-file-name=libasan.so'], { encoding: 'utf8' }).trim();
    const run = spawnSync(process.execPath, [path.resolve('test/support/scan-fuzz.cjs'), out, '150000'], {
      encoding: 'utf8',
      env: { ...process.env, LD_PRELOAD: asan, ASAN_OPTIONS: 'detect_leaks=0' },
    });
    expect(run.stderr).not.toContain('AddressSanitizer');
    expect(run.status).toBe(0);
    const records = Number(/records (\d+)/.exec(run.stdout)?.[1]);
    expect(records).toBeGreaterThan(10_000);
  }, 60_000);
});
