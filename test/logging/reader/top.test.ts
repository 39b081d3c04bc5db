import { describe, expect, it } from 'vitest';
import { formatTimestamp } from '../../../src/logging/format.js';
import { parseEntry } from '../../../src/logging/reader/entry.js';
import { StatsCollector } from '../../../src/logging/reader/stats.js';
import { renderTop, sparkline, TopWindow } from '../../../src/logging/reader/top.js';

/** The clock of these tests: a local time, as log lines hold them. */
const NOW = new Date(2024, 0, 15, 10, 30, 0, 500).getTime();
const ago = (seconds: number) => formatTimestamp(new Date(NOW - seconds * 1000));
const entry = (secondsAgo: number, level: string, module: string, body: string) => parseEntry(`[${ago(secondsAgo)}] [${level}] [${module}] ${body}`);
const action = (secondsAgo: number, user = 'alice', session = 's1') =>
  entry(secondsAgo, 'INFO', 'game_logic', `User action: take_turn (user_id: ${user}, session: ${session})`);
const apiCall = (secondsAgo: number) => entry(secondsAgo, 'INFO', 'llm_utils', 'API call: openai chat.completions (status: 200, duration: 1.20s, retries: 0)');
const perf = (secondsAgo: number, operation: string, seconds: number) =>
  entry(secondsAgo, 'PERF', 'game_logic', `${operation} completed (duration: ${seconds.toFixed(2)}s, session: s1)`);

describe('TopWindow', () => {
  it('reads entries as stats does: v2 performance lines by their operation, no player active from a failed login or an admin action', () => {
    const lines = [
      action(10, 'alice', 's1'),
      entry(11, 'WARNING', 'auth', 'Failed login (user_id: mallory, attempt: 3)'),
      entry(12, 'INFO', 'admin', 'User carol created (user_id: carol, created_by: root)'),
      entry(13, 'PERF', 'game_logic', 'Performance | Operation: load_session | Duration: 0.40s (operation: load_session, duration: 0.40s)'),
      perf(14, 'save_turn', 0.2),
    ];
    const window = new TopWindow(5);
    const stats = new StatsCollector();
    for (const line of lines) {
      window.add(line);
      stats.add(line);
    }
    const snapshot = window.snapshot(NOW);
    const result = stats.result({ by: 'hour' });
    expect(snapshot.users).toBe(1);
    expect(snapshot.users).toBe(result.activity.users);
    expect(snapshot.operations.map((o) => o.operation).sort()).toEqual(result.operations.map((o) => o.operation).sort());
    expect(snapshot.operations.map((o) => o.operation).sort()).toEqual(['load_session', 'save_turn']);
    expect(snapshot.warnings).toBe(1);
  });

  it('counts requests (user actions and API calls) a minute over the last minutes, newest minute last, and leaves out what is older', () => {
    const window = new TopWindow(5);
    for (const e of [action(10), action(59), apiCall(61), action(150), apiCall(299), action(301), action(4000)]) window.add(e);
    window.add(entry(20, 'WARN', 'game_logic', 'User action refused: take_turn (user_id: alice, reason: busy)'));
    window.add(entry(20, 'INFO', 'auth', 'User alice logged in successfully (user_id: alice)'));
    const s = window.snapshot(NOW);
    expect(s.perMinute.map((m) => [m.userActions, m.apiCalls])).toEqual([
      [0, 1],
      [0, 0],
      [1, 0],
      [0, 1],
      [2, 0],
    ]);
    expect(s.perMinute.map((m) => m.end)).toEqual([4, 3, 2, 1, 0].map((k) => NOW - k * 60_000));
    expect(s.requests).toBe(5);
    expect(s.entries).toBe(7);
  });

  it('gives p50, p95 and the count of each PERF operation in the window (nearest rank), busiest first', () => {
    const window = new TopWindow(5);
    // 1..20 seconds: nearest-rank p50 is the 10th value, p95 the 19th.
    for (let i = 1; i <= 20; i++) window.add(perf(i, 'process_player_input', i));
    window.add(perf(5, 'save_turn', 0.05));
    window.add(perf(6, 'save_turn', 0.01));
    window.add(perf(400, 'save_turn', 99));
    window.add(entry(7, 'PERF', 'db_utils', 'warmup completed (duration: n/a)'));
    expect(window.snapshot(NOW).operations).toEqual([
      { operation: 'process_player_input', count: 20, p50: 10, p95: 19 },
      { operation: 'save_turn', count: 2, p50: 0.01, p95: 0.05 },
    ]);
  });

  it('counts distinct active sessions (session or session_id) and users (without regard to case) in the window only', () => {
    const window = new TopWindow(5);
    window.add(action(10, 'alice', 's1'));
    window.add(action(20, 'ALICE', 's1'));
    window.add(action(30, 'bob', 's2'));
    window.add(entry(40, 'DEBUG', 'tui', 'Rendering scene (session_id: s3)'));
    window.add(action(200, 'carol', 's4'));
    window.add(action(400, 'dave', 's5'));
    expect(window.snapshot(NOW)).toMatchObject({ sessions: 4, users: 3 });
    // Two minutes later carol's last entry is older than five minutes; alice and bob still count.
    expect(window.snapshot(NOW + 120_000)).toMatchObject({ sessions: 3, users: 2 });
    expect(window.snapshot(NOW + 600_000)).toMatchObject({ sessions: 0, users: 0, entries: 0 });
  });

  it('counts warnings and errors per module and keeps the newest error, whatever order they come in', () => {
    const window = new TopWindow(5);
    window.add(entry(30, 'ERROR', 'db_utils', 'Database operation failed (operation: save_turn, error: locked)'));
    window.add(entry(90, 'FATAL', 'app', 'Cannot start'));
    window.add(entry(10, 'WARN', 'llm_utils', 'Rate limited (attempt: 2)'));
    window.add(entry(50, 'WARN', 'llm_utils', 'Rate limited (attempt: 1)'));
    window.add(entry(60, 'ERROR', 'db_utils', 'Database operation failed (operation: load, error: gone)'));
    window.add(entry(500, 'ERROR', 'auth', 'Too old to count'));
    const s = window.snapshot(NOW);
    expect([s.errors, s.warnings]).toEqual([3, 2]);
    expect(s.modules).toEqual([
      { module: 'db_utils', warnings: 0, errors: 2 },
      { module: 'app', warnings: 0, errors: 1 },
      { module: 'llm_utils', warnings: 2, errors: 0 },
    ]);
    expect(s.lastError).toEqual({
      time: ago(30),
      level: 'ERROR',
      module: 'db_utils',
      message: 'Database operation failed (operation: save_turn, error: locked)',
    });
    // Once the errors are older than the window, none is shown.
    expect(window.snapshot(NOW + 300_000).lastError).toBeNull();
  });

  it('drops what falls out of the window for good: memory stays bounded however long it runs', () => {
    const window = new TopWindow(5);
    // Two hours of one action a second, a snapshot each second as `logs top` takes them.
    for (let t = 0; t < 7200; t++) {
      window.add(action(-t, `user${t}`, `session${t}`));
      if (t % 60 === 0) expect(window.heldSeconds).toBeLessThanOrEqual(301);
      window.snapshot(NOW + t * 1000);
    }
    const s = window.snapshot(NOW + 7199 * 1000);
    expect([s.requests, s.sessions, s.users, window.heldSeconds]).toEqual([300, 300, 300, 300]);
    // An entry older than the last window can never count again: it is not kept.
    window.add(action(10));
    expect(window.heldSeconds).toBe(300);
    expect(window.snapshot(NOW + 7199 * 1000).requests).toBe(300);
  });

  it('remembers the newest entry seen even when it is older than the window, and ignores lines without a time', () => {
    const window = new TopWindow(5);
    expect(window.snapshot(NOW).lastEntry).toBeNull();
    window.add(action(3600));
    window.add(action(7200));
    window.add(parseEntry('not a log line'));
    expect(window.snapshot(NOW)).toMatchObject({ entries: 0, lastEntry: { time: ago(3600), ms: NOW - 3_600_000 } });
  });

  it('takes a whole number of minutes only', () => {
    expect(() => new TopWindow(0)).toThrow(RangeError);
    expect(() => new TopWindow(1.5)).toThrow(RangeError);
  });
});

describe('renderTop', () => {
  const busy = () => {
    const window = new TopWindow(5);
    for (let i = 0; i < 30; i++) window.add(action(i * 9, i % 2 ? 'alice' : 'bob', `s${i % 3}`));
    for (let i = 1; i <= 10; i++) window.add(perf(i, 'process_player_input', i / 10));
    window.add(entry(5, 'ERROR', 'db_utils', `Database operation failed (operation: save_turn, error: ${'x'.repeat(200)}\\u001b[2J)`));
    window.add(parseEntry(`[${ago(3)}] [ERROR] [db_utils] Escape \u001b]0;owned\u0007 in a foreign line`));
    return window.snapshot(NOW);
  };

  it('shows the figures, one line each, with the time it was taken', () => {
    const text = renderTop(busy(), { source: 'storyos.log' }).join('\n');
    expect(text).toContain('storyos logs top  2024-01-15 10:30:00  last 5 min of storyos.log');
    expect(text).toContain('Sessions 3 active   Users 2 active');
    expect(text).toMatch(/Requests 30 in 5 min \(6\.0\/min\), last minute 7 {2}\S{5}/);
    expect(text).toContain('Errors 2   Warnings 0');
    expect(text).toMatch(/process_player_input +10 +500ms +1\.00s/);
    expect(text).toContain('Last error 10:29:57 [db_utils] Escape \\u001b]0;owned\\u0007 in a foreign line');
  });

  it('cuts every line to the width, prints no control character of the log, and colours only when asked', () => {
    const snapshot = busy();
    for (const width of [40, 80]) {
      const lines = renderTop(snapshot, { width });
      for (const l of lines) expect(Array.from(l).length).toBeLessThanOrEqual(width);
    }
    expect(renderTop(snapshot, { width: 40 }).filter((l) => l.endsWith('…')).length).toBeGreaterThan(5);
    const plain = renderTop(snapshot, { width: 80 }).join('\n');
    expect(plain).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    const coloured = renderTop(snapshot, { width: 80, colour: true }).join('\n');
    expect(coloured).toContain('\u001b[31m');
    // Colour changes how lines look, not what they say.
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(plain);
  });

  it('says so when the window is empty', () => {
    const text = renderTop(new TopWindow(5).snapshot(NOW)).join('\n');
    expect(text).toContain('No entries yet   0 in the window');
    expect(text).toContain('none in the last 5 min');
  });
});

describe('sparkline', () => {
  it('scales to the largest value, a blank for none', () => {
    expect(sparkline([0, 1, 2, 4, 8])).toBe(' ▁▂▄█');
    expect(sparkline([0, 0])).toBe('  ');
    // A day of minutes in at most 60 characters: runs of 24 minutes, the newest ending now.
    const day = Array.from({ length: 1440 }, (_, i) => (i >= 1416 ? 1 : 0));
    expect(sparkline(day)).toBe(`${' '.repeat(59)}█`);
    expect(sparkline([1, 0, 0, 2, 2], 2)).toBe('▂█');
  });
});
