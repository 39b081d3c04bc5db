import type { LogLevelName } from '../config/env.js';

/** PERF sits between INFO (20000) and WARN (30000) in log4js's scale. */
export const CUSTOM_LEVELS = { PERF: { value: 25000, colour: 'cyan' } } as const;

/** Every level a StoryOS line can carry, lowest first. */
export const LEVEL_ORDER = ['DEBUG', 'INFO', 'PERF', 'WARN', 'ERROR', 'FATAL'] as const;
export type LineLevel = (typeof LEVEL_ORDER)[number];

export function levelRank(level: string): number {
  return LEVEL_ORDER.indexOf(normalizeLevel(level) as LineLevel);
}

/** Python's `logging` (StoryOS v2, and lines other Python programs write) names WARN and FATAL so. */
const PYTHON_NAMES = new Map<string, LineLevel>([
  ['WARNING', 'WARN'],
  ['CRITICAL', 'FATAL'],
]);

/**
 * A level as StoryOS names it: the spellings an operator may type (`warning`, `Warn`, `perf`) and
 * Python's names a line may hold (`WARNING` is WARN, `CRITICAL` is FATAL).
 */
export function normalizeLevel(level: string): string {
  const upper = level.trim().toUpperCase();
  return PYTHON_NAMES.get(upper) ?? upper;
}

/** A level as a line writes it (upper case), as StoryOS names it: `WARNING` is WARN, `CRITICAL` FATAL. */
export function lineLevel(level: string): string {
  return PYTHON_NAMES.get(level) ?? level;
}

/**
 * Text the header of every line of `level` holds, whichever name wrote it (`WARN] [` and
 * `WARNING] [` both hold `WARN`), for the scanner to skip to; undefined when the names share none
 * (FATAL and CRITICAL).
 */
export function levelNeedle(level: LineLevel): string | undefined {
  if (level === 'WARN') return 'WARN';
  if (level === 'FATAL') return undefined;
  return `${level}] [`;
}

export function isLevelName(level: string): level is LineLevel {
  return levelRank(level) >= 0;
}

export type { LogLevelName };
