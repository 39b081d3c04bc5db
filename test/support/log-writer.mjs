// Child process for multi-process logging tests: logs numbered lines through the real
// configured logging (dist build), then exits. Usage: node log-writer.mjs <id> <count>
import { parseConfig } from '../../dist/config/env.js';
import { configureLogging, shutdownLogging } from '../../dist/logging/setup.js';
import { getLogger } from '../../dist/logging/logger.js';

const [id, count, pauseEvery = '0'] = process.argv.slice(2);
const config = parseConfig(process.env);
configureLogging(config, { console: 'off', colour: false });
const logger = getLogger('game_logic');
const sleeper = new Int32Array(new SharedArrayBuffer(4));
for (let i = 0; i < Number(count); i++) {
  logger.info(`line ${id}-${i} end`, { writer: id, seq: i });
  if (Number(pauseEvery) && i % Number(pauseEvery) === 0) Atomics.wait(sleeper, 0, 0, 1);
}
await shutdownLogging();
