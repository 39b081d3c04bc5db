import { UserFacingError } from '../../config/errors.js';
import { formatTimestamp } from '../format.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const RELATIVE = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/i;
const ABSOLUTE = /^(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,3}))?)?)?$/;

/**
 * `--since`/`--until` values: a local date (`2024-01-15`), date and time (`2024-01-15 10:30`),
 * a relative time (`90s`, `15m`, `2h`, `7d`), `today` or `yesterday`. A bare date given to
 * `--until` means the end of that day, so `--since D --until D` is the whole day.
 */
export function parseTimeSpec(text: string, option: '--since' | '--until', now = Date.now()): number {
  const value = text.trim();
  const relative = RELATIVE.exec(value);
  if (relative) return now - Number(relative[1]) * (UNIT_MS[(relative[2] as string).toLowerCase()] as number);
  if (/^(today|yesterday)$/i.test(value)) {
    const d = new Date(now);
    d.setHours(0, 0, 0, 0);
    if (value.toLowerCase() === 'yesterday') d.setDate(d.getDate() - 1);
    return option === '--until' ? endOfDay(d) : d.getTime();
  }
  const m = ABSOLUTE.exec(value);
  if (m) {
    const [y, mo, d, h, mi, s] = m.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
    const ms = Number((m[7] ?? '0').padEnd(3, '0'));
    const date = new Date(y, mo - 1, d, h, mi, s, ms);
    date.setFullYear(y); // years 0–99 would otherwise mean 1900–1999
    const valid = date.getMonth() === mo - 1 && date.getDate() === d && h < 24 && mi < 60 && s < 60;
    if (valid) return option === '--until' && m[4] === undefined ? endOfDay(date) : date.getTime();
  }
  throw new UserFacingError(
    `Invalid ${option} value ${JSON.stringify(text)}: use a date (2024-01-15), a date and time (2024-01-15 10:30) or a relative time (90s, 15m, 2h, 7d).`,
  );
}

function endOfDay(day: Date): number {
  const d = new Date(day);
  d.setHours(23, 59, 59, 999);
  return d.getTime();
}

/** The log line's own timestamp text for an instant, so times compare as strings. */
export function toLogTime(ms: number): string {
  return formatTimestamp(new Date(ms));
}

/** `--slower-than 2s`, `1.5s`, `250ms`, `2m`, or a bare number of seconds. */
export function parseDurationSeconds(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/i.exec(text.trim());
  if (!m) throw new UserFacingError(`Invalid --slower-than value ${JSON.stringify(text)}: use a duration such as 2s, 1.5s or 250ms.`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  return unit === 'ms' ? n / 1000 : unit === 'm' ? n * 60 : n;
}

/** `--older-than 7d` for `logs clean`: a relative age only. */
export function parseAgeMs(text: string): number {
  const m = RELATIVE.exec(text.trim());
  if (!m) throw new UserFacingError(`Invalid --older-than value ${JSON.stringify(text)}: use an age such as 12h, 7d or 2w.`);
  return Number(m[1]) * (UNIT_MS[(m[2] as string).toLowerCase()] as number);
}

/** `2024-01-15 10:30:15,123` (local time) → epoch milliseconds. */
export function logTimeToMs(time: string): number {
  const n = (from: number, to: number) => Number(time.slice(from, to));
  return new Date(n(0, 4), n(5, 7) - 1, n(8, 10), n(11, 13), n(14, 16), n(17, 19), n(20, 23)).getTime();
}
