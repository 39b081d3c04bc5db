import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { formatTimestamp } from '../../src/logging/format.js';
import { exited, runCli, startCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const at = (minutesAgo: number) => formatTimestamp(new Date(Date.now() - minutesAgo * 60_000));

/** A small rotated log set: gzip oldest, then .1, then the active file. */
function writeLogs(dir: string): void {
  fs.writeFileSync(
    path.join(dir, 'storyos.log.2.gz'),
    zlib.gzipSync(`[${at(300)}] [INFO] [auth] User alice logged in successfully (user_id: alice, duration: 0.15s)\n`),
  );
  fs.writeFileSync(
    path.join(dir, 'storyos.log.1'),
    `[${at(120)}] [PERF] [game_logic] process_player_input completed (duration: 2.34s, session: abc123, user_id: alice)\n` +
      `[${at(90)}] [ERROR] [db_utils] Database operation failed (operation: save_turn, error: locked)\n    Error: locked\n    at save (store.js:1:1)\n`,
  );
  fs.writeFileSync(
    path.join(dir, 'storyos.log'),
    `[${at(30)}] [WARN] [llm_utils] Rate limited (attempt: 2)\n` +
      `[${at(5)}] [PERF] [db_utils] get_user_game_sessions completed (duration: 0.05s, rows: 3)\n` +
      `[${at(1)}] [INFO] [game_logic] User action: take_turn (user_id: bob, session: s9)\n`,
  );
  fs.writeFileSync(
    path.join(dir, 'storyos_errors.log'),
    `[${at(90)}] [ERROR] [db_utils] Database operation failed (operation: save_turn, error: locked)\n    Error: locked\n`,
  );
}

function logs(dir: string, ...args: string[]) {
  return runCli(['logs', ...args], { cwd: dir, env: { STORYOS_LOG_DIR: dir } });
}

const headers = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('['));

describe('storyos logs grep', () => {
  it('prints matching entries oldest first across gzip and rotated files, with continuation lines', () => {
    const dir = tempDir();
    writeLogs(dir);
    const all = logs(dir, 'grep');
    expect(all.code).toBe(0);
    expect(headers(all.stdout).map((l) => l.slice(26).split(' ', 2).join(' '))).toEqual([
      '[INFO] [auth]',
      '[PERF] [game_logic]',
      '[ERROR] [db_utils]',
      '[WARN] [llm_utils]',
      '[PERF] [db_utils]',
      '[INFO] [game_logic]',
    ]);
    expect(all.stdout).toContain('Database operation failed (operation: save_turn, error: locked)\n    Error: locked\n    at save');
  });

  it('combines filters, counts, and prints parseable JSON', () => {
    const dir = tempDir();
    writeLogs(dir);
    expect(headers(logs(dir, 'grep', '--level', 'PERF', '--user', 'alice').stdout)).toHaveLength(1);
    expect(headers(logs(dir, 'grep', '--user', 'ALICE').stdout)).toHaveLength(2);
    expect(logs(dir, 'grep', '--min-level', 'warn', '--count').stdout.trim()).toBe('2');
    expect(logs(dir, 'grep', '--since', '10m').stdout).not.toContain('Rate limited');
    expect(headers(logs(dir, 'grep', '--since', '10m').stdout)).toHaveLength(2);
    expect(headers(logs(dir, 'grep', '--slower-than', '2s').stdout)).toEqual([expect.stringContaining('process_player_input')]);
    expect(headers(logs(dir, 'grep', 'LOGGED IN', '-i', '-F').stdout)).toHaveLength(1);
    expect(headers(logs(dir, 'grep', '--module', 'db_utils', '--level', 'ERROR,PERF').stdout)).toHaveLength(2);
    const json = logs(dir, 'grep', '--errors', '--json');
    expect(json.code).toBe(0);
    const [entry] = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(entry).toMatchObject({
      level: 'ERROR',
      module: 'db_utils',
      message: 'Database operation failed',
      context: { operation: 'save_turn', error: 'locked' },
      continuation: ['    Error: locked'],
    });
    expect(entry.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
  });

  it('exits 1 when nothing matched and 2, with one line, on bad input', () => {
    const dir = tempDir();
    writeLogs(dir);
    const none = logs(dir, 'grep', 'no such thing');
    expect([none.code, none.stdout]).toEqual([1, '']);
    for (const [args, message] of [
      [['grep', '(unclosed'], /^storyos: Invalid pattern "\(unclosed": .+\n$/],
      [['grep', '--since', 'last tuesday'], /^storyos: Invalid --since value "last tuesday": .+\n$/],
      [['grep', '--level', 'LOUD'], /^storyos: Unknown level "LOUD": .+\n$/],
      [['grep', '--slower-than', 'fast'], /^storyos: Invalid --slower-than value "fast": .+\n$/],
      [['grep', '--dir', path.join(dir, 'missing')], /^storyos: Log directory .*missing does not exist \(set STORYOS_LOG_DIR or pass --dir\)\.\n$/],
      [['grep', '--frobnicate'], /^storyos: Unknown option '--frobnicate'\n$/],
      [['tail', '-n', 'many'], /^storyos: Invalid -n value "many": .+\n$/],
      [
        ['grep', '--module', 'db-utils'],
        /^storyos: Unknown module "db-utils": use one of app, auth, db_utils, llm_utils, game_logic, cli, tui \(or, in StoryOS v2.s logs, user_actions, api_calls, logging_config\)\.\n$/,
      ],
    ] as const) {
      const result = logs(dir, ...args);
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(result.stderr).toMatch(message);
    }
  });

  it('rejects a bad environment value with one line naming it', () => {
    const dir = tempDir();
    const result = runCli(['logs', 'grep'], { cwd: dir, env: { STORYOS_LOG_DIR: dir, STORYOS_LOG_MAX_SIZE_MB: 'ten' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('storyos: Invalid STORYOS_LOG_MAX_SIZE_MB="ten": expected a size in MB from 0.001 to 102400.\n');
    const withDir = runCli(['logs', 'grep', '--dir', dir], { cwd: dir, env: { STORYOS_LOG_MAX_SIZE_MB: 'ten' } });
    expect([withDir.code, withDir.stderr]).toEqual([2, result.stderr]);
  });

  it('reads .env from the working directory, the environment winning over it', () => {
    const dir = tempDir();
    const logDir = path.join(dir, 'from-dotenv');
    fs.mkdirSync(logDir);
    fs.writeFileSync(path.join(dir, '.env'), `STORYOS_LOG_DIR=${logDir}\nSTORYOS_LOG_BACKUP_COUNT=9\n`);
    const fromFile = JSON.parse(runCli(['logs', 'config', '--json'], { cwd: dir }).stdout);
    expect(fromFile.settings).toMatchObject({ dir: logDir, backupCount: 9 });
    const overridden = JSON.parse(runCli(['logs', 'config', '--json'], { cwd: dir, env: { STORYOS_LOG_BACKUP_COUNT: '3' } }).stdout);
    expect(overridden.settings.backupCount).toBe(3);
  });

  it('uses colour only in a terminal: none when piped', () => {
    const dir = tempDir();
    writeLogs(dir);
    expect(logs(dir, 'grep').stdout).not.toContain('\u001b[');
  });
});

describe('storyos logs tail', () => {
  it('prints the last entries, filtered', () => {
    const dir = tempDir();
    writeLogs(dir);
    expect(headers(logs(dir, 'tail', '-n', '2').stdout).map((l) => l.slice(26, 32))).toEqual(['[PERF]', '[INFO]']);
    expect(headers(logs(dir, 'tail', '-n', '5', '--level', 'PERF').stdout)).toHaveLength(2);
  });

  it('follows the log across a rotation, like tail -F', async () => {
    const dir = tempDir();
    writeLogs(dir);
    const child = startCli(['logs', 'tail', '-n', '0', '-f', '--module', 'game_logic'], { cwd: dir, env: { STORYOS_LOG_DIR: dir } });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const waitFor = async (text: string) => {
      for (let i = 0; i < 100 && !out.includes(text); i++) await new Promise((r) => setTimeout(r, 50));
      expect(out).toContain(text);
    };
    await new Promise((r) => setTimeout(r, 600));
    const active = path.join(dir, 'storyos.log');
    fs.appendFileSync(active, `[${at(0)}] [INFO] [game_logic] before rotation\n[${at(0)}] [INFO] [auth] not followed\n`);
    await waitFor('before rotation');
    expect(runCli(['logs', 'rotate'], { cwd: dir, env: { STORYOS_LOG_DIR: dir } }).code).toBe(0);
    fs.appendFileSync(active, `[${at(0)}] [INFO] [game_logic] after rotation\n`);
    await waitFor('after rotation');
    child.kill('SIGINT');
    expect(await exited(child)).toBe(130);
    expect(headers(out).map((l) => l.slice(46))).toEqual(['before rotation', 'after rotation']);
  });
});

describe('storyos logs on a log not written yet', () => {
  it('says so on stderr, and exits 1 (no match)', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'storyos.log'), `[${formatTimestamp(new Date())}] [INFO] [main] Started\n`);
    for (const args of [
      ['grep', '--errors'],
      ['tail', '--errors'],
      ['stats', '--errors'],
    ]) {
      const result = logs(dir, ...args);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`storyos: no storyos_errors.log in ${dir} yet: nothing has been logged there.\n`);
    }
    expect(logs(dir, 'grep', 'Started').stderr).toBe('');
  });
});

describe('storyos logs rotate, clean, config, stats', () => {
  it('rotates one log, the other, or both', () => {
    const dir = tempDir();
    writeLogs(dir);
    expect(logs(dir, 'rotate', '--errors').code).toBe(0);
    expect(fs.existsSync(path.join(dir, 'storyos_errors.log.1'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'storyos.log.3.gz'))).toBe(false);
    expect(logs(dir, 'rotate', '--all').code).toBe(0);
    expect(fs.existsSync(path.join(dir, 'storyos.log.3.gz'))).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'storyos.log.1'), 'utf8')).toContain('User action: take_turn');
    expect(logs(dir, 'rotate', '--errors', '--all').code).toBe(2);
  });

  it('says in one sentence what to fix when the directory cannot be written (under /proc, or a file in its path), and never spins', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'file'), 'not a directory');
    for (const target of ['/proc/self', '/proc']) {
      const started = Date.now();
      const result = logs(dir, 'rotate', '--all', '--dir', target);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect([result.code, result.stdout]).toEqual([1, '']);
      expect(result.stderr).toMatch(
        new RegExp(
          `^storyos: Cannot rotate storyos\\.log in ${target}: [^\\n]+; make the directory writable or set STORYOS_LOG_DIR \\(or --dir\\) to one that is\\.\\n$`,
        ),
      );
    }
    const underFile = logs(dir, 'rotate', '--dir', path.join(dir, 'file', 'logs'));
    expect([underFile.code, underFile.stderr]).toEqual([
      2,
      `storyos: Log directory ${path.join(dir, 'file', 'logs')} does not exist (set STORYOS_LOG_DIR or pass --dir).\n`,
    ]);
    expect(fs.readFileSync(path.join(dir, 'file'), 'utf8')).toBe('not a directory');
  });

  it('deletes only rotated files older than the age, and --dry-run deletes nothing', () => {
    const dir = tempDir();
    writeLogs(dir);
    const old = new Date(Date.now() - 10 * 86_400_000);
    for (const name of ['storyos.log.2.gz', 'storyos.log']) fs.utimesSync(path.join(dir, name), old, old);
    const dry = logs(dir, 'clean', '--older-than', '7d', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Would delete');
    expect(dry.stdout).toContain('storyos.log.2.gz');
    expect(fs.existsSync(path.join(dir, 'storyos.log.2.gz'))).toBe(true);
    expect(logs(dir, 'clean', '--older-than', '7d').code).toBe(0);
    expect(fs.existsSync(path.join(dir, 'storyos.log.2.gz'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'storyos.log'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'storyos.log.1'))).toBe(true);
    expect(logs(dir, 'clean', '--older-than', '7d').code).toBe(1);
    expect(logs(dir, 'clean', '--older-than', 'old').code).toBe(2);
  });

  it('shows the effective settings, the files, and the most disk the settings allow', () => {
    const dir = tempDir();
    writeLogs(dir);
    const result = runCli(['logs', 'config'], {
      cwd: dir,
      env: { STORYOS_LOG_DIR: dir, STORYOS_LOG_MAX_SIZE_MB: '10', STORYOS_LOG_ERROR_MAX_SIZE_MB: '5', STORYOS_LOG_BACKUP_COUNT: '5' },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('storyos.log: by size, 10 MB a file, 5 backups');
    expect(result.stdout).toMatch(/storyos\.log\.2\.gz +\S+ \S+ +modified \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n/);
    expect(result.stdout).toContain('at most 60.0 MB');
    expect(result.stdout).toContain('at most 30.0 MB');
    expect(result.stdout).toContain('Largest disk use the settings allow: 90.0 MB');
    const fractional = runCli(['logs', 'config'], { cwd: dir, env: { STORYOS_LOG_DIR: dir, STORYOS_LOG_MAX_SIZE_MB: '1.3' } });
    expect(fractional.stdout).toContain('storyos.log: by size, 1.3 MB a file');
  });

  it('summarises PERF operations and problems per module, as text and JSON', () => {
    const dir = tempDir();
    writeLogs(dir);
    const text = logs(dir, 'stats');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/process_player_input\s+1\s+2\.34s\s+2\.34s\s+2\.34s\s+2\.34s/);
    expect(text.stdout).toContain('│');
    const json = JSON.parse(logs(dir, 'stats', '--json', '--module', 'db_utils').stdout);
    expect(json.operations).toEqual([{ operation: 'get_user_game_sessions', count: 1, p50: 0.05, p95: 0.05, p99: 0.05, max: 0.05 }]);
    expect(json.modules).toEqual([{ module: 'db_utils', entries: 2, warnings: 0, errors: 1, errorRate: 0.5 }]);
  });
});

describe('the storyos program', () => {
  it('prints its version and help, and rejects unknown commands with exit 2', () => {
    const dir = tempDir();
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(runCli(['--version'], { cwd: dir }).stdout.trim()).toBe(pkg.version);
    const help = runCli(['logs', 'grep', '--help'], { cwd: dir });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--slower-than <duration>');
    const bad = runCli(['lgos'], { cwd: dir });
    expect([bad.code, bad.stderr]).toEqual([2, "storyos: Unknown command 'lgos' (did you mean logs?); `storyos --help` lists the commands.\n"]);
    expect(runCli(['logs', 'grpe'], { cwd: dir }).code).toBe(2);
  });
});
