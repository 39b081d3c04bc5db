import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getLogger, logError, logPerf, logUserAction } from '../../src/logging/logger.js';
import { logInto } from '../support/logging.js';
import { tempDir } from '../support/temp.js';

/** GNU grep on the log that StoryOS wrote; returns the matching lines. */
function gnuGrep(pattern: string, file: string): string[] {
  const result = spawnSync('grep', [pattern, file], { encoding: 'utf8' });
  expect(result.status === 0 || result.status === 1).toBe(true);
  return result.stdout.split('\n').filter(Boolean);
}

describe('the operator recipes of the original StoryOS, with GNU grep', () => {
  it('find what they promise in files StoryOS wrote', () => {
    const dir = tempDir();
    logInto(dir);
    const auth = getLogger('auth');
    auth.info('User alice logged in successfully', { user_id: 'alice', duration: '0.15s' });
    auth.info('User bob logged in successfully', { user_id: 'bob', duration: '0.12s' });
    logUserAction(getLogger('game_logic'), 'take_turn', 'alice', { session: 'abc123' });
    logPerf(getLogger('game_logic'), 'process_player_input', 2340, { session: 'abc123', input_length: 45, response_length: 234 });
    logPerf(getLogger('game_logic'), 'process_player_input', 640, { session: 'abc123' });
    logPerf(getLogger('db_utils'), 'get_user_game_sessions', 50, { rows: 3 });
    logError(getLogger('db_utils'), 'Database operation failed', new Error('locked'), { operation: 'save_turn' });
    logError(getLogger('auth'), 'Login check failed', new Error('x'), { operation: 'login' });
    const file = path.join(dir, 'storyos.log');

    expect(gnuGrep('logged in successfully', file)).toHaveLength(2);
    expect(gnuGrep('user_id.*alice', file)).toEqual([
      expect.stringContaining('User alice logged in'),
      expect.stringContaining('User action: take_turn (user_id: alice'),
    ]);
    expect(gnuGrep('PERF.*process_player_input', file)).toHaveLength(2);
    expect(gnuGrep('ERROR.*db_utils', file)).toEqual([expect.stringContaining('Database operation failed')]);
    expect(gnuGrep('duration: [2-9]\\.', file)).toEqual([expect.stringContaining('process_player_input completed (duration: 2.34s')]);
    expect(gnuGrep('Logging configured', file)).toHaveLength(1);
  });
});
