// Logs `count` lines through the real logging, then leaves by the path named in argv[3]
// without any shutdown: `exit` (process.exit), `throw` (an uncaught error) or `kill` (SIGKILL itself).
import { parseConfig } from '../../dist/config/env.js';
import { configureLogging } from '../../dist/logging/setup.js';
import { getLogger } from '../../dist/logging/logger.js';

const [count, how] = process.argv.slice(2);
configureLogging(parseConfig(process.env), { console: 'off', colour: false });
const logger = getLogger('game_logic');
for (let i = 0; i < Number(count); i++) logger.info(`entry ${i} written`);
if (how === 'exit') process.exit(3);
if (how === 'kill') process.kill(process.pid, 'SIGKILL');
throw new Error('crash after logging');
