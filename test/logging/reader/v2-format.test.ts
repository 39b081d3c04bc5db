import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { levelPainter } from '../../../src/logging/appenders.js';
import { levelRank, normalizeLevel } from '../../../src/logging/levels.js';
import { listLogSet, type LogFileInfo } from '../../../src/logging/log-files.js';
import { parseBody, parseEntry, type LogEntry } from '../../../src/logging/reader/entry.js';
import { buildFilter } from '../../../src/logging/reader/filter.js';
import { EntryPrinter, entryToJson } from '../../../src/logging/reader/output.js';
import { scanChunk, searchFiles } from '../../../src/logging/reader/search.js';
import { StatsCollector } from '../../../src/logging/reader/stats.js';
import { LogFollower, lastEntries } from '../../../src/logging/reader/tail.js';
import {
  isV2File,
  isV2Text,
  lastV2Entries,
  levelAsWritten,
  messageContext,
  parseV2Entry,
  scanV2Text,
  searchV2File,
  v2Duration,
} from '../../../src/logging/reader/v2-format.js';
import { readLog, writePythonLogs } from '../../support/python-logs.js';
import { tempDir } from '../../support/temp.js';

const ERROR_ENTRY = [
  "2025-01-15 10:30:25 - game_logic - ERROR - log_error:80 - Error: no game s1 | Context: {'operation': 'load_game', 'session_id': 's1'}",
  "Exception: (<class 'ValueError'>, ValueError('no game s1'), <traceback object at 0x7f0000000000>)",
  '---',
  'Traceback (most recent call last):',
  '  File "game.py", line 99, in load',
  'ValueError: no game s1',
].join('\n');

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[\\d+m`, 'g');

function fileInfo(file: string, gzip = false): LogFileInfo {
  const st = fs.statSync(file);
  return { path: file, name: path.basename(file), kind: 'active', index: 0, date: '', part: 0, gzip, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
}

/** The fields of an entry as a plain object (a v2 entry makes its body when first read). */
const plain = ({ text, time, level, module, body }: LogEntry): LogEntry => ({ text, time, level, module, body });

function all(text: string): LogEntry[] {
  const out: LogEntry[] = [];
  scanV2Text(text, buildFilter({}), (e) => void out.push(e));
  return out;
}

describe("level names of Python's logging", () => {
  it('reads WARNING as WARN and CRITICAL as FATAL, in rank and colour too', () => {
    expect(normalizeLevel('WARNING')).toBe('WARN');
    expect(normalizeLevel('critical')).toBe('FATAL');
    expect(normalizeLevel(' Warn ')).toBe('WARN');
    expect(levelRank('CRITICAL')).toBe(levelRank('FATAL'));
    expect(levelRank('WARNING')).toBeGreaterThan(levelRank('PERF'));
    const paint = levelPainter(true);
    expect(paint('WARNING')('x')).toBe(paint('WARN')('x'));
    expect(paint('CRITICAL')('x')).toBe(paint('FATAL')('x'));
    expect(paint('WARNING')('x')).not.toBe('x');
  });

  it('finds StoryOS-format lines that say WARNING and CRITICAL with --level and --min-level', () => {
    const text =
      '[2025-01-15 10:30:15,123] [WARNING] [auth] Weak password\n' +
      '[2025-01-15 10:30:16,123] [WARN] [auth] Slow login\n' +
      '[2025-01-15 10:30:17,123] [CRITICAL] [db_utils] Database unreachable\n' +
      '[2025-01-15 10:30:18,123] [INFO] [auth] WARNING in a message is not a level\n';
    const found = (options: Parameters<typeof buildFilter>[0]) => {
      const out: string[] = [];
      scanChunk(Buffer.from(text), buildFilter(options), (e) => void out.push(e.text.slice(26, 40)));
      return out;
    };
    expect(found({ levels: ['WARN'] })).toEqual(['[WARNING] [aut', '[WARN] [auth] ']);
    expect(found({ levels: ['warning'] })).toHaveLength(2);
    expect(found({ levels: ['FATAL'] })).toEqual(['[CRITICAL] [db']);
    expect(found({ levels: ['CRITICAL'] })).toEqual(['[CRITICAL] [db']);
    expect(found({ minLevel: 'ERROR' })).toEqual(['[CRITICAL] [db']);
    expect(found({ minLevel: 'WARN' })).toHaveLength(3);
  });

  it('counts WARNING and CRITICAL lines as warnings and errors in stats', () => {
    const stats = new StatsCollector();
    stats.add(parseEntry('[2025-01-15 10:30:15,123] [WARNING] [auth] Weak password'));
    stats.add(parseEntry('[2025-01-15 10:30:16,123] [CRITICAL] [auth] Locked out'));
    stats.add(parseV2Entry('2025-01-15 10:30:17 - auth - WARNING - login:3 - Slow'));
    expect(stats.result().modules).toEqual([{ module: 'auth', entries: 3, warnings: 2, errors: 1, errorRate: 1 / 3 }]);
  });

  it('gives --json the level as StoryOS names it, and the written one when that differs', () => {
    expect(entryToJson(parseEntry('[2025-01-15 10:30:15,123] [WARNING] [auth] Weak'))).toMatchObject({ level: 'WARN', level_as_written: 'WARNING' });
    expect(entryToJson(parseEntry('[2025-01-15 10:30:15,123] [WARN] [auth] Weak'))).not.toHaveProperty('level_as_written');
    expect(entryToJson(parseV2Entry('2025-01-15 10:30:15 - db - CRITICAL - f:1 - Down'))).toMatchObject({ level: 'FATAL', level_as_written: 'CRITICAL' });
    expect(entryToJson(parseV2Entry('2025-01-15 10:30:15 - db - ERROR - f:1 - Down'))).not.toHaveProperty('level_as_written');
    expect(levelAsWritten(parseV2Entry('2025-01-15 10:30:15 - g - INFO - f:1 - Performance | Operation: x | Duration: 1.000s'))).toBe('INFO');
  });
});

describe('parseV2Entry', () => {
  it('reads a header without milliseconds: time with ,000, level, logger, and function and line as context', () => {
    const entry = parseV2Entry('2025-01-15 10:30:15 - auth - INFO - login:42 - User alice logged in');
    expect(plain(entry)).toEqual({
      text: '2025-01-15 10:30:15 - auth - INFO - login:42 - User alice logged in',
      time: '2025-01-15 10:30:15,000',
      level: 'INFO',
      module: 'auth',
      body: 'User alice logged in (function: login, line: 42)',
    });
    expect(parseV2Entry('2025-01-15 10:30:15,123 - auth - INFO - login:42 - x').time).toBe('2025-01-15 10:30:15,123');
  });

  it('keeps ` - ` inside the message, and a logger name with one', () => {
    const entry = parseV2Entry('2025-01-15 10:30:21 - llm_utils - WARNING - call:9 - Rate limited - retrying - ERROR - x:1 - no');
    expect(entry).toMatchObject({ level: 'WARN', module: 'llm_utils' });
    expect(parseBody(entry.body)).toEqual({ message: 'Rate limited - retrying - ERROR - x:1 - no', context: { function: 'call', line: '9' } });
    expect(parseV2Entry('2025-01-15 10:30:21 - my - app - DEBUG - <module>:1 - hi')).toMatchObject({ module: 'my - app', level: 'DEBUG' });
  });

  it('turns what v2 messages say into StoryOS context fields the filters read', () => {
    const action = parseV2Entry(
      "2025-01-15 10:30:17 - user_actions - INFO - log_user_action:66 - User: alice | Action: login | Details: {'session_id': 'abc', 'note': 'a | b'}",
    );
    expect(parseBody(action.body).context).toEqual({ function: 'log_user_action', line: '66', user_id: 'alice', action: 'login', session: 'abc' });
    const perf = parseV2Entry(
      "2025-01-15 10:30:18 - game_logic - INFO - log_performance:70 - Performance | Operation: process_player_input | Duration: 2.340s | Details: {'session_id': 'abc'}",
    );
    expect(perf.level).toBe('PERF');
    expect(parseBody(perf.body).context).toMatchObject({ operation: 'process_player_input', duration: '2.34s', session: 'abc' });
    const api = parseV2Entry(
      '2025-01-15 10:30:20 - api_calls - INFO - log_api_call:74 - API Call | Service: xai | Endpoint: chat | Status: 200 | Duration: 1.234s | Details: {}',
    );
    expect(parseBody(api.body).context).toMatchObject({ service: 'xai', endpoint: 'chat', status: '200', duration: '1.234s' });
    expect(api.level).toBe('INFO');
    expect(messageContext('Performance | Operation: x | Duration: 250ms')).toEqual({ operation: 'x', duration: '0.25s' });
    // Two decimals as StoryOS writes them, more when v2 wrote more that count: 3.905 is slower than 3.9.
    expect(['2.340s', '3.905s', '2.000s', '2', '1234.5ms', '7ms', '2.3 s', 'fast'].map(v2Duration)).toEqual([
      '2.34s',
      '3.905s',
      '2.00s',
      '2.00s',
      '1.2345s',
      '0.007s',
      '2.30s',
      undefined,
    ]);
    expect(
      buildFilter({ slowerThanSeconds: 3.9 }).matches(parseV2Entry('2025-01-15 10:30:18 - g - INFO - f:1 - Performance | Operation: x | Duration: 3.905s')),
    ).toBe(true);
    expect(messageContext('Error: boom | Context: {"session_id": "q\'1", \'user_id\': 7}')).toEqual({ error: 'boom', session: "q'1", user_id: '7' });
    // Without v2's ` | ` layout, nothing is read into fields.
    expect(messageContext('User: alice logged in')).toEqual({});
    // A performance line at WARNING stays a warning.
    expect(parseV2Entry('2025-01-15 10:30:18 - g - WARNING - f:1 - Performance | Operation: x | Duration: 9.000s').level).toBe('WARN');
  });

  it("escapes a field's separators as StoryOS writes them, so --user and --session still match exactly", () => {
    const entry = parseV2Entry("2025-01-15 10:30:17 - user_actions - INFO - f:1 - User: o'hara, (x | Action: login | Details: {'session_id': 'a, b)'}");
    const { context } = parseBody(entry.body);
    expect(context).toMatchObject({ user_id: "o'hara, (x", session: 'a, b)' });
    expect(buildFilter({ user: "O'HARA, (x" }).matches(entry)).toBe(true);
    expect(buildFilter({ session: 'a, b)' }).matches(entry)).toBe(true);
    expect(buildFilter({ session: 'a' }).matches(entry)).toBe(false);
  });

  it('keeps continuation lines (Exception:, ---, the traceback) in the text, not in the body', () => {
    const entry = parseV2Entry(ERROR_ENTRY);
    expect(entry.text).toBe(ERROR_ENTRY);
    expect(entry.level).toBe('ERROR');
    expect(entry.body.startsWith('Error: no game s1 | Context: ')).toBe(true);
    expect(entryToJson(entry).continuation).toEqual(ERROR_ENTRY.split('\n').slice(1));
    expect(parseBody(entry.body).context).toMatchObject({ operation: 'load_game', session: 's1', error: 'no game s1' });
  });

  it('escapes control characters in the text and the body, but not the newlines between lines', () => {
    const entry = parseV2Entry('2025-01-15 10:30:27 - auth - INFO - f:1 - Control \u001b[31mred\tand\r\nnext\u0007 line\r');
    expect(entry.text).toBe('2025-01-15 10:30:27 - auth - INFO - f:1 - Control \\u001b[31mred\\tand\nnext\\u0007 line');
    expect(entry.body).toBe('Control \\u001b[31mred\\tand (function: f, line: 1)');
    expect(entry.text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });

  it('reads a StoryOS line among v2 ones as StoryOS does, and text before any header as an entry without fields', () => {
    const storyos = '[2025-01-15 10:31:00,000] [PERF] [game_logic] x completed (duration: 1.00s)\n    at y';
    expect(parseV2Entry(storyos)).toEqual(parseEntry(storyos));
    expect(parseV2Entry('leftover line\nanother')).toEqual({ text: 'leftover line\nanother', time: '', level: '', module: '', body: 'leftover line' });
  });
});

describe('splitting v2 text into entries', () => {
  it('starts an entry at each header line, v2 or StoryOS, whatever the lines between start with', () => {
    const text = `junk before\n${ERROR_ENTRY}\n2025-01-15 10:30:26 - auth - INFO - f:1 - Two lines\nsecond: not a header\n[2025-01-15 10:31:00,000] [WARN] [auth] v3 appended\n`;
    const entries = all(text);
    expect(entries.map((e) => [e.level, e.text.split('\n').length])).toEqual([
      ['', 1],
      ['ERROR', 6],
      ['INFO', 2],
      ['WARN', 1],
    ]);
  });

  it('sniffs the format from the first header line', () => {
    expect(isV2Text('2025-01-15 10:30:15 - auth - INFO - f:1 - x\n')).toBe(true);
    expect(isV2Text('a stray line\n2025-01-15 10:30:15,001 - auth - INFO - f:1 - x\n')).toBe(true);
    expect(isV2Text('[2025-01-15 10:30:15,123] [INFO] [auth] x\n2025-01-15 10:30:15 - auth - INFO - f:1 - x\n')).toBe(false);
    expect(isV2Text('2025-01-15 10:30:15 auth INFO x\n')).toBe(false);
    expect(isV2Text('')).toBe(false);
  });

  it('reads a file in chunks cut anywhere the same as whole, and stops when the visitor asks', () => {
    const dir = tempDir();
    writePythonLogs(dir, 'ms');
    const file = fileInfo(path.join(dir, 'storyos.log'));
    const whole = all(readLog(dir, 'storyos.log'));
    expect(whole.length).toBe(14);
    for (const chunkBytes of [1, 7, 64, 333]) {
      const chunked: LogEntry[] = [];
      expect(searchV2File(file, buildFilter({}), (e) => void chunked.push(e), chunkBytes)).toBe(true);
      expect(chunked.map(plain)).toEqual(whole.map(plain));
    }
    const firstTwo: LogEntry[] = [];
    expect(searchV2File(file, buildFilter({}), (e) => firstTwo.push(e) < 2, 50)).toBe(false);
    expect(firstTwo).toEqual(whole.slice(0, 2));
  });

  it('sniffs and reads a gzip-compressed v2 file', () => {
    const dir = tempDir();
    writePythonLogs(dir, 'rotating');
    fs.writeFileSync(path.join(dir, 'storyos.log.4.gz'), zlib.gzipSync(fs.readFileSync(path.join(dir, 'storyos.log.3'))));
    const gz = fileInfo(path.join(dir, 'storyos.log.4.gz'), true);
    expect(isV2File(gz)).toBe(true);
    expect(isV2File(fileInfo(path.join(dir, 'storyos.log.3')))).toBe(true);
    const fromGz: LogEntry[] = [];
    searchV2File(gz, buildFilter({}), (e) => void fromGz.push(e));
    expect(fromGz).toEqual(all(readLog(dir, 'storyos.log.3')));
    expect(lastV2Entries(gz, buildFilter({}), 2)).toEqual(fromGz.slice(-2));
  });
});

describe('the last entries of a v2 file', () => {
  it('reads backwards across windows, an entry longer than a window included', () => {
    const dir = tempDir();
    const file = path.join(dir, 'storyos.log');
    const lines: string[] = [];
    for (let i = 0; i < 30_000; i++)
      lines.push(`2025-01-15 10:30:15 - game_logic - ${i % 5 === 0 ? 'WARNING' : 'INFO'} - turn:${i} - entry ${i} - ${'x'.repeat(60)}`);
    // A traceback of 1.5 MB: longer than the 1 MB window the reader steps back by.
    lines.splice(29_000, 0, `2025-01-15 10:30:15 - game_logic - ERROR - turn:1 - long\n${'  File "a.py", line 1, in f\n'.repeat(55_000)}ValueError: x`);
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const info = fileInfo(file);
    const everything: LogEntry[] = [];
    searchV2File(info, buildFilter({}), (e) => void everything.push(e));
    expect(everything).toHaveLength(30_001);
    expect(lastV2Entries(info, buildFilter({}), 1_500)).toEqual(everything.slice(-1_500));
    const warnings = everything.filter((e) => e.level === 'WARN');
    expect(lastV2Entries(info, buildFilter({ levels: ['WARN'] }), 5_000)).toEqual(warnings.slice(-5_000));
    expect(lastEntries([info], buildFilter({ minLevel: 'ERROR' }), 3).map((e) => e.text.split('\n').length)).toEqual([55_002]);
  });
});

describe('v2 files through searchFiles, lastEntries, stats and the follower', () => {
  it('reads a log set of rotated v2 files and a StoryOS file after them, oldest first', () => {
    const dir = tempDir();
    writePythonLogs(dir, 'rotating');
    const v2Active = readLog(dir, 'storyos.log');
    // StoryOS (v3) takes over the directory: it rotates v2's active file away and starts its own.
    fs.renameSync(path.join(dir, 'storyos.log'), path.join(dir, 'storyos.log.0'));
    for (const n of [3, 2, 1, 0]) fs.renameSync(path.join(dir, `storyos.log.${n}`), path.join(dir, `storyos.log.${n + 1}`));
    fs.writeFileSync(path.join(dir, 'storyos.log'), '[2025-01-16 09:00:00,000] [WARN] [auth] v3 was here\n');
    const files = listLogSet(dir, 'storyos.log');
    expect(files.map((f) => f.name)).toEqual(['storyos.log.4', 'storyos.log.3', 'storyos.log.2', 'storyos.log.1', 'storyos.log']);
    expect(files.map(isV2File)).toEqual([true, true, true, true, false]);
    const seen: LogEntry[] = [];
    searchFiles(files, buildFilter({ minLevel: 'WARN' }), (e) => void seen.push(e));
    expect(seen.map((e) => [e.time.slice(11), e.level, e.module])).toEqual([
      ['10:30:21,000', 'WARN', 'llm_utils'],
      ['10:30:25,000', 'ERROR', 'game_logic'],
      ['10:30:28,000', 'FATAL', 'db_utils'],
      ['10:30:29,000', 'ERROR', 'game_logic'],
      ['10:30:37,000', 'WARN', 'llm_utils'],
      ['10:30:40,000', 'ERROR', 'game_logic'],
      ['10:30:44,000', 'FATAL', 'db_utils'],
      ['10:30:45,000', 'ERROR', 'game_logic'],
      ['09:00:00,000', 'WARN', 'auth'],
    ]);
    expect(lastEntries(files, buildFilter({}), 2).map((e) => e.text)).toEqual([
      all(v2Active).at(-1)?.text,
      '[2025-01-16 09:00:00,000] [WARN] [auth] v3 was here',
    ]);
  });

  it('counts v2 performance lines as PERF operations in stats', () => {
    const dir = tempDir();
    writePythonLogs(dir, 'rotating');
    const collector = new StatsCollector();
    searchFiles(listLogSet(dir, 'storyos.log'), buildFilter({}), (e) => collector.add(e));
    const stats = collector.result();
    expect(stats.entries).toBe(28);
    expect(stats.operations.map((o) => [o.operation, o.count, o.max])).toEqual([
      ['process_player_input', 2, 4.34],
      ['save_turn', 2, 0.05],
    ]);
    expect(stats.modules.find((m) => m.module === 'db_utils')).toEqual({ module: 'db_utils', entries: 6, warnings: 0, errors: 2, errorRate: 2 / 6 });
  });

  it('follows a v2 file: new entries with their tracebacks, filtered', () => {
    const dir = tempDir();
    const active = path.join(dir, 'storyos.log');
    fs.writeFileSync(active, '2025-01-15 10:30:15 - auth - INFO - f:1 - before\n');
    const seen: string[] = [];
    const follower = new LogFollower(active, buildFilter({ minLevel: 'WARN' }), (e) => seen.push(`${e.level} ${e.text.split('\n').length}`));
    follower.start(60_000);
    fs.appendFileSync(active, `2025-01-15 10:30:16 - auth - WARNING - f:1 - w\n2025-01-15 10:30:17 - auth - INFO - f:1 - i\n${ERROR_ENTRY}\n`);
    follower.poll();
    fs.appendFileSync(active, '2025-01-15 10:30:18 - db - CRITICAL - f:1 - down\n');
    follower.poll();
    follower.stop();
    expect(seen).toEqual(['WARN 1', 'ERROR 6', 'FATAL 1']);
  });
});

describe('colours', () => {
  it('paints a v2 entry like a StoryOS one: level by its StoryOS name, the continuation dim', () => {
    const dir = tempDir();
    const out = path.join(dir, 'out');
    const fd = fs.openSync(out, 'w');
    const printer = new EntryPrinter('text', true, fd);
    printer.print(parseV2Entry('2025-01-15 10:30:16 - auth - WARNING - f:1 - careful'));
    printer.print(parseEntry('[2025-01-15 10:30:16,000] [CRITICAL] [auth] down'));
    printer.print(parseV2Entry(ERROR_ENTRY));
    printer.flush();
    fs.closeSync(fd);
    const [warning, critical, error, traceback] = fs.readFileSync(out, 'utf8').split('\n');
    const paint = levelPainter(true);
    expect(warning).toContain(` - ${paint('WARN')('WARNING')} - `);
    expect(warning).toContain('careful');
    expect(critical).toContain(paint('FATAL')('[CRITICAL]'));
    expect(error).toContain(paint('ERROR')('ERROR'));
    expect(traceback?.startsWith('\u001b[2m')).toBe(true);
    expect(fs.readFileSync(out, 'utf8').replace(ANSI, '')).toBe(
      `2025-01-15 10:30:16 - auth - WARNING - f:1 - careful\n[2025-01-15 10:30:16,000] [CRITICAL] [auth] down\n${ERROR_ENTRY}\n`,
    );
  });
});
