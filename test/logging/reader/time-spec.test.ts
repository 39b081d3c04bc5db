import { describe, it, expect } from 'vitest';
import { UserFacingError } from '../../../src/config/errors.js';
import { thrown } from '../../support/errors.js';
import { logTimeToMs, parseAgeMs, parseDurationSeconds, parseTimeSpec, toLogTime } from '../../../src/logging/reader/time-spec.js';

/** A fixed "now": 2024-01-15 12:00:00.000 local time. */
const NOW = new Date(2024, 0, 15, 12, 0, 0, 0).getTime();
const local = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0) => new Date(y, mo - 1, d, h, mi, s, ms).getTime();

describe('parseTimeSpec: relative times', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 15 * 60_000],
    ['2h', 2 * 3_600_000],
    ['7d', 7 * 86_400_000],
    ['1w', 7 * 86_400_000],
    ['2w', 14 * 86_400_000],
    ['1.5h', 90 * 60_000],
    ['0.5d', 12 * 3_600_000],
    ['2.25m', 135_000],
    ['0s', 0],
  ])('%s is that long before now', (spec, ago) => {
    expect(parseTimeSpec(spec, '--since', NOW)).toBe(NOW - ago);
  });

  it('means the same instant for --until as for --since', () => {
    expect(parseTimeSpec('2h', '--until', NOW)).toBe(NOW - 7_200_000);
    expect(parseTimeSpec('7d', '--until', NOW)).toBe(parseTimeSpec('7d', '--since', NOW));
  });

  it('accepts upper-case units, surrounding blanks and a space before the unit', () => {
    expect(parseTimeSpec('2H', '--since', NOW)).toBe(NOW - 7_200_000);
    expect(parseTimeSpec('  15m  ', '--since', NOW)).toBe(NOW - 900_000);
    expect(parseTimeSpec('15 m', '--since', NOW)).toBe(NOW - 900_000);
  });

  it('defaults now to the current time', () => {
    const before = Date.now();
    const value = parseTimeSpec('1h', '--since');
    const after = Date.now();
    expect(value).toBeGreaterThanOrEqual(before - 3_600_000);
    expect(value).toBeLessThanOrEqual(after - 3_600_000);
  });
});

describe('parseTimeSpec: absolute local times', () => {
  it('reads a bare date given to --since as local midnight', () => {
    expect(parseTimeSpec('2024-01-15', '--since', NOW)).toBe(local(2024, 1, 15));
  });

  it('reads a bare date given to --until as the last millisecond of that local day', () => {
    expect(parseTimeSpec('2024-01-15', '--until', NOW)).toBe(local(2024, 1, 15, 23, 59, 59, 999));
  });

  it('makes --since D --until D cover the whole day', () => {
    const since = parseTimeSpec('2024-01-15', '--since', NOW);
    const until = parseTimeSpec('2024-01-15', '--until', NOW);
    expect(toLogTime(since)).toBe('2024-01-15 00:00:00,000');
    expect(toLogTime(until)).toBe('2024-01-15 23:59:59,999');
    expect(until - since).toBe(86_400_000 - 1);
  });

  it('reads a date and hour:minute', () => {
    expect(parseTimeSpec('2024-01-15 10:30', '--since', NOW)).toBe(local(2024, 1, 15, 10, 30));
  });

  it('does not move a date with a time to the end of the day for --until', () => {
    expect(parseTimeSpec('2024-01-15 10:30', '--until', NOW)).toBe(local(2024, 1, 15, 10, 30));
    expect(parseTimeSpec('2024-01-15 00:00', '--until', NOW)).toBe(local(2024, 1, 15));
  });

  it('reads an ISO-style T separator with seconds', () => {
    expect(parseTimeSpec('2024-01-15T10:30:15', '--since', NOW)).toBe(local(2024, 1, 15, 10, 30, 15));
  });

  it('reads milliseconds after a comma (the log format) or a dot', () => {
    expect(parseTimeSpec('2024-01-15 10:30:15,250', '--since', NOW)).toBe(local(2024, 1, 15, 10, 30, 15, 250));
    expect(parseTimeSpec('2024-01-15 10:30:15.250', '--until', NOW)).toBe(local(2024, 1, 15, 10, 30, 15, 250));
  });

  it('reads a short fraction as tenths or hundredths of a second', () => {
    expect(parseTimeSpec('2024-01-15 10:30:15,5', '--since', NOW)).toBe(local(2024, 1, 15, 10, 30, 15, 500));
    expect(parseTimeSpec('2024-01-15 10:30:15,05', '--since', NOW)).toBe(local(2024, 1, 15, 10, 30, 15, 50));
  });

  it('accepts a log line timestamp copied verbatim and gives back the same text', () => {
    const stamp = '2024-07-04 08:09:10,011';
    expect(toLogTime(parseTimeSpec(stamp, '--since', NOW))).toBe(stamp);
  });

  it('accepts 29 February in a leap year only', () => {
    expect(parseTimeSpec('2024-02-29', '--since', NOW)).toBe(local(2024, 2, 29));
    expect(() => parseTimeSpec('2023-02-29', '--since', NOW)).toThrow(UserFacingError);
  });

  it('accepts the last valid minute and second of a day', () => {
    expect(parseTimeSpec('2024-01-15 23:59:59', '--since', NOW)).toBe(local(2024, 1, 15, 23, 59, 59));
  });
});

describe('parseTimeSpec: today and yesterday', () => {
  it('today is local midnight for --since and 23:59:59.999 for --until', () => {
    expect(parseTimeSpec('today', '--since', NOW)).toBe(local(2024, 1, 15));
    expect(parseTimeSpec('today', '--until', NOW)).toBe(local(2024, 1, 15, 23, 59, 59, 999));
  });

  it('yesterday is the previous local day', () => {
    expect(parseTimeSpec('yesterday', '--since', NOW)).toBe(local(2024, 1, 14));
    expect(parseTimeSpec('yesterday', '--until', NOW)).toBe(local(2024, 1, 14, 23, 59, 59, 999));
  });

  it('yesterday crosses month and year boundaries', () => {
    expect(parseTimeSpec('yesterday', '--since', local(2024, 3, 1, 9))).toBe(local(2024, 2, 29));
    expect(parseTimeSpec('yesterday', '--until', local(2024, 1, 1, 0, 0, 0, 1))).toBe(local(2023, 12, 31, 23, 59, 59, 999));
  });

  it('does not depend on the time of day of now', () => {
    expect(parseTimeSpec('today', '--since', local(2024, 1, 15, 0, 0, 0, 0))).toBe(local(2024, 1, 15));
    expect(parseTimeSpec('today', '--since', local(2024, 1, 15, 23, 59, 59, 999))).toBe(local(2024, 1, 15));
  });

  it('follows calendar days on every day of a year, whatever the local DST rules', () => {
    for (let day = 1; day <= 366; day++) {
      const now = new Date(2024, 0, day, 12).getTime();
      expect(parseTimeSpec('today', '--since', now)).toBe(new Date(2024, 0, day).getTime());
      expect(parseTimeSpec('today', '--until', now)).toBe(new Date(2024, 0, day, 23, 59, 59, 999).getTime());
      expect(parseTimeSpec('yesterday', '--since', now)).toBe(new Date(2024, 0, day - 1).getTime());
      expect(parseTimeSpec('yesterday', '--until', now)).toBe(new Date(2024, 0, day - 1, 23, 59, 59, 999).getTime());
    }
  });

  it('is case-insensitive and ignores surrounding blanks', () => {
    expect(parseTimeSpec('TODAY', '--since', NOW)).toBe(local(2024, 1, 15));
    expect(parseTimeSpec(' Yesterday ', '--since', NOW)).toBe(local(2024, 1, 14));
  });
});

describe('parseTimeSpec: invalid values', () => {
  const invalid = [
    'yesterdayish',
    'tomorrow',
    '2024-13-01',
    '2024-00-10',
    '2024-02-30',
    '2024-04-31',
    '25:00',
    '10:30',
    '',
    '   ',
    '2024-01-15 24:00',
    '2024-01-15 25:00',
    '2024-01-15 10:60',
    '2024-01-15 10:30:60',
    '2024-1-5',
    '2024/01/15',
    '2024-01-15 10:30:15,1234',
    '15 minutes',
    '-5m',
    '5y',
    'm',
  ];

  for (const option of ['--since', '--until'] as const) {
    it.each(invalid)(`${option} %j throws a one-line UserFacingError naming the option and the value`, (value) => {
      const error = thrown(() => parseTimeSpec(value, option, NOW));
      expect(error.message).toContain(option);
      expect(error.message).toContain(JSON.stringify(value));
      expect(error.message).not.toContain('\n');
      expect(error.exitCode).toBe(2);
    });
  }

  it('names the right option', () => {
    expect(thrown(() => parseTimeSpec('nope', '--until', NOW)).message).not.toContain('--since');
    expect(thrown(() => parseTimeSpec('nope', '--since', NOW)).message).not.toContain('--until');
  });

  it('keeps the message on one line even when the value holds a newline', () => {
    const error = thrown(() => parseTimeSpec('2024-01-15\n10:30x', '--since', NOW));
    expect(error.message).not.toMatch(/[\r\n]/);
    expect(error.message).toContain('"2024-01-15\\n10:30x"');
  });
});

describe('toLogTime and logTimeToMs', () => {
  it('formats an instant in the log line format, local time, zero-padded', () => {
    expect(toLogTime(local(2024, 1, 5, 7, 8, 9, 45))).toBe('2024-01-05 07:08:09,045');
    expect(toLogTime(local(2024, 12, 31, 23, 59, 59, 999))).toBe('2024-12-31 23:59:59,999');
    expect(toLogTime(local(2024, 1, 15, 10, 30, 15, 123))).toBe('2024-01-15 10:30:15,123');
  });

  it('parses the log line format as local time', () => {
    expect(logTimeToMs('2024-01-15 10:30:15,123')).toBe(local(2024, 1, 15, 10, 30, 15, 123));
    expect(logTimeToMs('2024-01-05 07:08:09,045')).toBe(local(2024, 1, 5, 7, 8, 9, 45));
  });

  it.each(['2024-01-15 10:30:15,123', '2024-02-29 00:00:00,000', '2023-12-31 23:59:59,999', '2024-07-04 12:34:56,007'])('round-trips %s', (stamp) => {
    expect(toLogTime(logTimeToMs(stamp))).toBe(stamp);
  });

  it.each([local(2024, 1, 15, 10, 30, 15, 123), local(2024, 7, 1, 12), local(2023, 12, 31, 23, 59, 59, 999)])('round-trips epoch ms %d', (ms) => {
    expect(logTimeToMs(toLogTime(ms))).toBe(ms);
  });

  it('orders log times as strings the same way as the instants', () => {
    const instants = [
      local(2024, 1, 15, 10, 30, 15, 123),
      local(2024, 1, 15, 10, 30, 15, 124),
      local(2024, 1, 15, 9, 59),
      local(2024, 10, 1),
      local(2023, 12, 31, 23),
    ];
    const byString = [...instants].sort((a, b) => (toLogTime(a) < toLogTime(b) ? -1 : 1));
    const byNumber = [...instants].sort((a, b) => a - b);
    expect(byString).toEqual(byNumber);
  });
});

describe('parseDurationSeconds', () => {
  it.each([
    ['2s', 2],
    ['1.5s', 1.5],
    ['250ms', 0.25],
    ['1500ms', 1.5],
    ['2m', 120],
    ['0.5m', 30],
    ['3', 3],
    ['0.75', 0.75],
    ['2S', 2],
    ['250MS', 0.25],
    [' 2 s ', 2],
    ['0', 0],
  ])('%j is %d seconds', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBeCloseTo(seconds, 10);
  });

  it.each(['fast', '', '2h', '-1s', '1.s', '.5s', 's', '2 seconds', '1,5s'])('%j throws a one-line UserFacingError', (text) => {
    const error = thrown(() => parseDurationSeconds(text));
    expect(error.message).toContain('--slower-than');
    expect(error.message).toContain(JSON.stringify(text));
    expect(error.message).not.toContain('\n');
  });
});

describe('parseAgeMs', () => {
  it.each([
    ['7d', 7 * 86_400_000],
    ['12h', 12 * 3_600_000],
    ['2w', 14 * 86_400_000],
    ['30m', 1_800_000],
    ['45s', 45_000],
    ['1.5d', 36 * 3_600_000],
    [' 7D ', 7 * 86_400_000],
  ])('%j is %d ms', (text, ms) => {
    expect(parseAgeMs(text)).toBe(ms);
  });

  it.each(['7', '', 'week', '7 days', '2024-01-15', 'today', '-7d'])('%j throws a one-line UserFacingError', (text) => {
    const error = thrown(() => parseAgeMs(text));
    expect(error.message).toContain('--older-than');
    expect(error.message).toContain(JSON.stringify(text));
    expect(error.message).not.toContain('\n');
  });
});

describe('parseTimeSpec: early years', () => {
  it('reads a four-digit year literally, not as 19xx', () => {
    expect(new Date(parseTimeSpec('0024-01-15', '--since')).getFullYear()).toBe(24);
  });
});
