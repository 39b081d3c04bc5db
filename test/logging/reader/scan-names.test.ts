import { describe, expect, it } from 'vitest';
import { buildFilter } from '../../../src/logging/reader/filter.js';
import { StatsCollector } from '../../../src/logging/reader/stats.js';
import { collectChunk } from '../../../src/logging/reader/stats-bytes.js';
import { H, type NativeScan, nativeScan } from '../../../src/logging/reader/stats-native.js';

/**
 * In a file of its own (a thread of its own): the native scanner numbers names per thread and
 * never forgets them, so once this test has filled its 65,536 every later test in the thread
 * would have every new name read in JavaScript, and the scanner's own adding-up untried.
 */
describe("stats' native scanner past its 65,536 names", () => {
  it('gives the same figures, the names it cannot number given to JavaScript with their entries', () => {
    const lines = Array.from(
      { length: 70_000 },
      (_, i) => `[2024-01-15 1${i % 3}:00:00,000] [INFO] [game_logic] User action: take_turn (user_id: u${i % 9000}, session: s${i})`,
    );
    const buf = Buffer.from(`${lines.join('\n')}\n`);
    const scanner = nativeScan() as NativeScan;
    const native = new StatsCollector();
    collectChunk(buf, buildFilter({}), native, scanner);
    // The last lines name sessions past the limit: they come whole, as records.
    expect(scanner.ints[H.records]).toBeGreaterThan(0);
    const javascript = new StatsCollector();
    collectChunk(buf, buildFilter({}), javascript, undefined);
    expect(native.result({ by: 'hour' })).toEqual(javascript.result({ by: 'hour' }));
    expect(native.result({ by: 'hour' }).activity.sessions).toBe(70_000);
  });
});
