import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { unescapeField } from '../../src/logging/escape.js';
import { formatTimestamp } from '../../src/logging/format.js';
import { lnavFormat } from '../../src/logging/lnav-format.js';
import { runCli, runNode } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const WRITER = fileURLToPath(new URL('../support/level-writer.mjs', import.meta.url));
const hasLnav = spawnSync('lnav', ['-V'], { encoding: 'utf8' }).status === 0;
/** StoryOS's levels and the lnav level each maps to. */
const LEVELS = { DEBUG: 'debug', INFO: 'info', PERF: 'stats', WARN: 'warning', ERROR: 'error', FATAL: 'fatal' } as const;

function storyos(args: string[], env: Record<string, string>) {
  return runCli(args, { cwd: env.HOME ?? process.cwd(), env });
}

/** A log written by StoryOS itself, with every level, PERF durations and a multi-line ERROR. */
function writeRealLog(): string {
  const dir = tempDir();
  const written = runNode(WRITER, [], { cwd: dir, env: { STORYOS_LOG_DIR: dir, STORYOS_LOG_LEVEL: 'DEBUG' } });
  expect(written.stderr).toBe('');
  expect(written.code).toBe(0);
  return dir;
}

/** Runs lnav headless on a file with the formats installed under `home`; the query's rows. */
function lnavQuery(home: string, file: string, sql: string): Array<Record<string, unknown>> {
  const result = spawnSync('lnav', ['-n', '-c', `;${sql}`, '-c', ':write-json-to -', file], {
    env: { PATH: process.env.PATH, HOME: home, TZ: process.env.TZ, LANG: 'C.UTF-8' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  // Samples that do not match the pattern, or a bad pattern, are reported on stderr at start-up.
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as Array<Record<string, unknown>>;
}

describe('storyos logs lnav', () => {
  it('prints the format definition as JSON: storyos_log, PERF as stats, a sample for every level', () => {
    const home = tempDir();
    const printed = storyos(['logs', 'lnav'], { HOME: home });
    expect(printed.code).toBe(0);
    const format = JSON.parse(printed.stdout);
    expect(format).toEqual(lnavFormat());
    const definition = format.storyos_log;
    expect(definition['timestamp-format']).toEqual(['%Y-%m-%d %H:%M:%S,%L']);
    expect(definition.value.duration.kind).toBe('float');
    const samples: string[] = definition.sample.map((s: { line: string }) => s.line);
    for (const level of [...Object.keys(LEVELS), 'WARNING', 'CRITICAL']) expect(samples.some((line) => line.includes(`] [${level}] [`))).toBe(true);
    // Each sample's level maps to the lnav level its StoryOS level means.
    const mapped = (level: string) => Object.entries(definition.level as Record<string, string>).filter(([, re]) => new RegExp(re).test(level));
    expect(mapped('PERF')).toEqual([['stats', '^(?:PERF)$']]);
    expect(mapped('WARNING').map(([l]) => l)).toEqual(['warning']);
    expect(mapped('CRITICAL').map(([l]) => l)).toEqual(['fatal']);
    expect(fs.readdirSync(home)).toEqual([]);
  });

  it("--install without lnav on PATH writes the format into lnav's folder under HOME, and says where", () => {
    const home = tempDir();
    const dotLnav = storyos(['logs', 'lnav', '--install'], { HOME: home, PATH: '/nonexistent' });
    expect(dotLnav.code).toBe(0);
    const file = path.join(home, '.lnav', 'formats', 'installed', 'storyos_log.json');
    expect(dotLnav.stdout).toContain(file);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(lnavFormat());

    // With no ~/.lnav but a configuration folder, lnav 0.11 reads $XDG_CONFIG_HOME/lnav (or ~/.config/lnav).
    const xdgHome = tempDir();
    const config = tempDir();
    const xdg = storyos(['logs', 'lnav', '--install'], { HOME: xdgHome, XDG_CONFIG_HOME: config, PATH: '/nonexistent' });
    expect(xdg.code).toBe(0);
    expect(xdg.stdout).toContain(path.join(config, 'lnav', 'formats', 'installed', 'storyos_log.json'));
    expect(fs.existsSync(path.join(config, 'lnav', 'formats', 'installed', 'storyos_log.json'))).toBe(true);
  });

  it('--install says in one sentence why, and exits 1, when lnav -i fails', () => {
    const bin = tempDir();
    fs.writeFileSync(path.join(bin, 'lnav'), "#!/bin/sh\nprintf '\\033[31m✘ error: unable to open format file\\033[0m\\n' >&2\nexit 1\n", { mode: 0o755 });
    const home = tempDir();
    const failed = storyos(['logs', 'lnav', '--install'], { HOME: home, PATH: `${bin}:/usr/bin:/bin` });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toBe('storyos: lnav -i could not install the format: \\u001b[31m✘ error: unable to open format file\\u001b[0m\n');
    expect(fs.readdirSync(home)).toEqual([]);
  });
});

// lnav is a test dependency in CI (.ci/run installs it and sets STORYOS_CI): there the test must run.
describe.skipIf(!hasLnav && !process.env.STORYOS_CI)('lnav reading a log StoryOS wrote, with the installed format', () => {
  it('counts each level as `storyos logs grep --level … --count` does, and reads the fields and durations as the reader does', () => {
    const dir = writeRealLog();
    const log = path.join(dir, 'storyos.log');
    const home = tempDir();
    const installed = storyos(['logs', 'lnav', '--install'], { HOME: home });
    expect(installed.stderr).toBe('');
    expect(installed.code).toBe(0);
    expect(installed.stdout).toContain(`with lnav -i): ${path.join(home, '.lnav', 'formats', 'installed', 'storyos_log.json')}`);

    const env = { HOME: home, STORYOS_LOG_DIR: dir };
    const counts = lnavQuery(home, log, 'SELECT log_level, count(*) AS n FROM storyos_log GROUP BY log_level');
    const byLevel = Object.fromEntries(counts.map((row) => [row.log_level, row.n]));
    for (const [level, lnavLevel] of Object.entries(LEVELS)) {
      const grep = storyos(['logs', 'grep', '--level', level, '--count'], env);
      expect(grep.code, level).toBe(0);
      expect({ level, n: byLevel[lnavLevel] }).toEqual({ level, n: Number(grep.stdout.trim()) });
    }
    expect(Object.keys(byLevel).sort()).toEqual(Object.values(LEVELS).sort());

    // Entry by entry, in order: time, level, module, message and the context columns, as `grep --json` reads them.
    const rows = lnavQuery(
      home,
      log,
      'SELECT log_time, log_level, module, message, duration, typeof(duration) AS duration_type, session, user_id, operation, status, model, error, log_body FROM storyos_log ORDER BY log_line',
    );
    const entries = storyos(['logs', 'grep', '--json'], env)
      .stdout.trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            time: string;
            level: keyof typeof LEVELS;
            module: string;
            message: string;
            context: Record<string, string>;
            continuation: string[];
          },
      );
    expect(rows).toHaveLength(entries.length);
    const column = (value: unknown) => (value === null ? undefined : unescapeField(String(value)));
    const seen = rows.map((row) => ({
      time: String(row.log_time).replace('.', ','),
      level: row.log_level,
      module: row.module,
      message: row.message,
      // write-json-to gives a REAL as its text; typeof() below says what SQLite holds.
      duration: row.duration === null ? undefined : Number(row.duration),
      session: column(row.session),
      user_id: column(row.user_id),
      operation: column(row.operation),
      status: column(row.status),
      model: column(row.model),
      error: column(row.error),
    }));
    const expected = entries.map((e) => ({
      time: formatTimestamp(new Date(e.time)),
      level: LEVELS[e.level],
      module: e.module,
      message: e.message,
      duration: e.context.duration === undefined ? undefined : Number.parseFloat(e.context.duration),
      session: e.context.session,
      user_id: e.context.user_id,
      operation: e.context.operation,
      status: e.context.status,
      model: e.context.model,
      error: e.context.error,
    }));
    expect(seen).toEqual(expected);
    expect(rows.filter((row) => row.duration !== null).every((row) => row.duration_type === 'real')).toBe(true);
    // The multi-line ERROR is one entry whose body holds its stack trace.
    const failed = rows.find((row) => row.message === 'save_turn failed');
    expect(String(failed?.log_body)).toMatch(/\n {4}Error: database is locked\n {4}at /);
    // A user's text with `, `, `: ` and parentheses in a context value ends neither the message nor the context.
    expect(rows.filter((row) => row.message === 'User action: take_turn' && row.session !== null)).toHaveLength(5);

    // duration is a number lnav adds up: the sum of the PERF durations equals the sum of what the reader reads.
    const [sum] = lnavQuery(home, log, "SELECT sum(duration) AS total, count(duration) AS n FROM storyos_log WHERE log_level = 'stats'");
    const perf = entries.filter((e) => e.level === 'PERF').map((e) => Number.parseFloat(e.context.duration ?? 'NaN'));
    expect(Number(sum?.n)).toBe(perf.length);
    expect(Number(sum?.total)).toBeCloseTo(
      perf.reduce((a, b) => a + b, 0),
      6,
    );
  });

  it('lnav reports a sample the pattern does not match, so a clean start-up means every sample validated', () => {
    const home = tempDir();
    const format = lnavFormat();
    format.storyos_log.sample.push({ line: '[2024-01-15 10:30:15] [INFO] [auth] no milliseconds' });
    const file = path.join(tempDir(), 'storyos_log.json');
    fs.writeFileSync(file, JSON.stringify(format));
    expect(spawnSync('lnav', ['-i', file], { env: { PATH: process.env.PATH, HOME: home }, encoding: 'utf8' }).status).toBe(0);
    const log = path.join(writeRealLog(), 'storyos.log');
    const result = spawnSync('lnav', ['-n', '-c', ';SELECT 1', log], { env: { PATH: process.env.PATH, HOME: home }, encoding: 'utf8' });
    expect(result.stderr).toContain('does not match');
    expect(result.status).not.toBe(0);
  });
});
