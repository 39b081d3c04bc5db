/**
 * `npm run screens`: drives the real storyos through every screen in tmux, at 80×24 and
 * 120×40, against the fake narrator, and writes what the terminal shows to
 * test/e2e/screens/<size>/<nn>-<screen>.txt: snapshots a person can read and review.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN } from '../support/cli.js';
import { FakeLlmServer } from '../support/fake-llm-server.js';
import { TmuxSession } from '../support/tmux.js';

const OUT = fileURLToPath(new URL('./screens/', import.meta.url));

async function captureAt(columns: number, rows: number, server: FakeLlmServer): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storyos-screens-'));
  const target = path.join(OUT, `${columns}x${rows}`);
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(target, { recursive: true });
  const written: string[] = [];
  let n = 0;
  let tmux = new TmuxSession({ columns, rows });
  const save = async (name: string, waitFor: string | RegExp) => {
    const screen = await tmux.waitFor(waitFor);
    const file = path.join(target, `${String(++n).padStart(2, '0')}-${name}.txt`);
    fs.writeFileSync(file, `${screen.replace(/\s+$/, '')}\n`);
    written.push(file);
  };
  try {
    const command = `env XAI_API_KEY=xai-screens-key STORYOS_LLM_BASE_URL=${server.url} TERM=xterm-256color ${process.execPath} ${BIN}`;
    tmux.start(command, dir);
    await save('first-run', "create the administrator's account");
    await tmux.type('keeper\r');
    await tmux.type('lighthouse1\r');
    await tmux.type('lighthouse1\r');
    await save('main-menu', '› New game');
    await tmux.keys('3');
    await tmux.keys('Enter');
    await save('scenarios', 'StoryOS · Scenarios');
    await tmux.keys('Escape');
    // Back in the menu, its cursor is where it was.
    await tmux.waitFor('› Scenarios');
    await tmux.keys('4');
    await tmux.keys('Enter');
    await save('admin-prompts', 'Admin · narrator prompt');
    await tmux.keys('Tab');
    await save('admin-users', 'Admin · users');
    await tmux.keys('Escape');
    await tmux.waitFor('› Admin');
    await tmux.keys('1');
    await tmux.keys('Enter');
    await save('new-game', '› Neon Rain');
    await tmux.keys('Enter');
    await save('game-opening', 'What do you do?');
    await tmux.type('I knock on the door\r');
    await save('game-after-a-turn', /\(session [\d.]+k?\)/);
    await tmux.type('/');
    await save('game-command-completion', '/help — the commands and keys');
    await tmux.type('help\r');
    await save('game-help-overlay', 'Esc closes');
    await tmux.keys('Escape');
    await tmux.type('/story\r');
    await save('game-story-overlay', 'The story so far');
    await tmux.keys('Escape');
    await tmux.type('/context\r');
    await save('game-context-overlay', 'Next prompt: ');
    await tmux.keys('Escape');
    await tmux.type('/quit\r');
    await tmux.waitFor('EXITED 0');
    tmux.stop();

    const again = new TmuxSession({ columns, rows });
    tmux = again;
    again.start(command, dir);
    await save('login', '› Log in');
    await again.keys('Down');
    await again.keys('Enter');
    await save('register', 'StoryOS · Register');
    await again.keys('Escape');
    await again.waitFor('› Register');
    await again.keys('Up');
    await again.keys('Enter');
    await again.type('keeper\r');
    await again.type('lighthouse1\r');
    await again.waitFor('› New game');
    await again.keys('3');
    await again.keys('Enter');
    await save('load-game', 'StoryOS · Load game');
  } finally {
    tmux.stop();
    if (!process.env.KEEP_SCREENS_DIR) fs.rmSync(dir, { recursive: true, force: true });
    else console.log('kept', dir);
  }
  return written;
}

const server = await new FakeLlmServer().start();
try {
  for (const [columns, rows] of [
    [80, 24],
    [120, 40],
  ] as const) {
    const files = await captureAt(columns, rows, server);
    console.log(`${columns}×${rows}: ${files.length} screens in ${path.relative(process.cwd(), path.dirname(files[0] as string))}`);
  }
} finally {
  await server.stop();
}
