import fc from 'fast-check';
import { describe, it, expect } from 'vitest';
import { parseEntry, type LogEntry } from '../../../src/logging/reader/entry.js';
import {
  StatsCollector,
  percentile,
  renderHistogram,
  renderStats,
  type HistogramBucket,
  type LogStats,
  type StatsPartial,
} from '../../../src/logging/reader/stats.js';
import { Tally } from '../../../src/logging/reader/tally.js';

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

describe('Tally: seconds counted by the hundredth', () => {
  // Seconds as logs write them (whole hundredths), small whole numbers (runs of equal values), and any double at all.
  const hundredths = fc.integer({ min: -50, max: 2_000_000 }).map((n) => n / 100);
  const values = fc.oneof(
    fc.array(hundredths, { maxLength: 300 }),
    fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 300 }),
    fc.array(fc.oneof(hundredths, fc.double({ noNaN: true, noDefaultInfinity: true })), { maxLength: 300 }),
  );
  const ranks = fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 4 });

  it('gives what percentile of the sorted values gives, for any values and ranks (fast-check)', () => {
    fc.assert(
      fc.property(values, ranks, (list, ps) => {
        const sorted = Float64Array.from(list).sort();
        const tally = new Tally();
        for (const value of list) tally.push(value);
        // `+ 0`: a tally reads -0 as 0.
        for (const p of ps) expect(tally.percentile(p)).toBe(percentile(sorted, p) + 0);
        expect(tally.length).toBe(list.length);
        if (list.length) expect(tally.max()).toBe((sorted[sorted.length - 1] as number) + 0);
      }),
      { numRuns: 500 },
    );
  });

  it('gives, merged from parts sent as plain data, what one tally of every value gives (fast-check)', () => {
    fc.assert(
      fc.property(values, values, ranks, (first, second, ps) => {
        const whole = new Tally();
        for (const value of [...first, ...second]) whole.push(value);
        const merged = new Tally();
        for (const part of [first, second]) {
          const tally = new Tally();
          for (const value of part) tally.push(value);
          merged.add(structuredClone(tally.toPartial()));
        }
        expect(merged.length).toBe(whole.length);
        for (const p of ps) expect(merged.percentile(p)).toBe(whole.percentile(p));
        const bounds = [0.01, 1, 10, Number.POSITIVE_INFINITY];
        const [a, b] = [bounds.map(() => 0), bounds.map(() => 0)];
        merged.histogramInto(bounds, a);
        whole.histogramInto(bounds, b);
        expect(a).toEqual(b);
        expect(a.reduce((sum, n) => sum + n, 0)).toBe(whole.length);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the percentiles of every value when more are added after it was asked (fast-check)', () => {
    fc.assert(
      fc.property(values, values, values, ranks, (first, pushed, added, ps) => {
        const tally = new Tally();
        for (const value of first) tally.push(value);
        for (const p of ps) tally.percentile(p);
        for (const value of pushed) tally.push(value);
        for (const p of ps) tally.percentile(p);
        const part = new Tally();
        for (const value of added) part.push(value);
        tally.add(part.toPartial());
        const sorted = Float64Array.from([...first, ...pushed, ...added]).sort();
        for (const p of ps) expect(tally.percentile(p)).toBe(percentile(sorted, p) + 0);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a million call durations of two decimals in a few kilobytes', () => {
    const tally = new Tally();
    for (let i = 0; i < 1_000_000; i++) tally.push((100 + (i % 300)) / 100);
    const { hundredths, others } = tally.toPartial();
    expect(hundredths.byteLength).toBeLessThan(4096);
    expect(others.length).toBe(0);
    expect(tally.percentile(50)).toBe(2.49);
  });
});

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

/** A header line at any date and time: `at('2024-01-15 10:00:05,000', …)`. */
const at = (time: string, level: string, module: string, body: string) => parseEntry(`[${time}] [${level}] [${module}] ${body}`);

describe('StatsCollector: activity', () => {
  const ACTIVITY: LogEntry[] = [
    at('2024-01-15 09:10:00,000', 'INFO', 'auth', 'User alice logged in successfully (user_id: alice, duration: 0.40s)'),
    at('2024-01-15 09:10:01,000', 'INFO', 'game_logic', 'User action: new_game (user_id: alice, session: s-a1, scenario: neon-rain)'),
    at('2024-01-15 09:20:00,000', 'PERF', 'game_logic', 'process_player_input completed (duration: 1.06s, session: s-a1, input_length: 25)'),
    // Someone else's doing, and a failed login: no sign the user was there.
    at('2024-01-15 09:30:00,000', 'INFO', 'auth', 'User carol created (user_id: carol, role: user, created_by: cli:root)'),
    at('2024-01-15 09:31:00,000', 'WARN', 'auth', 'Login failed (user_id: dave, reason: wrong_password, failed_attempts: 1)'),
    at('2024-01-15 09:32:00,000', 'INFO', 'auth', 'User erin unlocked (user_id: erin, unlocked_by: root, failed_attempts: 5)'),
    // Hour 10 is quiet; hour 11 has bob in two sessions (one named session_id), alice again.
    at('2024-01-15 10:15:00,000', 'INFO', 'app', 'Store seeded (scenarios: 4, engine: sqlite)'),
    at('2024-01-15 11:00:00,000', 'INFO', 'game_logic', 'User action: take_turn (user_id: bob, session: s-b1, input_length: 14)'),
    at('2024-01-15 11:05:00,000', 'DEBUG', 'db_utils', 'Database query executed: get_session (rows: 1, duration: 0.00s, session_id: s-b2)'),
    at('2024-01-15 11:06:00,000', 'ERROR', 'game_logic', 'turn failed (operation: process_player_input, session: s-b3, kind: auth, error: refused)'),
    at('2024-01-15 11:59:59,999', 'INFO', 'game_logic', 'User action: command /quit (user_id: alice, session: s-a1)'),
  ];
  const { activity } = collect(ACTIVITY);

  it('counts distinct users and sessions per hour, every hour of the span shown, quiet ones as zeros', () => {
    expect(activity.by).toBe('hour');
    expect(activity.buckets).toEqual([
      { label: '2024-01-15 09:00', users: 1, sessions: 1 },
      { label: '2024-01-15 10:00', users: 0, sessions: 0 },
      { label: '2024-01-15 11:00', users: 2, sessions: 4 },
    ]);
  });

  it('counts each user and session once over the whole span', () => {
    expect(activity.users).toBe(2);
    expect(activity.sessions).toBe(4);
  });

  it('takes users from DEBUG, INFO and PERF entries, not from failed logins nor from what an admin did to an account', () => {
    const only = (entries: LogEntry[]) => collect(entries).activity.users;
    expect(only([ACTIVITY[3] as LogEntry, ACTIVITY[4] as LogEntry, ACTIVITY[5] as LogEntry])).toBe(0);
    expect(only([at('2024-01-15 09:00:00,000', 'PERF', 'game_logic', 'undo completed (duration: 0.01s, user_id: frank)')])).toBe(1);
    expect(only([at('2024-01-15 09:00:00,000', 'ERROR', 'game_logic', 'save failed (operation: save, user_id: frank)')])).toBe(0);
  });

  it('counts a player once whatever the case of the name (accounts are named without regard to case)', () => {
    const login = (name: string) => at('2024-01-15 09:00:00,000', 'INFO', 'auth', `User ${name} logged in successfully (user_id: ${name})`);
    expect(collect([login('Frank'), login('frank'), login('FRANK')]).activity.users).toBe(1);
  });

  it('takes sessions from `session` and `session_id` at any level, errors included', () => {
    const sessions = collect([ACTIVITY[8] as LogEntry, ACTIVITY[9] as LogEntry]).activity;
    expect(sessions.sessions).toBe(2);
    expect(sessions.buckets).toEqual([{ label: '2024-01-15 11:00', users: 0, sessions: 2 }]);
  });

  it('reads the fields as the writer escaped them: a session id with a comma is one session', () => {
    const odd = collect([
      at('2024-01-15 09:00:00,000', 'INFO', 'game_logic', 'User action: take_turn (user_id: a\\, b, session: x\\, y)'),
      at('2024-01-15 09:00:01,000', 'INFO', 'game_logic', 'User action: take_turn (user_id: a\\, b, session: x\\, y)'),
    ]).activity;
    expect([odd.users, odd.sessions]).toEqual([1, 1]);
  });

  const days: LogEntry[] = [
    at('2024-01-30 23:59:00,000', 'INFO', 'game_logic', 'User action: new_game (user_id: alice, session: s1)'),
    at('2024-01-31 08:00:00,000', 'INFO', 'game_logic', 'User action: take_turn (user_id: alice, session: s1)'),
    at('2024-01-31 20:00:00,000', 'INFO', 'game_logic', 'User action: take_turn (user_id: alice, session: s2)'),
    at('2024-01-31 21:00:00,000', 'INFO', 'game_logic', 'User action: take_turn (user_id: bob, session: s3)'),
    at('2024-02-02 00:00:00,000', 'INFO', 'game_logic', 'User action: take_turn (user_id: bob, session: s3)'),
  ];

  it('goes per day when the span is over 48 hours, across a month, a user on two hours of a day counted once', () => {
    const s = collect(days).activity;
    expect(s.by).toBe('day');
    expect(s.buckets).toEqual([
      { label: '2024-01-30', users: 1, sessions: 1 },
      { label: '2024-01-31', users: 2, sessions: 3 },
      { label: '2024-02-01', users: 0, sessions: 0 },
      { label: '2024-02-02', users: 1, sessions: 1 },
    ]);
    expect([s.users, s.sessions]).toEqual([2, 3]);
  });

  it('stays per hour for a span of exactly 48 hours', () => {
    const s = collect([days[0] as LogEntry, at('2024-02-01 23:59:00,000', 'INFO', 'app', 'Started')]).activity;
    expect(s.by).toBe('hour');
    expect(s.buckets).toHaveLength(49);
    expect(s.buckets[0]).toEqual({ label: '2024-01-30 23:00', users: 1, sessions: 1 });
    expect(s.buckets[48]).toEqual({ label: '2024-02-01 23:00', users: 0, sessions: 0 });
  });

  it('honours the unit asked for', () => {
    const collector = new StatsCollector();
    for (const entry of days) collector.add(entry);
    const hourly = collector.result({ by: 'hour' }).activity;
    expect(hourly.by).toBe('hour');
    expect(hourly.buckets).toHaveLength(50);
    expect(hourly.buckets.filter((b) => b.users > 0).map((b) => b.label)).toEqual([
      '2024-01-30 23:00',
      '2024-01-31 08:00',
      '2024-01-31 20:00',
      '2024-01-31 21:00',
      '2024-02-02 00:00',
    ]);
    const daily = collector.result({ by: 'day' }).activity;
    expect(daily.by).toBe('day');
    expect(collect(ACTIVITY.slice(0, 2)).activity.by).toBe('hour');
    const oneDay = new StatsCollector();
    for (const entry of ACTIVITY) oneDay.add(entry);
    expect(oneDay.result({ by: 'day' }).activity.buckets).toEqual([{ label: '2024-01-15', users: 2, sessions: 4 }]);
  });

  it('has no buckets without timed entries', () => {
    expect(collect([]).activity).toEqual({ by: 'hour', users: 0, sessions: 0, buckets: [] });
    expect(collect([parseEntry('user_id: alice, session: s1')]).activity.buckets).toEqual([]);
  });
});

/** Lines as src/llm/openai-client.ts writes them (copied from a real run against the fake narrator). */
const stream = (time: string, fields: string) =>
  at(
    `2024-01-15 ${time}`,
    'INFO',
    'llm_utils',
    `API call: llm chat.completions (stream) (status: 200, ${fields}, purpose: turn, chunks: 4, finish_reason: stop)`,
  );
const LLM: LogEntry[] = [
  stream('10:00:00,000', 'duration: 0.40s, retries: 0, tokens_in: 812, tokens_out: 40, model: grok-4-fast-reasoning, attempt: 1, ttft: 0.30s'),
  at(
    '2024-01-15 10:00:01,000',
    'WARN',
    'llm_utils',
    'LLM request failed, retrying (purpose: turn, model: grok-4-fast-reasoning, attempt: 1, kind: server, status: 500, retry_in: 0.76s)',
  ),
  stream('10:00:02,000', 'duration: 0.22s, retries: 1, tokens_in: 655, tokens_out: 5, model: grok-4-fast-reasoning, attempt: 2, ttft: 0.20s'),
  stream('10:00:03,000', 'duration: 2.00s, retries: 0, tokens_in: 677, tokens_out: 400, model: grok-4-fast-reasoning, attempt: 1, ttft: 1.50s'),
  stream('10:00:04,000', 'duration: 0.10s, retries: 0, tokens_in: 600, tokens_out: 20, model: grok-4-fast-reasoning, attempt: 1, ttft: 0.10s'),
  at(
    '2024-01-15 10:00:05,000',
    'INFO',
    'llm_utils',
    'API call: llm chat.completions (json_schema) (status: 200, duration: 0.03s, retries: 0, tokens_in: 147, tokens_out: 87, model: grok-4-fast-non-reasoning, purpose: summary_update, attempt: 1)',
  ),
  at(
    '2024-01-15 10:00:06,000',
    'ERROR',
    'llm_utils',
    'LLM request failed (purpose: turn, model: grok-4-fast-reasoning, attempt: 3, kind: timeout, error: The narrator did not answer in 2 s (3 attempts).)',
  ),
  at(
    '2024-01-15 10:00:07,000',
    'ERROR',
    'llm_utils',
    'LLM request failed (purpose: turn, model: grok-4-fast-reasoning, attempt: 1, kind: cancelled, error: Cancelled.)',
  ),
  at(
    '2024-01-15 10:00:08,000',
    'INFO',
    'llm_utils',
    'API call: llm chat.completions (json_schema) (status: 503, duration: 1.00s, retries: 2, model: grok-4-fast-non-reasoning, purpose: summary_update)',
  ),
  at('2024-01-15 10:00:09,000', 'ERROR', 'llm_utils', 'Something else broke (error: no model here)'),
  at(
    '2024-01-15 10:00:10,000',
    'WARN',
    'llm_utils',
    'LLM narration was empty (purpose: turn, model: grok-4-fast-reasoning, finish_reason: stop, tokens_out: 0)',
  ),
];

describe('StatsCollector: LLM usage per model', () => {
  const { llm } = collect(LLM);

  it("counts a stream the player cancelled as cancelled and one that broke off as failed, as the API call line's finish_reason says", () => {
    const call = (time: string, finish: string) =>
      line(
        time,
        'INFO',
        'llm_utils',
        `API call: llm chat.completions (stream) (status: 200, duration: 0.50s, retries: 0, tokens_in: 0, tokens_out: 0, model: grok, finish_reason: ${finish})`,
      );
    const stats = collect([call('10:00:00,000', 'stop'), call('10:00:01,000', 'cut'), call('10:00:02,000', 'cancelled'), call('10:00:03,000', 'length')]);
    expect(stats.llm.map(({ calls, failures, cancelled }) => ({ calls, failures, cancelled }))).toEqual([{ calls: 4, failures: 1, cancelled: 1 }]);
    expect(renderStats(stats)).toContain('(and 1 call cancelled by the player)');
  });

  it('gives each model its calls, failures, cancels, retries, tokens, TTFT and duration percentiles, most calls first', () => {
    expect(llm).toEqual([
      {
        model: 'grok-4-fast-reasoning',
        calls: 6,
        failures: 1,
        cancelled: 1,
        retries: 3,
        tokensIn: 812 + 655 + 677 + 600,
        tokensOut: 40 + 5 + 400 + 20,
        ttftP50: 0.2,
        ttftP95: 1.5,
        durationP50: 0.22,
        durationP95: 2,
      },
      {
        model: 'grok-4-fast-non-reasoning',
        calls: 2,
        failures: 1,
        cancelled: 0,
        retries: 2,
        tokensIn: 147,
        tokensOut: 87,
        ttftP50: Number.NaN,
        ttftP95: Number.NaN,
        durationP50: 0.03,
        durationP95: 1,
      },
    ]);
  });

  it('counts a retried attempt once, in the call that ended (the WARN before it is not a call of its own)', () => {
    const retried = collect(LLM.slice(1, 3)).llm;
    expect(retried.map((m) => [m.calls, m.failures, m.retries])).toEqual([[1, 0, 1]]);
  });

  it('counts an API call line at ERROR as a failure, and names a model-less call after its service', () => {
    const s = collect([
      at('2024-01-15 10:00:00,000', 'ERROR', 'llm_utils', 'API call: llm chat.completions (stream) (status: 200, duration: 0.10s, model: m1)'),
      at('2024-01-15 10:00:01,000', 'INFO', 'app', 'API call: geo lookup (status: 204, duration: 0.05s)'),
    ]).llm;
    expect(s.map((m) => [m.model, m.calls, m.failures])).toEqual([
      ['(geo)', 1, 0],
      ['m1', 1, 1],
    ]);
  });

  it('has no rows without API calls', () => {
    expect(collect(ENTRIES).llm).toEqual([]);
  });
});

describe('StatsCollector: errors by operation', () => {
  const entries: LogEntry[] = [
    ...['1.06', '0.03', '0.06'].map((d, i) =>
      at(`2024-01-15 10:00:0${i},000`, 'PERF', 'game_logic', `process_player_input completed (duration: ${d}s, session: s1)`),
    ),
    at('2024-01-15 10:00:04,000', 'PERF', 'game_logic', 'process_player_input completed (session: s1)'),
    at('2024-01-15 10:00:05,000', 'ERROR', 'game_logic', 'turn failed (operation: process_player_input, session: s1, kind: auth, error: refused)'),
    at('2024-01-15 10:00:06,000', 'DEBUG', 'db_utils', 'Database query executed: save_turn (rows: 1, duration: 0.01s, engine: sqlite)'),
    at('2024-01-15 10:00:07,000', 'DEBUG', 'db_utils', 'Database query executed: save_turn (rows: 1, duration: 0.01s, engine: sqlite)'),
    at(
      '2024-01-15 10:00:08,000',
      'ERROR',
      'db_utils',
      'Database operation failed: save_turn (operation: save_turn, engine: sqlite, duration: 0.00s, error: locked)',
    ),
    at('2024-01-15 10:00:09,000', 'FATAL', 'db_utils', 'Database operation failed: save_turn (operation: save_turn, engine: sqlite, error: corrupt)'),
    at('2024-01-15 10:00:10,000', 'ERROR', 'tui', 'The game screen failed (operation: render_screen, error: chunk missing)'),
    at('2024-01-15 10:00:11,000', 'WARN', 'game_logic', 'Turn refused: the game moved on in another process (session: s1, operation: turn)'),
    at('2024-01-15 10:00:12,000', 'INFO', 'game_logic', 'Replayed (operation: render_screen)'),
  ];
  const s = collect(entries);

  it('counts ERROR and FATAL entries per operation field, against its completions (PERF entries and database DEBUG entries)', () => {
    expect(s.operationErrors).toEqual([
      { operation: 'save_turn', errors: 2, completed: 2, errorRate: 0.5 },
      { operation: 'process_player_input', errors: 1, completed: 4, errorRate: 0.2 },
      { operation: 'render_screen', errors: 1, completed: 0, errorRate: null },
    ]);
  });

  it('counts a PERF entry without a duration as a completion but not as a duration sample', () => {
    expect(s.operations).toEqual([expect.objectContaining({ operation: 'process_player_input', count: 3 })]);
  });

  it('has no rows when no error names an operation', () => {
    expect(collect(ENTRIES).operationErrors).toEqual([]);
  });
});

describe('StatsCollector: Python level names', () => {
  it('counts WARNING as a warning and CRITICAL as an error', () => {
    const s = collect([
      at('2024-01-15 10:00:00,000', 'WARNING', 'auth', 'Login failed (user_id: dave)'),
      at('2024-01-15 10:00:01,000', 'CRITICAL', 'db_utils', 'Cannot open the store (operation: open)'),
      at('2024-01-15 10:00:02,000', 'ERROR', 'db_utils', 'Query failed (operation: open)'),
    ]);
    expect(s.modules).toEqual([
      { module: 'auth', entries: 1, warnings: 1, errors: 0, errorRate: 0 },
      { module: 'db_utils', entries: 2, warnings: 0, errors: 2, errorRate: 1 },
    ]);
    expect(s.activity.users).toBe(0);
    expect(s.operationErrors).toEqual([{ operation: 'open', errors: 2, completed: 0, errorRate: null }]);
  });
});

describe('StatsCollector: merging', () => {
  const ALL: LogEntry[] = [...ENTRIES, ...LLM, ...collectActivityEntries()];

  function collectActivityEntries(): LogEntry[] {
    return [
      at('2024-01-14 09:10:00,000', 'INFO', 'game_logic', 'User action: new_game (user_id: alice, session: s-a1)'),
      at('2024-01-15 10:30:00,000', 'INFO', 'game_logic', 'User action: take_turn (user_id: alice, session: s-a1)'),
      at('2024-01-17 11:00:00,000', 'ERROR', 'db_utils', 'Database operation failed: save_turn (operation: save_turn, session: s-b1, error: locked)'),
      at('2024-01-17 11:00:01,000', 'DEBUG', 'db_utils', 'Database query executed: save_turn (rows: 1, duration: 0.01s)'),
    ];
  }

  const parts = (entries: LogEntry[], cuts: number[]) => {
    const bounds = [0, ...cuts, entries.length];
    return bounds.slice(1).map((end, i) => {
      const collector = new StatsCollector();
      for (const entry of entries.slice(bounds[i], end)) collector.add(entry);
      return collector;
    });
  };

  it('gives from two partials what one collector over all the entries gives, wherever the log is cut', () => {
    const whole = collect(ALL);
    for (let cut = 0; cut <= ALL.length; cut++) {
      const [a, b] = parts(ALL, [cut]) as [StatsCollector, StatsCollector];
      expect(a.merge(b).result()).toEqual(whole);
    }
  });

  it('merges partials that went through structuredClone (as from a worker thread), in any order, into the same figures', () => {
    const whole = collect(ALL);
    const pieces = parts(ALL, [7, 19, 30]).map((c) => structuredClone(c.toPartial()));
    const forward = StatsCollector.fromPartial(pieces[0] as StatsPartial);
    for (const p of pieces.slice(1)) forward.merge(p);
    const backward = new StatsCollector();
    for (const p of [...pieces].reverse()) backward.merge(p);
    expect(forward.result()).toEqual(whole);
    expect(backward.result()).toEqual(whole);
    expect(forward.result({ by: 'hour' })).toEqual(collectWith(ALL, 'hour'));
  });

  it('spans the merged parts: the activity of the whole, not of each', () => {
    const [a, b] = parts(ALL, [ALL.length - 2]) as [StatsCollector, StatsCollector];
    const merged = a.merge(b).result().activity;
    expect(merged.by).toBe('day');
    expect(merged.buckets.map((d) => d.label)).toEqual(['2024-01-14', '2024-01-15', '2024-01-16', '2024-01-17']);
    // alice (ENTRIES and the activity lines; bob only warned), and s-42, s-a1 and s-b1.
    expect([merged.users, merged.sessions]).toEqual([1, 3]);
  });

  it('copies its state into a partial: entries added afterwards do not change it', () => {
    const collector = new StatsCollector();
    for (const entry of LLM.slice(0, 2)) collector.add(entry);
    const partial = collector.toPartial();
    const before = JSON.stringify(partial);
    for (const entry of ALL) collector.add(entry);
    expect(JSON.stringify(partial)).toBe(before);
    expect(StatsCollector.fromPartial(partial).result().llm[0]?.calls).toBe(1);
  });

  it('merges an empty collector as nothing', () => {
    const collector = new StatsCollector();
    for (const entry of ALL) collector.add(entry);
    expect(collector.merge(new StatsCollector()).result()).toEqual(collect(ALL));
    expect(new StatsCollector().merge(new StatsCollector()).result()).toEqual(collect([]));
  });
});

function collectWith(entries: LogEntry[], by: 'hour' | 'day'): LogStats {
  const collector = new StatsCollector();
  for (const entry of entries) collector.add(entry);
  return collector.result({ by });
}

describe('renderStats: activity, LLM usage and errors', () => {
  const entries: LogEntry[] = [
    at('2024-01-15 09:10:00,000', 'INFO', 'game_logic', 'User action: new_game (user_id: alice, session: s1)'),
    at('2024-01-15 11:00:00,000', 'INFO', 'game_logic', 'User action: take_turn (user_id: bob, session: s2)'),
    at('2024-01-15 11:00:01,000', 'INFO', 'game_logic', 'User action: take_turn (user_id: alice, session: s1)'),
    ...LLM,
    at('2024-01-15 11:00:02,000', 'PERF', 'game_logic', 'process_player_input completed (duration: 1.00s, session: s1)'),
    at('2024-01-15 11:00:03,000', 'ERROR', 'game_logic', 'turn failed (operation: process_player_input, session: s1)'),
  ];
  const text = renderStats(collect(entries));
  const section = (title: string) => text.split('\n\n').find((part) => part.startsWith(title)) as string;

  it('charts the users of each hour with both counts, after the totals', () => {
    const activity = section('Activity per hour').split('\n');
    expect(activity[0]).toBe('Activity per hour: 2 users, 2 sessions in all');
    expect(activity[1]).toMatch(/^hour +users +sessions$/);
    expect(activity.slice(2)).toEqual([
      `2024-01-15 09:00      1         1 │${'█'.repeat(15)}`,
      '2024-01-15 10:00      0         0 │',
      `2024-01-15 11:00      2         2 │${'█'.repeat(30)}`,
    ]);
  });

  it('has a row per model with calls, failures, retries, tokens and seconds, and a note of the cancelled calls', () => {
    const llm = section('LLM usage per model');
    expect(llm).toMatch(/^model +calls +failed +retries +tokens in +tokens out +TTFT p50 +TTFT p95 +p50 +p95$/m);
    expect(llm).toMatch(/^grok-4-fast-reasoning +6 +1 +3 +2744 +465 +0\.20s +1\.50s +0\.22s +2\.00s$/m);
    expect(llm).toMatch(/^grok-4-fast-non-reasoning +2 +1 +2 +147 +87 +- +- +0\.03s +1\.00s$/m);
    expect(llm.endsWith('\n(and 1 call cancelled by the player)')).toBe(true);
  });

  it('lists the operations with errors, their completions and the error rate', () => {
    expect(section('Errors by operation')).toMatch(/^process_player_input +1 +1 +50\.0%$/m);
    expect(text.indexOf('Errors by operation')).toBeGreaterThan(text.indexOf('Modules'));
  });

  it('says when no entry names a user or a session, and leaves out the LLM and error tables when they would be empty', () => {
    const out = renderStats(collect([at('2024-01-15 10:00:00,000', 'INFO', 'app', 'Started')]));
    expect(out).toContain('\n\nNo user or session activity.\n\n');
    expect(out).not.toContain('LLM usage');
    expect(out).not.toContain('Errors by operation');
  });
});
