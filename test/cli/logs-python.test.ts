import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listLogSet } from '../../src/logging/log-files.js';
import { runCli } from '../support/cli.js';
import { type PythonLogMode, writePythonLogs } from '../support/python-logs.js';

/**
 * `storyos logs` on files Python's `logging` wrote (test/support/python-logs.py): StoryOS v2's own
 * format, rotated by size and by day, its error file, and StoryOS's format with Python's level
 * names. Each set is written once; the commands only read it.
 */
const sets = {} as Record<PythonLogMode, string>;
let root: string;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'storyos-python-logs-'));
  for (const mode of ['rotating', 'timed', 'ms', 'bracket'] as const) {
    sets[mode] = path.join(root, mode);
    fs.mkdirSync(sets[mode]);
    writePythonLogs(sets[mode], mode);
  }
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function logs(mode: PythonLogMode, ...args: string[]) {
  return runCli(['logs', ...args], { cwd: sets[mode], env: { STORYOS_LOG_DIR: sets[mode] } });
}

/** The header lines of the output (entries start with v2's timestamp or StoryOS's `[`). */
const headers = (stdout: string) => stdout.split('\n').filter((l) => /^(\d{4}-\d\d-\d\d |\[\d{4})/.test(l));
const json = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('storyos logs on StoryOS v2 logs (Python logging, size rotation)', () => {
  it('lists the rotated files oldest first and prints every entry in time order, tracebacks attached', () => {
    expect(listLogSet(sets.rotating, 'storyos.log').map((f) => f.name)).toEqual(['storyos.log.3', 'storyos.log.2', 'storyos.log.1', 'storyos.log']);
    const all = logs('rotating', 'grep');
    expect(all.code).toBe(0);
    const lines = headers(all.stdout);
    expect(lines).toHaveLength(28);
    const times = lines.map((l) => l.slice(0, 19));
    expect(times).toEqual([...times].sort());
    expect(lines[0]).toMatch(/^2025-01-15 10:30:15 - logging_config - INFO - day:\d+ - Logging configured - level: DEBUG, rotation: size$/);
    expect(all.stdout).toMatch(/ - Turn failed for bob\nTraceback \(most recent call last\):\n {2}File "[^"]+", line \d+, in day\n/);
    expect(all.stdout).toContain(' - Two lines\nsecond line of the message\n');
    // The escape sequence v2 wrote into its log reaches the terminal as text, not as colour.
    expect(all.stdout).toContain('Control \\u001b[31mred\\u001b[0m and\\ttab');
    expect(all.stdout).not.toContain('\u001b');
  });

  it('finds WARNING lines with --level WARN and CRITICAL ones with --min-level ERROR', () => {
    const warn = logs('rotating', 'grep', '--level', 'WARN');
    expect(warn.code).toBe(0);
    expect(headers(warn.stdout)).toEqual([
      expect.stringMatching(/^2025-01-15 10:30:21 - llm_utils - WARNING - day:\d+ - Rate limited - retrying in 2s - attempt 2$/),
      expect.stringMatching(/^2025-01-15 10:30:37 - llm_utils - WARNING - /),
    ]);
    const severe = headers(logs('rotating', 'grep', '--min-level', 'ERROR').stdout);
    expect(severe.map((l) => l.split(' - ')[2])).toEqual(['ERROR', 'CRITICAL', 'ERROR', 'ERROR', 'CRITICAL', 'ERROR']);
    expect(logs('rotating', 'grep', '--level', 'FATAL', '--count').stdout).toBe('2\n');
    expect(logs('rotating', 'grep', '--level', 'critical', '--count').stdout).toBe('2\n');
    expect(logs('rotating', 'grep', '--level', 'PERF', '--count').stdout).toBe('4\n');
  });

  it('filters by user, session, duration, module and time from what the v2 messages say', () => {
    expect(headers(logs('rotating', 'grep', '--user', 'ALICE').stdout)).toEqual([
      expect.stringContaining('User: alice | Action: login'),
      expect.stringContaining('User: alice | Action: login'),
    ]);
    const slow = headers(logs('rotating', 'grep', '--slower-than', '2s').stdout);
    expect(slow).toEqual([expect.stringContaining('Duration: 3.340s'), expect.stringContaining('Duration: 4.340s')]);
    expect(headers(logs('rotating', 'grep', '--slower-than', '1.2s').stdout).map((l) => /Duration: (\S+)/.exec(l)?.[1])).toEqual([
      '3.340s',
      '1.234s',
      '4.340s',
      '1.234s',
    ]);
    const session = logs('rotating', 'grep', '--session', 'sess-1b');
    expect(headers(session.stdout)).toEqual([expect.stringContaining('Action: new_game'), expect.stringContaining('Error: no game sess-1b')]);
    expect(session.stdout).toContain('ValueError: no game sess-1b\n');
    expect(logs('rotating', 'grep', '--module', 'user_actions', '--count').stdout).toBe('4\n');
    expect(logs('rotating', 'grep', '--since', '2025-01-15 10:30:40', '--until', '2025-01-15 10:30:43', '--count').stdout).toBe('3\n');
    expect(logs('rotating', 'grep', 'Forest - night', '-F', '--count').stdout).toBe('2\n');
    const none = logs('rotating', 'grep', '--user', 'carol');
    expect([none.code, none.stdout]).toEqual([1, '']);
  });

  it('prints JSON with the StoryOS level, the written one, the message, the context and the traceback', () => {
    const [perf] = json(logs('rotating', 'grep', '--level', 'PERF', '--json', 'process_player_input').stdout);
    expect(perf).toEqual({
      time: expect.stringMatching(/^2025-01-15T10:30:18\.000[+-]\d\d:\d\d$/),
      level: 'PERF',
      level_as_written: 'INFO',
      module: 'game_logic',
      message: "Performance | Operation: process_player_input | Duration: 3.340s | Details: {'session_id': 'sess-1a', 'input_length': 45}",
      context: { function: 'log_performance', line: expect.stringMatching(/^\d+$/), operation: 'process_player_input', duration: '3.34s', session: 'sess-1a' },
      continuation: [],
    });
    const [failure] = json(logs('rotating', 'grep', '--json', 'Turn failed').stdout);
    expect(failure).toMatchObject({ level: 'ERROR', module: 'game_logic', message: 'Turn failed for bob', context: { function: 'day' } });
    expect(failure).not.toHaveProperty('level_as_written');
    expect(failure?.continuation).toEqual([
      'Traceback (most recent call last):',
      expect.stringMatching(/^ {2}File /),
      '    {}["missing"]',
      '    ~~^^^^^^^^^^^',
      "KeyError: 'missing'",
    ]);
    const [warning] = json(logs('rotating', 'grep', '--json', '--level', 'WARN').stdout);
    expect(warning).toMatchObject({ level: 'WARN', level_as_written: 'WARNING', message: 'Rate limited - retrying in 2s - attempt 2' });
  });

  it('tails the last entries across the rotated files', () => {
    const last = logs('rotating', 'tail', '-n', '3');
    expect(last.code).toBe(0);
    expect(headers(last.stdout).map((l) => l.split(' - ').slice(1, 3).join(' '))).toEqual(['auth INFO', 'db_utils CRITICAL', 'game_logic ERROR']);
    expect(last.stdout.endsWith("KeyError: 'missing'\n")).toBe(true);
    // The last warnings are in older files: the reader goes back through them.
    const warnings = headers(logs('rotating', 'tail', '-n', '5', '--level', 'WARN').stdout);
    expect(warnings.map((l) => l.slice(0, 19))).toEqual(['2025-01-15 10:30:21', '2025-01-15 10:30:37']);
  });

  it('gives stats: v2 performance lines as PERF operations, warnings and errors per logger', () => {
    const text = logs('rotating', 'stats');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^28 entries from 2025-01-15 10:30:15,000 to 2025-01-15 10:30:45,000\n/);
    expect(text.stdout).toMatch(/process_player_input +2 +3\.34s +4\.34s +4\.34s +4\.34s/);
    expect(text.stdout).toMatch(/llm_utils +2 +2 +0/);
    const stats = JSON.parse(logs('rotating', 'stats', '--json').stdout) as {
      operations: Array<{ operation: string; count: number }>;
      modules: Array<{ module: string; warnings: number; errors: number }>;
    };
    expect(stats.operations.map((o) => [o.operation, o.count])).toEqual([
      ['process_player_input', 2],
      ['save_turn', 2],
    ]);
    expect(stats.modules.filter((m) => m.warnings || m.errors)).toEqual([
      expect.objectContaining({ module: 'db_utils', warnings: 0, errors: 2 }),
      expect.objectContaining({ module: 'game_logic', warnings: 0, errors: 4 }),
      expect.objectContaining({ module: 'llm_utils', warnings: 2, errors: 0 }),
    ]);
  });

  it("reads the error file: Exception: … and --- and the traceback are the entry's continuation", () => {
    const errors = logs('rotating', 'grep', '--errors');
    expect(errors.code).toBe(0);
    expect(headers(errors.stdout)).toHaveLength(6);
    expect(errors.stdout).toMatch(
      / - Error: no game sess-1b \| Context: \{'operation': 'load_game', 'session_id': 'sess-1b'\}\nException: \(<class 'ValueError'>, ValueError\('no game sess-1b'\), <traceback object at 0x[0-9a-f]+>\)\n---\nTraceback \(most recent call last\):\n/,
    );
    const entries = json(logs('rotating', 'grep', '--errors', '--json', '--min-level', 'ERROR').stdout);
    expect(entries.map((e) => e.level)).toEqual(['ERROR', 'FATAL', 'ERROR', 'ERROR', 'FATAL', 'ERROR']);
    expect(entries[1]).toMatchObject({ level_as_written: 'CRITICAL', message: 'Database unreachable - giving up', continuation: ['Exception: None', '---'] });
    expect((entries[0] as { continuation: string[] }).continuation.slice(0, 3)).toEqual([
      expect.stringMatching(/^Exception: \(<class 'ValueError'>/),
      '---',
      'Traceback (most recent call last):',
    ]);
    expect((entries[0] as { continuation: string[] }).continuation.at(-1)).toBe('ValueError: no game sess-1b');
    expect(entries[0]?.context).toMatchObject({ function: 'log_error', operation: 'load_game', session: 'sess-1b', error: 'no game sess-1b' });
    expect(logs('rotating', 'tail', '--errors', '-n', '1').stdout).toMatch(/ - Turn failed for bob\nException: \(<class 'KeyError'>.*\n---\nTraceback/);
  });
});

describe('storyos logs on StoryOS v2 logs rotated at midnight (TimedRotatingFileHandler, suffix %Y%m%d)', () => {
  it('lists storyos.log.YYYYMMDD by date before the active file and reads them in order', () => {
    expect(fs.readdirSync(sets.timed).sort()).toEqual(['storyos.log', 'storyos.log.20250113', 'storyos.log.20250114']);
    expect(listLogSet(sets.timed, 'storyos.log').map((f) => f.name)).toEqual(['storyos.log.20250113', 'storyos.log.20250114', 'storyos.log']);
    expect(headers(logs('timed', 'grep', 'begins').stdout).map((l) => l.split(' - ').at(-1))).toEqual(['Day 1 begins', 'Day 2 begins', 'Day 3 begins']);
    expect(headers(logs('timed', 'grep', '--since', '2025-01-14', '--until', '2025-01-14').stdout)).toEqual([
      expect.stringContaining('Day 2 begins'),
      expect.stringContaining("'session_id': 'day-2'"),
    ]);
    expect(headers(logs('timed', 'tail', '-n', '1', '--session', 'day-1').stdout)).toEqual([expect.stringMatching(/^2025-01-13 09:00:01 - /)]);
    const stats = JSON.parse(logs('timed', 'stats', '--json').stdout) as { operations: Array<{ operation: string; count: number; max: number }> };
    expect(stats.operations).toEqual([expect.objectContaining({ operation: 'process_player_input', count: 3, max: 1.5 })]);
  });
});

describe("storyos logs on v2's format with Python's default milliseconds", () => {
  it('keeps the milliseconds in the time, for filters and JSON', () => {
    const [first] = json(logs('ms', 'grep', '--json', 'Logging configured').stdout);
    expect(first?.time).toMatch(/^2025-01-15T10:30:15\.123[+-]/);
    expect(logs('ms', 'grep', '--since', '2025-01-15 10:30:16.300', '--until', '2025-01-15 10:30:18.500', '--count').stdout).toBe('2\n');
  });
});

describe("storyos logs on StoryOS's line format written by Python's logging", () => {
  it('reads WARNING and CRITICAL as WARN and FATAL, and a traceback that is not indented as the continuation', () => {
    expect(headers(logs('bracket', 'grep', '--level', 'WARN').stdout)).toEqual(['[2025-01-15 10:30:17,750] [WARNING] [llm_utils] Rate limited (attempt: 2)']);
    expect(headers(logs('bracket', 'grep', '--level', 'FATAL').stdout)).toEqual(['[2025-01-15 10:30:20,000] [CRITICAL] [db_utils] Database unreachable']);
    expect(headers(logs('bracket', 'grep', '--min-level', 'ERROR').stdout).map((l) => l.slice(26).split(' ')[0])).toEqual(['[ERROR]', '[CRITICAL]', '[ERROR]']);
    expect(logs('bracket', 'grep', '--min-level', 'WARN', '--module', 'db_utils', '--count').stdout).toBe('2\n');
    const [critical] = json(logs('bracket', 'grep', '--json', '--level', 'FATAL').stdout);
    expect(critical).toMatchObject({ level: 'FATAL', level_as_written: 'CRITICAL', module: 'db_utils', message: 'Database unreachable' });
    const errors = json(logs('bracket', 'grep', '--errors', '--json', '--session', 's1').stdout);
    expect(errors).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'Turn failed',
        continuation: ['Traceback (most recent call last):', expect.stringMatching(/^ {2}File /), '    raise RuntimeError("boom")', 'RuntimeError: boom'],
      }),
    ]);
    const stats = JSON.parse(logs('bracket', 'stats', '--json').stdout) as { modules: Array<{ module: string; warnings: number; errors: number }> };
    expect(stats.modules.map((m) => [m.module, m.warnings, m.errors])).toEqual([
      ['auth', 0, 0],
      ['db_utils', 0, 2],
      ['game_logic', 0, 1],
      ['llm_utils', 1, 0],
    ]);
  });
});
