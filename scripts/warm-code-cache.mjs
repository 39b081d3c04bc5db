// Starts the game once at build time, in a pseudo-terminal and in a throw-away data directory,
// so that V8's code cache of dist/bundle/storyos-game.cjs is kept before a player's first start
// (src/launch/start-game.ts keeps it once the first frame is up). Without `script` (util-linux)
// the first start keeps it instead.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CACHE_DIR = path.join(ROOT, 'dist/bundle/.code-cache');
const GIVE_UP_MS = 20_000;

function hasScriptCommand() {
  return spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
}

const cacheKept = () => fs.existsSync(CACHE_DIR) && fs.readdirSync(CACHE_DIR).some((name) => name.endsWith('.bin'));

async function warm() {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'storyos-warm-'));
  // Nothing of the builder's own set-up (a MONGODB_URI, an API key, log settings): only what a
  // terminal needs, and the throw-away directories.
  const env = { PATH: process.env.PATH, HOME: scratch, TERM: 'xterm-256color', STORYOS_DATA_DIR: path.join(scratch, 'data'), STORYOS_LOG_DIR: path.join(scratch, 'logs') };
  const game = spawn('script', ['-qfec', `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(ROOT, 'bin/storyos.js'))}`, '/dev/null'], { cwd: scratch, env, stdio: 'ignore', detached: true });
  const stop = () => {
    try {
      process.kill(-game.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  // A build interrupted meanwhile leaves no game running.
  process.once('SIGINT', () => {
    stop();
    process.exit(130);
  });
  const started = Date.now();
  while (!cacheKept() && Date.now() - started < GIVE_UP_MS && game.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  // Kept at the first frame, before the game's store is opened: nothing is being written.
  stop();
  fs.rmSync(scratch, { recursive: true, force: true });
  console.log(cacheKept() ? 'warm-code-cache: kept V8 code cache for the game script' : 'warm-code-cache: no cache kept; the first start will keep it');
}

if (!hasScriptCommand()) console.log('warm-code-cache: no `script` command for a pseudo-terminal; the first start will keep the cache');
else await warm();
