import type { LogLevelName } from '../config/env.js';

/** PERF sits between INFO (20000) and WARN (30000) in log4js's scale. */
export const CUSTOM_LEVELS = { PERF: { value: 25000, colour: 'cyan' } } as const;

/** Every level a StoryOS line can carry, lowest first. */
export const LEVEL_ORDER = ['DEBUG', 'INFO', 'PERF', 'WARN', 'ERROR', 'FATAL'] as const;
export type LineLevel = (typeof LEVEL_ORDER)[number];

export function levelRank(level: string): number {
  return LEVEL_ORDER.indexOf(normalizeLevel(level) as LineLevel);
}

/** Python's names for two of them (StoryOS v2 wrote its logs with Python's `logging`). */
export const LEVEL_ALIASES: Readonly<Record<string, LineLevel>> = { WARNING: 'WARN', CRITICAL: 'FATAL' };

/** Accepts the spellings an operator may type (`warning`, `Warn`, `perf`) and Python's names. */
export function normalizeLevel(level: string): string {
  const upper = level.trim().toUpperCase();
  return LEVEL_ALIASES[upper] ?? upper;
}

/** Every way a line may spell a level: its name and Python's, if it has one. */
export function spellingsOf(level: LineLevel): string[] {
  return [level, ...Object.keys(LEVEL_ALIASES).filter((alias) => LEVEL_ALIASES[alias] === level)];
}

/** A level as a line writes it (upper case), as StoryOS names it: `WARNING` is WARN, `CRITICAL` FATAL. */
export function lineLevel(level: string): string {
  return LEVEL_ALIASES[level] ?? level;
}

export function isLevelName(level: string): level is LineLevel {
  return levelRank(level) >= 0;
}

export type { LogLevelName };
