import { describe, expect, it } from 'vitest';
import { formatTimestamp } from '../../src/logging/format.js';
import { getLogger, logApiCall, logError, logPerf, logUserAction, timed } from '../../src/logging/logger.js';
import { HEADER, linesOf, logInto, readLog } from '../support/logging.js';
import { tempDir } from '../support/temp.js';

describe('configured logging', () => {
  it('announces itself with the effective settings', () => {
    const dir = tempDir();
    logInto(dir, { STORYOS_LOG_MAX_SIZE_MB: '3', STORYOS_LOG_BACKUP_COUNT: '7' });
    const [first] = linesOf(readLog(dir));
    expect(first).toMatch(HEADER);
    expect(first).toContain('[INFO] [app] Logging configured (level: INFO, rotation: size, max_size: 3MB');
    expect(first).toContain('backups: 7');
    expect(first).toContain(`directory: ${dir}`);
    expect(first).toContain(`pid: ${process.pid})`);
  });

  it('writes the exact line format with local time and a comma before milliseconds', () => {
    const dir = tempDir();
    logInto(dir);
    const before = formatTimestamp(new Date()).slice(0, 16);
    getLogger('auth').info('User alice logged in successfully', { user_id: 'alice', duration: '0.15s' });
    const line = linesOf(readLog(dir)).at(-1) as string;
    expect(line).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] \[INFO\] \[auth\] User alice logged in successfully \(user_id: alice, duration: 0\.15s\)$/);
    expect(line.slice(1, 17) >= before).toBe(true);
  });

  it('places PERF between INFO and WARN', () => {
    const dir = tempDir();
    logInto(dir, { STORYOS_LOG_LEVEL: 'PERF' });
    const logger = getLogger('game_logic');
    logger.info('an info line');
    logger.perf('a perf line');
    logger.warn('a warning');
    const text = readLog(dir);
    expect(text).not.toContain('an info line');
    expect(text).toContain('[PERF] [game_logic] a perf line');
    expect(text).toContain('[WARN] [game_logic] a warning');
  });

  it('drops PERF at WARNING level (the WARNING spelling is accepted)', () => {
    const dir = tempDir();
    logInto(dir, { STORYOS_LOG_LEVEL: 'WARNING' });
    getLogger('db_utils').perf('hidden perf');
    getLogger('db_utils').error('shown error');
    expect(readLog(dir)).not.toContain('hidden perf');
    expect(readLog(dir)).toContain('[ERROR] [db_utils] shown error');
  });

  it('keeps only ERROR and FATAL, with indented stack traces, in storyos_errors.log', () => {
    const dir = tempDir();
    logInto(dir);
    const logger = getLogger('db_utils');
    logger.warn('just a warning');
    logError(logger, 'Database operation failed', new Error('disk full'), { operation: 'save_turn', session: 'abc123' });
    logger.fatal('Cannot continue');
    const errors = readLog(dir, 'storyos_errors.log');
    expect(errors).not.toContain('just a warning');
    const lines = linesOf(errors);
    expect(lines[0]).toMatch(/\[ERROR\] \[db_utils\] Database operation failed \(operation: save_turn, session: abc123, error: disk full\)$/);
    expect(lines[1]).toBe('    Error: disk full');
    expect(lines[2]).toMatch(/^ {4}at /);
    expect(lines.filter((l) => HEADER.test(l))).toHaveLength(2);
    expect(lines.filter((l) => !HEADER.test(l)).every((l) => /^\s/.test(l))).toBe(true);
    expect(readLog(dir)).toContain('Database operation failed');
  });

  it('writes no files when STORYOS_LOG_TO_FILE is false', () => {
    const dir = tempDir();
    logInto(dir, { STORYOS_LOG_TO_FILE: 'false' });
    getLogger('app').error('nowhere');
    expect(readLog(dir)).toBe('');
    expect(readLog(dir, 'storyos_errors.log')).toBe('');
  });
});

describe('logging helpers', () => {
  it('logs user actions with user_id first', () => {
    const dir = tempDir();
    logInto(dir);
    logUserAction(getLogger('game_logic'), 'new_game', 'alice', { scenario: 'lighthouse' });
    expect(readLog(dir)).toMatch(/\[INFO\] \[game_logic\] User action: new_game \(user_id: alice, scenario: lighthouse\)\n$/);
  });

  it('logs performance with the duration in seconds, two decimals', () => {
    const dir = tempDir();
    logInto(dir);
    logPerf(getLogger('game_logic'), 'process_player_input', 2345.6, { session: 'abc123', input_length: 45, response_length: 234 });
    expect(readLog(dir)).toMatch(
      /\[PERF\] \[game_logic\] process_player_input completed \(duration: 2\.35s, session: abc123, input_length: 45, response_length: 234\)\n$/,
    );
  });

  it('logs API calls with status, duration, retries and token usage', () => {
    const dir = tempDir();
    logInto(dir);
    logApiCall(getLogger('llm_utils'), {
      service: 'xai',
      endpoint: 'chat.completions',
      status: 200,
      durationMs: 1500,
      retries: 2,
      tokensIn: 812,
      tokensOut: 140,
      model: 'grok-4',
    });
    expect(readLog(dir)).toMatch(
      /\[INFO\] \[llm_utils\] API call: xai chat\.completions \(status: 200, duration: 1\.50s, retries: 2, tokens_in: 812, tokens_out: 140, model: grok-4\)\n$/,
    );
  });

  it('times an async operation: a PERF line on success, an ERROR line with the stack on failure', async () => {
    const dir = tempDir();
    logInto(dir);
    const logger = getLogger('game_logic');
    await expect(
      timed(
        logger,
        'opening',
        async () => 'scene',
        (r) => ({ length: r.length }),
      ),
    ).resolves.toBe('scene');
    await expect(timed(logger, 'summary_update', async () => Promise.reject(new Error('bad json')), { session: 's1' })).rejects.toThrow('bad json');
    const text = readLog(dir);
    expect(text).toMatch(/\[PERF\] \[game_logic\] opening completed \(duration: \d+\.\d\ds, length: 5\)/);
    expect(text).toMatch(
      /\[ERROR\] \[game_logic\] summary_update failed \(operation: summary_update, duration: \d+\.\d\ds, session: s1, error: bad json\)\n {4}Error: bad json\n/,
    );
    expect(text).not.toContain('summary_update completed');
  });
});

describe('log forging and secrets', () => {
  const forged = 'mallory\n[2024-01-01 00:00:00,000] [INFO] [auth] User admin logged in successfully';

  it('never lets user text start a new entry', () => {
    const dir = tempDir();
    logInto(dir);
    logUserAction(getLogger('auth'), `login ${forged}`, forged, { note: 'a\rb\u001b[31mred\u2028x' });
    logError(getLogger('auth'), `Login failed for ${forged}`, new Error(forged), { operation: 'login' });
    const lines = linesOf(readLog(dir));
    const headers = lines.filter((l) => l.startsWith('['));
    expect(headers).toHaveLength(3);
    expect(headers.some((l) => l.startsWith('[2024-01-01'))).toBe(false);
    expect(headers[1]).toContain('mallory\\n\\u005b2024-01-01 00:00:00,000] [INFO] [auth] User admin logged in successfully');
    expect(headers[1]).toContain('note: a\\rb\\u001b[31mred\\u2028x');
    expect(lines.filter((l) => !l.startsWith('[')).every((l) => l.startsWith('    '))).toBe(true);
  });

  it('redacts passwords, keys, hashes and authorization headers', () => {
    const dir = tempDir();
    const apiKey = 'xai-0123456789abcdefghijKLMNOP';
    logInto(dir, {}, [apiKey, 'my-db-password']);
    const logger = getLogger('auth');
    logger.info('Login attempt', { user_id: 'alice', password: 'hunter22', password_hash: '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA' });
    logger.info(`Calling API with key ${apiKey} and Authorization: Bearer abcdefghijklmnopqrstuvwxyz`);
    logger.warn('Hash was $argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA, db mongodb://admin:my-db-password@db.example:27017/storyos');
    logError(logger, 'Failed', new Error(`rejected key ${apiKey}`), { operation: 'narrate', api_key: apiKey, authorization: 'Bearer zzz' });
    const text = readLog(dir) + readLog(dir, 'storyos_errors.log');
    for (const secret of ['hunter22', apiKey, 'abcdefghijklmnopqrstuvwxyz', 'c2FsdA$aGFzaA', 'my-db-password', '$argon2id$v=19']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('password: [REDACTED]');
    expect(text).toContain('mongodb://admin:[REDACTED]@db.example');
  });
});
