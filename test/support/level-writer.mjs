// Child process for the lnav format test: logs entries at every level through the real configured
// logging (dist build), PERF lines with durations, an ERROR with its stack trace, and context
// values that need escaping, then exits. Usage: node level-writer.mjs (STORYOS_LOG_DIR, STORYOS_LOG_LEVEL=DEBUG)
import { parseConfig } from '../../dist/config/env.js';
import { getLogger, logApiCall, logError, logPerf, logUserAction } from '../../dist/logging/logger.js';
import { configureLogging, shutdownLogging } from '../../dist/logging/setup.js';

configureLogging(parseConfig(process.env), { console: 'off', colour: false });
const game = getLogger('game_logic');
const db = getLogger('db_utils');
const llm = getLogger('llm_utils');
const auth = getLogger('auth');
const app = getLogger('app');

for (let i = 0; i < 5; i++) {
  const session = `s${i % 2}`;
  db.debug('Database query executed: get_user_game_sessions', { rows: i, duration: `${(i / 100).toFixed(2)}s` });
  logUserAction(game, 'take_turn', i % 2 ? 'alice' : 'bob', { session, input: `look (around, then) go: north\nnow ${i}` });
  logPerf(game, 'process_player_input', 250 * i + 17, { session, input_length: 45 + i, response_length: 234 });
  logApiCall(llm, {
    service: 'openai',
    endpoint: 'chat.completions',
    status: 200,
    durationMs: 1200 + i * 10,
    tokensIn: 100,
    tokensOut: 50,
    model: 'gpt-4o-mini',
  });
}
llm.warn('Rate limited, retrying', { attempt: 2, status: 429 });
auth.warn('User action refused: login', { user_id: 'mallory', reason: 'Wrong password (attempt 3 of 5).' });
logError(db, 'save_turn failed', new Error('database is locked'), { operation: 'save_turn', session: 's1', duration: '0.31s' });
app.error('Unexpected error (while saving)');
app.fatal('Out of memory, exiting', { error: 'heap limit (4096 MB) reached' }, new RangeError('heap limit'));
await shutdownLogging();
