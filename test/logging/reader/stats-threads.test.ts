import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateLogs } from '../../../bench/generate-logs.js';
import { listLogSet, MAIN_LOG } from '../../../src/logging/log-files.js';
import { tempDir } from '../../support/temp.js';

// The built reader (npm test builds first): only there is the worker threads' script, beside it.
type Parallel = typeof import('../../../src/logging/reader/parallel.js');
const built = (await import(path.resolve('dist/logging/reader/parallel.js'))) as Parallel;

describe('logs stats in worker threads', () => {
  it('gives in two threads, each sending its figures once, what one thread gives', async () => {
    const dir = path.join(tempDir(), 'logs');
    // Past the size below which the reader does not start threads (48 MiB).
    generateLogs(dir, 56 * 1024 * 1024, 6 * 1024 * 1024, Date.UTC(2026, 0, 15));
    const files = listLogSet(dir, MAIN_LOG);
    expect(files.length).toBeGreaterThan(4);
    const one = (await built.collectStatsInParallel(files, {}, 1)).result({ by: 'hour' });
    const two = (await built.collectStatsInParallel(files, {}, 2)).result({ by: 'hour' });
    expect(two).toEqual(one);
    expect(one.entries).toBeGreaterThan(400_000);
    expect(one.llm[0]?.calls).toBeGreaterThan(50_000);
    const filtered = (await built.collectStatsInParallel(files, { levels: ['ERROR'] }, 2)).result();
    expect(filtered).toEqual((await built.collectStatsInParallel(files, { levels: ['ERROR'] }, 1)).result());
    expect(filtered.entries).toBeGreaterThan(1000);
  }, 60_000);
});
