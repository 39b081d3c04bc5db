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

/** The processes whose parent is `pid` (Linux's /proc; none where there is no /proc). */
function childrenOf(pid) {
  if (!fs.existsSync('/proc')) return [];
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Directories that builds before this fix left behind (older than ten minutes: not a build running now). */
function removeEarlierScratch() {
  for (const name of fs.readdirSync(os.tmpdir())) {
    if (!name.startsWith('storyos-warm-')) continue;
    const dir = path.join(os.tmpdir(), name);
    try {
      if (Date.now() - fs.statSync(dir).mtimeMs > 10 * 60_000) fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // Another user's, or gone meanwhile.
    }
  }
}

async function warm() {
  removeEarlierScratch();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'storyos-warm-'));
  // Nothing of the builder's own set-up (a MONGODB_URI, an API key, log settings): only what a
  // terminal needs, and the throw-away directories.
  const env = {
    PATH: process.env.PATH,
    HOME: scratch,
    TERM: 'xterm-256color',
    STORYOS_DATA_DIR: path.join(scratch, 'data'),
    STORYOS_LOG_DIR: path.join(scratch, 'logs'),
  };
  const game = spawn('script', ['-qfec', `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(ROOT, 'bin/storyos.js'))}`, '/dev/null'], {
    cwd: scratch,
    env,
    stdio: 'ignore',
    detached: true,
  });
  // `script` runs the game in a session of its own, so the game is killed by its pid, not its group.
  const stop = () => {
    for (const pid of [...childrenOf(game.pid), game.pid]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  // A build interrupted meanwhile leaves no game running.
  process.once('SIGINT', () => {
    stop();
    process.exit(130);
  });
  const exited = new Promise((resolve) => game.once('exit', resolve));
  const started = Date.now();
  while (!cacheKept() && Date.now() - started < GIVE_UP_MS && game.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  const children = childrenOf(game.pid);
  stop();
  // The game opens its store just after the first frame: the directory goes once it has ended,
  // or the game would write it again.
  await exited;
  while (children.some((pid) => fs.existsSync(`/proc/${pid}`))) await new Promise((r) => setTimeout(r, 20));
  fs.rmSync(scratch, { recursive: true, force: true });
  console.log(cacheKept() ? 'warm-code-cache: kept V8 code cache for the game script' : 'warm-code-cache: no cache kept; the first start will keep it');
}

if (!hasScriptCommand()) console.log('warm-code-cache: no `script` command for a pseudo-terminal; the first start will keep the cache');
else await warm();
