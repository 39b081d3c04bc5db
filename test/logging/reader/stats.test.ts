import { describe, it, expect } from 'vitest';
import { parseEntry, type LogEntry } from '../../../src/logging/reader/entry.js';
import { StatsCollector, percentile, renderHistogram, renderStats, type HistogramBucket, type LogStats } from '../../../src/logging/reader/stats.js';

const line = (time: string, level: string, module: string, body: string) => parseEntry(`[2024-01-15 ${time}] [${level}] [${module}] ${body}`);
const perf = (time: string, module: string, message: string, seconds: string) =>
  line(time, 'PERF', module, `${message} (user_id: alice, duration: ${seconds}s)`);

/** Deliberately out of time order: first/last must be the earliest and latest, not the first and last added. */
const ENTRIES: LogEntry[] = [
  line('10:00:05,000', 'INFO', 'auth', 'User alice logged in successfully (user_id: alice, duration: 0.15s)'),
  perf('10:00:10,000', 'llm', 'process_player_input completed', '0.30'),
  perf('10:00:11,000', 'llm', 'process_player_input completed', '12.00'),
  perf('09:59:59,999', 'llm', 'process_player_input completed', '0.00'),
  perf('10:00:12,000', 'llm', 'process_player_input completed', '0.15'),
  perf('10:00:13,000', 'llm', 'process_player_input completed', '1.50'),
  perf('10:00:14,000', 'llm', 'process_player_input completed', '0.20'),
  perf('10:00:20,000', 'game', 'render_scene completed', '0.06'),
  perf('10:00:21,000', 'game', 'render_scene completed', '0.04'),
  perf('10:00:30,000', 'storage', 'autosave completed', '0.25'),
  perf('10:00:31,000', 'game', 'autosave', '0.10'),
  line('10:00:40,000', 'PERF', 'llm', 'warmup completed (model: small)'),
  line('10:00:41,000', 'PERF', 'llm', 'cache check completed (duration: n/a)'),
  line('10:01:00,000', 'WARN', 'llm', 'Slow response (user_id: bob, duration: 2.00s)'),
  line('10:01:01,000', 'WARN', 'llm', 'Retrying (attempt: 2)'),
  line('10:01:02,000', 'WARN', 'auth', 'Weak password (user_id: bob)'),
  parseEntry('[2024-01-15 10:02:00,000] [ERROR] [storage] Save failed (error: Error: disk full)\n    at save (storage.js:1:1)'),
  line('10:02:01,000', 'FATAL', 'storage', 'Cannot open save directory'),
  line('10:02:02,000', 'ERROR', 'auth', 'Token rejected'),
  line('10:30:00,000', 'DEBUG', 'game', 'Rendering scene (session_id: s-42)'),
  line('10:03:00,000', 'INFO', 'game', 'Scene loaded'),
  parseEntry('node: warning: something odd (duration: 5.00s)'),
];

function collect(entries: LogEntry[]): LogStats {
  const collector = new StatsCollector();
  for (const entry of entries) collector.add(entry);
  return collector.result();
}

describe('percentile (nearest rank)', () => {
  const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

  it('is NaN for no values', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(percentile([], 99)).toBeNaN();
  });

  it('is the only value of a one-element list', () => {
    for (const p of [0, 1, 50, 99, 100]) expect(percentile([7], p)).toBe(7);
  });

  it.each([
    [0, 1],
    [10, 1],
    [11, 2],
    [50, 5],
    [51, 6],
    [90, 9],
    [95, 10],
    [99, 10],
    [100, 10],
  ])('p%d of 1..10 is %d', (p, value) => {
    expect(percentile(ten, p)).toBe(value);
  });

  it('matches the textbook example [15, 20, 35, 40, 50]', () => {
    const values = [15, 20, 35, 40, 50];
    expect(percentile(values, 5)).toBe(15);
    expect(percentile(values, 30)).toBe(20);
    expect(percentile(values, 40)).toBe(20);
    expect(percentile(values, 50)).toBe(35);
    expect(percentile(values, 100)).toBe(50);
  });

  it('picks the rank-th of 100 values', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => (i + 1) / 100);
    expect(percentile(hundred, 50)).toBe(0.5);
    expect(percentile(hundred, 95)).toBe(0.95);
    expect(percentile(hundred, 99)).toBe(0.99);
  });

  it('returns a member of the list, never an interpolation', () => {
    expect(percentile([1, 3], 50)).toBe(1);
    expect(percentile([1, 3], 51)).toBe(3);
  });
});

describe('StatsCollector', () => {
  const stats = collect(ENTRIES);

  it('counts every entry, parsed or not', () => {
    expect(stats.entries).toBe(ENTRIES.length);
    expect(stats.entries).toBe(22);
  });

  it('reports the earliest and latest times, ignoring unparsed entries', () => {
    expect(stats.first).toBe('2024-01-15 09:59:59,999');
    expect(stats.last).toBe('2024-01-15 10:30:00,000');
  });

  it('groups PERF durations by operation, " completed" removed, most samples first then by name', () => {
    expect(stats.operations.map((o) => [o.operation, o.count])).toEqual([
      ['process_player_input', 6],
      ['autosave', 2],
      ['render_scene', 2],
    ]);
  });

  it('computes exact percentiles and maximum per operation', () => {
    expect(stats.operations).toEqual([
      { operation: 'process_player_input', count: 6, p50: 0.2, p95: 12, p99: 12, max: 12 },
      { operation: 'autosave', count: 2, p50: 0.1, p95: 0.25, p99: 0.25, max: 0.25 },
      { operation: 'render_scene', count: 2, p50: 0.04, p95: 0.06, p99: 0.06, max: 0.06 },
    ]);
  });

  it('does not count a PERF entry without a numeric duration as a sample', () => {
    expect(stats.operations.map((o) => o.operation)).not.toContain('warmup');
    expect(stats.operations.map((o) => o.operation)).not.toContain('cache check');
    expect(stats.histogram.reduce((sum, b) => sum + b.count, 0)).toBe(10);
  });

  it('takes durations from PERF entries only', () => {
    // The INFO login, the WARN slow response and the unparsed line all carry a duration.
    const total = stats.operations.reduce((sum, o) => sum + o.count, 0);
    expect(total).toBe(10);
    expect(stats.operations.map((o) => o.operation)).not.toContain('Slow response');
  });

  it('counts entries, warnings and errors (ERROR and FATAL) per module, with errors as a fraction of its entries, sorted by name', () => {
    expect(stats.modules).toEqual([
      { module: '(unparsed)', entries: 1, warnings: 0, errors: 0, errorRate: 0 },
      { module: 'auth', entries: 3, warnings: 1, errors: 1, errorRate: 1 / 3 },
      { module: 'game', entries: 5, warnings: 0, errors: 0, errorRate: 0 },
      { module: 'llm', entries: 10, warnings: 2, errors: 0, errorRate: 0 },
      { module: 'storage', entries: 3, warnings: 0, errors: 2, errorRate: 2 / 3 },
    ]);
  });

  it('puts each duration in the first bucket whose bound is above it', () => {
    expect(stats.histogram).toEqual([
      { label: '<10ms', count: 1 },
      { label: '<50ms', count: 1 },
      { label: '<100ms', count: 1 },
      { label: '<250ms', count: 3 },
      { label: '<500ms', count: 2 },
      { label: '<1s', count: 0 },
      { label: '<2s', count: 1 },
      { label: '<5s', count: 0 },
      { label: '<10s', count: 0 },
      { label: '≥10s', count: 1 },
    ]);
  });

  it('puts a duration equal to a bound in the next bucket', () => {
    const s = collect([perf('10:00:00,000', 'llm', 'x', '0.01'), perf('10:00:00,000', 'llm', 'x', '1.00'), perf('10:00:00,000', 'llm', 'x', '10.00')]);
    const counts = Object.fromEntries(s.histogram.map((b) => [b.label, b.count]));
    expect(counts['<10ms']).toBe(0);
    expect(counts['<50ms']).toBe(1);
    expect(counts['<1s']).toBe(0);
    expect(counts['<2s']).toBe(1);
    expect(counts['<10s']).toBe(0);
    expect(counts['≥10s']).toBe(1);
  });

  it('gives the same result when asked twice', () => {
    const collector = new StatsCollector();
    for (const entry of ENTRIES) collector.add(entry);
    expect(collector.result()).toEqual(collector.result());
  });

  it('is empty with nothing added', () => {
    const empty = collect([]);
    expect(empty.entries).toBe(0);
    expect(empty.first).toBeNull();
    expect(empty.last).toBeNull();
    expect(empty.operations).toEqual([]);
    expect(empty.modules).toEqual([]);
    expect(empty.histogram).toHaveLength(10);
    expect(empty.histogram.every((b) => b.count === 0)).toBe(true);
  });

  it('leaves first and last null when only unparsed entries were added', () => {
    const s = collect([parseEntry('garbage'), parseEntry('more garbage')]);
    expect(s.entries).toBe(2);
    expect(s.first).toBeNull();
    expect(s.last).toBeNull();
    expect(s.modules).toEqual([{ module: '(unparsed)', entries: 2, warnings: 0, errors: 0, errorRate: 0 }]);
  });

  // Regression: parseFloat('1e999s') is Infinity, which is below no bucket bound (`v < Infinity`),
  // so histogram() used to throw "Cannot read properties of undefined (reading 'count')".
  it('puts a duration that parses as Infinity in the last bucket instead of crashing', () => {
    const collector = new StatsCollector();
    collector.add(perf('10:00:00,000', 'llm', 'x completed', '1e999'));
    const s = collector.result();
    expect(s.histogram.map((b) => b.count)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(s.operations).toEqual([{ operation: 'x', count: 1, p50: Infinity, p95: Infinity, p99: Infinity, max: Infinity }]);
  });
});

function bars(rendered: string): { label: string; bar: string; count: number }[] {
  return rendered.split('\n').map((row) => {
    const [label, rest] = row.split(' │') as [string, string];
    const space = rest.lastIndexOf(' ');
    return { label, bar: rest.slice(0, space), count: Number(rest.slice(space + 1)) };
  });
}

describe('renderHistogram', () => {
  const buckets: HistogramBucket[] = [
    { label: '<10ms', count: 1 },
    { label: '<50ms', count: 4 },
    { label: '<1s', count: 2 },
    { label: '≥10s', count: 0 },
  ];

  it('has one line per bucket, with its label and count', () => {
    const rows = bars(renderHistogram(buckets));
    expect(rows).toHaveLength(4);
    expect(rows.map((r) => r.label.trim())).toEqual(['<10ms', '<50ms', '<1s', '≥10s']);
    expect(rows.map((r) => r.count)).toEqual([1, 4, 2, 0]);
  });

  it('gives the largest bucket the longest bar, full width', () => {
    const rows = bars(renderHistogram(buckets));
    const longest = Math.max(...rows.map((r) => r.bar.length));
    expect(rows[1]!.bar.length).toBe(longest);
    expect(rows.filter((r) => r.bar.length === longest)).toHaveLength(1);
    expect(rows[1]!.bar).toBe('█'.repeat(40));
  });

  it('scales the other bars to the largest', () => {
    const rows = bars(renderHistogram(buckets));
    expect(rows[0]!.bar).toBe('█'.repeat(10));
    expect(rows[2]!.bar).toBe('█'.repeat(20));
    expect(rows[3]!.bar).toBe('');
    expect(rows[1]!.bar.length).toBeGreaterThan(rows[2]!.bar.length);
    expect(rows[2]!.bar.length).toBeGreaterThan(rows[0]!.bar.length);
  });

  it('honours the width', () => {
    const rows = bars(renderHistogram(buckets, 8));
    expect(rows[1]!.bar).toBe('█'.repeat(8));
    expect(rows[2]!.bar).toBe('█'.repeat(4));
  });

  it('ends a bar that is not a whole number of cells with one partial block', () => {
    const rows = bars(
      renderHistogram([
        { label: 'a', count: 1 },
        { label: 'b', count: 3 },
      ]),
    );
    // 1/3 of 40 cells = 13 full cells and a partial one.
    expect(rows[0]!.bar.startsWith('█'.repeat(13))).toBe(true);
    expect(rows[0]!.bar).toHaveLength(14);
    expect(rows[0]!.bar[13]).not.toBe('█');
    expect(rows[0]!.bar[13]).not.toBe(' ');
  });

  it('right-aligns the labels so the bars start in one column', () => {
    const rendered = renderHistogram(buckets);
    const columns = rendered.split('\n').map((row) => row.indexOf('│'));
    expect(new Set(columns).size).toBe(1);
    expect(rendered.split('\n')[2]).toMatch(/^ {2}<1s │/);
  });

  it('draws no bars when every bucket is empty', () => {
    const rows = bars(
      renderHistogram([
        { label: 'a', count: 0 },
        { label: 'b', count: 0 },
      ]),
    );
    expect(rows.map((r) => r.bar)).toEqual(['', '']);
    expect(rows.map((r) => r.count)).toEqual([0, 0]);
  });

  it('draws the real histogram with its biggest bucket longest', () => {
    const stats = collect(ENTRIES);
    const rows = bars(renderHistogram(stats.histogram));
    expect(rows).toHaveLength(10);
    const longest = rows.reduce((a, b) => (b.bar.length > a.bar.length ? b : a));
    expect(longest.label.trim()).toBe('<250ms');
    expect(longest.count).toBe(3);
  });
});

describe('renderStats', () => {
  const stats = collect(ENTRIES);
  const text = renderStats(stats);

  it('starts with the entry count and the time range and ends with a newline', () => {
    expect(text.split('\n')[0]).toBe('22 entries from 2024-01-15 09:59:59,999 to 2024-01-15 10:30:00,000');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.endsWith('\n\n')).toBe(false);
  });

  it('lists each operation with its count and seconds', () => {
    expect(text).toContain('Operations (PERF)');
    expect(text).toMatch(/^process_player_input +6 +0\.20s +12\.00s +12\.00s +12\.00s$/m);
    expect(text).toMatch(/^autosave +2 +0\.10s +0\.25s +0\.25s +0\.25s$/m);
    expect(text).toMatch(/^render_scene +2 +0\.04s +0\.06s +0\.06s +0\.06s$/m);
    expect(text.indexOf('process_player_input')).toBeLessThan(text.indexOf('autosave'));
  });

  it('includes the duration histogram', () => {
    const section = text.split('\n\n').find((part) => part.startsWith('Durations\n'));
    expect(section).toBeDefined();
    expect(section!.split('\n').slice(1)).toHaveLength(10);
    expect(section).toContain('<250ms │');
  });

  it('has a module table with entries, warnings, errors and the errors as a percentage of the entries', () => {
    expect(text).toMatch(/^module +entries +warnings +errors +error %$/m);
    expect(text).toMatch(/^\(unparsed\) +1 +0 +0 +0\.0%$/m);
    expect(text).toMatch(/^auth +3 +1 +1 +33\.3%$/m);
    expect(text).toMatch(/^game +5 +0 +0 +0\.0%$/m);
    expect(text).toMatch(/^llm +10 +2 +0 +0\.0%$/m);
    expect(text).toMatch(/^storage +3 +0 +2 +66\.7%$/m);
    expect(text.indexOf('Modules')).toBeGreaterThan(text.indexOf('Durations'));
  });

  it('aligns the table columns', () => {
    const moduleSection = text.split('\n\n').find((part) => part.startsWith('Modules\n'))!;
    const rows = moduleSection.trimEnd().split('\n').slice(1);
    expect(rows).toHaveLength(7);
    expect(new Set(rows.map((r) => r.length)).size).toBe(1);
    expect(rows[1]).toMatch(/^-+( +-+){4}$/);
  });

  it('says there are no PERF entries and draws no histogram without samples', () => {
    const out = renderStats(collect([line('10:00:00,000', 'WARN', 'llm', 'x'), line('10:00:01,000', 'PERF', 'llm', 'warmup completed')]));
    expect(out).toContain('No PERF entries.');
    expect(out).not.toContain('Operations (PERF)');
    expect(out).not.toContain('Durations');
    expect(out).toMatch(/^llm +2 +1 +0 +0\.0%$/m);
  });

  it('prints no time range when there are no timed entries', () => {
    const out = renderStats(collect([]));
    expect(out.split('\n')[0]).toBe('0 entries');
    expect(out).toContain('Modules');
  });
});
