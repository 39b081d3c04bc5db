import { afterEach, beforeEach, expect } from 'vitest';
import { BIN, runCli } from './cli.js';
import { FakeLlmServer } from './fake-llm-server.js';
import { tempDir } from './temp.js';
import { TmuxSession } from './tmux.js';

export interface TerminalGames {
  server: FakeLlmServer;
  /** The working directory: `data/` and the logs are in it. */
  dir: string;
  /**
   * The real storyos in tmux against the fake narrator, logged in as alice, in a new game of
   * `scenario` after its opening. `env`: more `env` arguments (`-u EDITOR`, `NAME=value`).
   */
  inAGame(options: { columns: number; rows: number; scenario?: string; env?: string }): Promise<TmuxSession>;
}

/**
 * For each test: the fake narrator and a folder with the player alice (password `password123`);
 * the tmux sessions a test opened are stopped after it. Read the fields inside a test.
 */
export function setUpTerminalGames(): TerminalGames {
  const sessions: TmuxSession[] = [];
  const games = {
    async inAGame({ columns, rows, scenario = 'Neon Rain', env = '' }) {
      const tmux = new TmuxSession({ columns, rows });
      sessions.push(tmux);
      // `env`'s own options (-u) come before its settings.
      const settings = `${env} XAI_API_KEY=xai-e2e-key-123456 STORYOS_LLM_BASE_URL=${games.server.url} STORYOS_LLM_TIMEOUT_S=5 TERM=xterm-256color`;
      tmux.start(`env ${settings} ${process.execPath} ${BIN}`, games.dir);
      await tmux.waitFor('› Log in');
      await tmux.keys('Enter');
      await tmux.waitFor('Username:');
      await tmux.type('alice\r');
      await tmux.type('password123\r');
      await tmux.waitFor('› New game');
      await tmux.keys('Enter');
      await tmux.waitFor('Neon Rain');
      for (let i = 0; i < 5 && !tmux.screen().includes(`› ${scenario}`); i++) await tmux.keys('Down');
      await tmux.waitFor(`› ${scenario}`);
      await tmux.keys('Enter');
      await tmux.waitFor('What do you do? (/help');
      return tmux;
    },
  } as TerminalGames;
  beforeEach(async () => {
    games.server = await new FakeLlmServer().start();
    games.dir = tempDir();
    expect(runCli(['users', 'add', 'alice', '--password-stdin'], { cwd: games.dir, input: 'password123\n' }).code).toBe(0);
  });
  afterEach(async () => {
    for (const s of sessions.splice(0)) s.stop();
    await games.server.stop();
  });
  return games;
}
