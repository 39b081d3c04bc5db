import path from 'node:path';
import { UserFacingError } from '../../config/errors.js';
import { CATEGORIES } from '../../logging/categories.js';
import { formatTimestamp } from '../../logging/format.js';
import { ERROR_LOG, listLogSet, MAIN_LOG } from '../../logging/log-files.js';
import { deleteFiles, filesOlderThan, rotateNow, summarize } from '../../logging/maintenance.js';
import { buildFilter, splitList, type EntryFilter } from '../../logging/reader/filter.js';
import { EntryPrinter, colourWanted } from '../../logging/reader/output.js';
import { collectStatsInParallel, grepFiles } from '../../logging/reader/parallel.js';
import { type ActivityUnit, renderStats } from '../../logging/reader/stats.js';
import { lastEntries, LogFollower } from '../../logging/reader/tail.js';
import { V2_LOGGER_NAMES } from '../../logging/reader/v2-format.js';
import { parseAgeMs, parseDurationSeconds, parseTimeSpec } from '../../logging/reader/time-spec.js';
import { existingLogDir, loadConfig, startCommandLogging } from '../context.js';
import { EXIT } from '../exit.js';

export interface FilterFlags {
  level?: string[];
  minLevel?: string;
  module?: string[];
  user?: string;
  session?: string;
  since?: string;
  until?: string;
  slowerThan?: string;
  ignoreCase?: boolean;
  fixedStrings?: boolean;
  errors?: boolean;
  dir?: string;
}

/** StoryOS's own categories (and v2's other loggers): a typo in --module is an error, not an empty result. */
function checkModules(modules: string[] | undefined): string[] | undefined {
  const known: readonly string[] = [...CATEGORIES, ...V2_LOGGER_NAMES];
  for (const module of modules ?? []) {
    if (!known.includes(module))
      throw new UserFacingError(
        `Unknown module ${JSON.stringify(module)}: use one of ${CATEGORIES.join(', ')} (or, in StoryOS v2's logs, ${V2_LOGGER_NAMES.join(', ')}).`,
      );
  }
  return modules;
}

export function filterFrom(pattern: string | undefined, flags: FilterFlags): EntryFilter {
  const now = Date.now();
  return buildFilter({
    pattern,
    ignoreCase: flags.ignoreCase,
    fixedString: flags.fixedStrings,
    levels: splitList(flags.level),
    minLevel: flags.minLevel,
    modules: checkModules(splitList(flags.module)),
    user: flags.user,
    session: flags.session,
    since: flags.since === undefined ? undefined : parseTimeSpec(flags.since, '--since', now),
    until: flags.until === undefined ? undefined : parseTimeSpec(flags.until, '--until', now),
    slowerThanSeconds: flags.slowerThan === undefined ? undefined : parseDurationSeconds(flags.slowerThan),
  });
}

const logName = (flags: FilterFlags) => (flags.errors ? ERROR_LOG : MAIN_LOG);

function logFiles(flags: FilterFlags) {
  return logSetOrNote(existingLogDir(flags.dir), logName(flags));
}

/** The log's files; when there are none yet, a line on stderr says so (the exit code says no match). */
function logSetOrNote(dir: string, name: string) {
  const files = listLogSet(dir, name);
  if (files.length === 0) process.stderr.write(`storyos: no ${name} in ${dir} yet: nothing has been logged there.\n`);
  return files;
}

const found = (count: number) => (count > 0 ? EXIT.ok : EXIT.noMatch);

export async function grep([pattern]: string[], flags: FilterFlags & { count?: boolean; json?: boolean }): Promise<number> {
  const { options } = filterFrom(pattern, flags);
  const mode = flags.count ? 'count' : flags.json ? 'json' : 'text';
  const terminal = process.stdout.isTTY === true;
  const printer = new EntryPrinter(mode, colourWanted(), 1, terminal);
  const run = await grepFiles(logFiles(flags), { options, mode, colour: colourWanted(), terminal }, (output) => printer.writeBytes(output));
  if (flags.count) printer.write(`${run.count}\n`);
  printer.flush();
  return found(run.count);
}

function parseLineCount(text: string): number {
  if (!/^\d+$/.test(text)) throw new UserFacingError(`Invalid -n value ${JSON.stringify(text)}: use a whole number of entries.`);
  return Number(text);
}

export async function tail([pattern]: string[], flags: FilterFlags & { lines: string; follow?: boolean; json?: boolean }): Promise<number> {
  const count = parseLineCount(flags.lines);
  const filter = filterFrom(pattern, flags);
  const dir = existingLogDir(flags.dir);
  const files = logSetOrNote(dir, logName(flags));
  const printer = new EntryPrinter(flags.json ? 'json' : 'text', colourWanted(), 1, process.stdout.isTTY === true);
  for (const entry of lastEntries(files, filter, count)) printer.print(entry);
  printer.flush();
  if (!flags.follow) return found(printer.count);
  const follower = new LogFollower(path.join(dir, logName(flags)), filter, (entry) => {
    printer.print(entry);
    printer.flush();
  });
  follower.start();
  const code = await new Promise<number>((resolve) => {
    for (const [signal, number] of STOP_SIGNALS) {
      process.once(signal, () => {
        // The terminal echoed ^C; end its line so the shell's prompt starts on its own.
        if (signal === 'SIGINT' && process.stderr.isTTY) process.stderr.write('\n');
        resolve(128 + number);
      });
    }
    const stopWhenReaderLeaves = setInterval(() => !printer.open && resolve(EXIT.ok), 500);
    stopWhenReaderLeaves.unref();
  });
  follower.stop();
  printer.flush();
  return code;
}

/** `tail -f` ends when stopped; like tail(1) it exits 128 + the signal's number (130 for Ctrl+C). */
const STOP_SIGNALS = [
  ['SIGINT', 2],
  ['SIGTERM', 15],
  ['SIGHUP', 1],
] as const;

function activityUnit(by: string | undefined): ActivityUnit | undefined {
  if (by === undefined || by === 'hour' || by === 'day') return by;
  throw new UserFacingError(`Invalid --by value ${JSON.stringify(by)}: use hour or day.`);
}

export async function stats(_args: string[], flags: FilterFlags & { json?: boolean; by?: string }): Promise<number> {
  const by = activityUnit(flags.by);
  const files = logFiles(flags);
  const collector = await collectStatsInParallel(files, filterFrom(undefined, flags).options, undefined, loadConfig().log.nativeScan);
  const result = collector.result({ by });
  process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : renderStats(result));
  return found(result.entries);
}

export async function rotate(_args: string[], flags: { errors?: boolean; all?: boolean; dir?: string }): Promise<number> {
  const config = loadConfig();
  const log = { ...config.log, dir: existingLogDir(flags.dir) };
  const results = rotateNow(log, flags.all ? 'all' : flags.errors ? 'errors' : 'main');
  for (const r of results) process.stdout.write(r.rotated ? `Rotated ${r.file}\n` : `Nothing to rotate: ${r.file} is empty or absent\n`);
  await startCommandLogging({ ...config, log });
  const { getLogger } = await import('../../logging/logger.js');
  getLogger('cli').info('Log files rotated', {
    files:
      results
        .filter((r) => r.rotated)
        .map((r) => r.file)
        .join(' ') || 'none',
  });
  return found(results.filter((r) => r.rotated).length);
}

export async function clean(_args: string[], flags: { olderThan: string; dryRun?: boolean; dir?: string }): Promise<number> {
  const ageMs = parseAgeMs(flags.olderThan);
  const config = loadConfig();
  const dir = existingLogDir(flags.dir);
  const files = filesOlderThan(dir, ageMs);
  const verb = flags.dryRun ? 'Would delete' : 'Deleted';
  if (!flags.dryRun) deleteFiles(files);
  for (const file of files) process.stdout.write(`${verb} ${file.path} (${file.size} bytes)\n`);
  if (files.length === 0) process.stdout.write(`No rotated log files older than ${flags.olderThan}.\n`);
  if (!flags.dryRun && files.length > 0) {
    await startCommandLogging({ ...config, log: { ...config.log, dir } });
    const { getLogger } = await import('../../logging/logger.js');
    getLogger('cli').info('Old log files deleted', { count: files.length, older_than: flags.olderThan });
  }
  return found(files.length);
}

const bytes = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`);

export async function config(_args: string[], flags: { json?: boolean; dir?: string }): Promise<number> {
  const { log } = loadConfig();
  const effective = { ...log, dir: flags.dir ?? log.dir };
  const sets = summarize(effective);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ settings: effective, logs: sets }, null, 2)}\n`);
    return EXIT.ok;
  }
  const lines = [
    'Settings',
    `  directory        ${effective.dir}`,
    `  level            ${effective.level}`,
    `  to file          ${effective.toFile}`,
    `  rotation         ${effective.rotationType}${effective.rotationType === 'time' ? ' (daily at midnight)' : ''}`,
    `  max size         ${effective.maxSizeMb} MB (storyos.log)`,
    `  error max size   ${effective.errorMaxSizeMb} MB (storyos_errors.log, always by size)`,
    `  backups          ${effective.backupCount}`,
  ];
  for (const set of sets) {
    lines.push('', `${set.log}: ${set.policy}`);
    if (set.files.length === 0) lines.push('  (no files yet)');
    for (const f of set.files)
      lines.push(`  ${f.name.padEnd(32)} ${bytes(f.size).padStart(10)}  modified ${formatTimestamp(new Date(f.modified)).slice(0, 19)}`);
    lines.push(
      `  in use ${bytes(set.totalBytes)}; at most ${set.maxBytes === null ? 'unbounded by size (one file a day, kept for the backup count of days)' : bytes(set.maxBytes)}`,
    );
  }
  const bounded = sets.every((s) => s.maxBytes !== null);
  lines.push(
    '',
    `Largest disk use the settings allow: ${bounded ? bytes(sets.reduce((sum, s) => sum + (s.maxBytes ?? 0), 0)) : 'unbounded (time rotation keeps whole days)'}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}
