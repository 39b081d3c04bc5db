import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { BIN } from '../support/cli.js';
import { DEFAULT_NARRATION, FakeLlmServer } from '../support/fake-llm-server.js';
import { tempDir } from '../support/temp.js';
import { TmuxSession } from '../support/tmux.js';
import { until } from '../support/wait.js';

let server: FakeLlmServer;
let dir: string;
const sessions: TmuxSession[] = [];

beforeEach(async () => {
  server = await new FakeLlmServer().start();
  dir = tempDir();
});
afterEach(async () => {
  for (const s of sessions.splice(0)) s.stop();
  await server.stop();
});

function launch(): TmuxSession {
  const tmux = new TmuxSession({ columns: 100, rows: 30 });
  sessions.push(tmux);
  const env = `XAI_API_KEY=xai-e2e-key-123456 STORYOS_LLM_BASE_URL=${server.url} STORYOS_LLM_TIMEOUT_S=5 TERM=xterm-256color`;
  tmux.start(`env ${env} ${process.execPath} ${BIN}`, dir);
  return tmux;
}

/** SGR parameters that set a colour (30–38, 40–48, 90–97, 100–107); 39 and 49 only reset it. */
function colourCodes(screen: string): string[] {
  return [...screen.matchAll(/\u001b\[([0-9;]*)m/g)].flatMap((m) => (m[1] ?? '').split(';')).filter((p) => /^(3[0-8]|4[0-8]|9[0-7]|10[0-7])$/.test(p));
}

describe('the real storyos in a terminal, against the fake narrator', () => {
  it('honours NO_COLOR: no colour escape at all on screen; ignores DEV=true', async () => {
    const plain = new TmuxSession({ columns: 80, rows: 24 });
    const coloured = new TmuxSession({ columns: 80, rows: 24 });
    sessions.push(plain, coloured);
    plain.start(`env NO_COLOR=1 TERM=xterm-256color ${process.execPath} ${BIN} --offline`, dir);
    await plain.waitFor("create the administrator's account");
    // DEV=true (Ink's switch for React DevTools, which the bundle leaves out) must not matter.
    coloured.start(`env DEV=true TERM=xterm-256color ${process.execPath} ${BIN} --offline`, tempDir());
    await coloured.waitFor("create the administrator's account");
    expect(colourCodes(coloured.screenWithEscapes()).length).toBeGreaterThan(0);
    expect(colourCodes(plain.screenWithEscapes())).toEqual([]);
  }, 60_000);

  it('ends with one sentence and exit code 1 when the data directory is a file (the store opens behind the first frame)', async () => {
    const notADirectory = path.join(dir, 'not-a-directory');
    fs.writeFileSync(notADirectory, '');
    const tmux = new TmuxSession({ columns: 160, rows: 24 });
    sessions.push(tmux);
    // Bare storyos: the game script, which draws its first frame before the store opens.
    tmux.start(`env STORYOS_DATA_DIR=${notADirectory} STORYOS_LOG_DIR=${dir} TERM=xterm-256color ${process.execPath} ${BIN}`, dir);
    const screen = await tmux.waitFor(/EXITED \d+/);
    expect(screen).toContain(`storyos: STORYOS_DATA_DIR (${notADirectory}) is a file, not a folder: point it at a folder for the database.`);
    expect(screen).toContain('EXITED 1');
    // The screen drawn meanwhile is cleared; no stack trace.
    expect(screen).not.toContain('StoryOS ·');
    expect(screen).not.toMatch(/^\s+at /m);
    expect(fs.readFileSync(path.join(dir, 'storyos.log'), 'utf8')).toContain('[INFO] [tui] TUI started');
    expect(fs.readFileSync(path.join(dir, 'storyos_errors.log'), 'utf8')).toContain(
      `[ERROR] [tui] The store failed on first use (error: STORYOS_DATA_DIR (${notADirectory}) is a file`,
    );
  }, 30_000);

  it('keeps V8 code cache of the game script at the first frame when there is none, and starts from it next time', async () => {
    const cacheDir = path.resolve('dist/bundle/.code-cache');
    const kept = () => (fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).filter((name) => name.endsWith('.bin')) : []);
    fs.rmSync(cacheDir, { recursive: true, force: true });
    const first = launch();
    await first.waitFor("create the administrator's account");
    expect(await until(() => kept().length === 1, 5000)).toBe(true);
    const cacheFile = path.join(cacheDir, kept()[0] as string);
    const { mtimeMs } = fs.statSync(cacheFile);
    first.stop();
    // Taken, not refused: a refused cache would be written again.
    const again = launch();
    await again.waitFor("create the administrator's account");
    await new Promise((r) => setTimeout(r, 500));
    expect(kept()).toEqual([path.basename(cacheFile)]);
    expect(fs.statSync(cacheFile).mtimeMs).toBe(mtimeMs);
  }, 30_000);

  it("honours every key of one read, keeps a menu's cursor, and never runs a command from a prefix", async () => {
    const tmux = launch();
    await tmux.waitFor("create the administrator's account");
    // Typed, then wiped with Ctrl+U, in one write to the terminal.
    await tmux.type('bob\u0015keeper\r');
    await tmux.type('lighthouse1\r');
    await tmux.type('lighthouse1\r');
    await tmux.waitFor('Main menu · keeper');
    await tmux.keys('3');
    await tmux.keys('Enter');
    await tmux.waitFor('StoryOS · Scenarios');
    await tmux.keys('Escape');
    await tmux.waitFor('› Scenarios');
    await tmux.keys('Up');
    await tmux.keys('Up');
    await tmux.keys('Enter');
    await tmux.waitFor('› Neon Rain');
    await tmux.keys('Enter');
    await tmux.waitFor('What do you do?');
    await tmux.type('/c\t\r');
    const refused = await tmux.waitFor('/cont could be /continue or /context: Tab goes through them.');
    expect(refused).toMatch(/│ \/cont\s/);
    await tmux.keys('Tab');
    await tmux.waitFor('› /continue');
    // Ctrl+C twice in one write quits.
    await tmux.type('\u0003\u0003');
    await tmux.waitFor('EXITED 0');
  }, 60_000);

  it('plays from the first run to a relaunch that continues the game', async () => {
    server.script(
      { kind: 'stream', chunks: DEFAULT_NARRATION },
      { kind: 'stream', chunks: ['The stairs ', 'creak under you.'] },
      { kind: 'stream', chunks: ['The lamp ', 'is cold.'] },
      { kind: 'stream', chunks: ['The sea ', 'is ', 'loud ', 'tonight, ', 'and ', 'the ', 'wind ', 'howls ', 'on ', 'and ', 'on.'], delayMs: 250 },
      { kind: 'stream', chunks: ['A calmer ', 'sea.'] },
    );
    const tmux = launch();
    await tmux.waitFor("create the administrator's account");
    await tmux.type('keeper\r');
    await tmux.type('lighthouse1\r');
    await tmux.type('lighthouse1\r');
    await tmux.waitFor('› New game');
    await tmux.keys('Enter');
    await tmux.waitFor('› Neon Rain');
    await tmux.keys('Down');
    await tmux.keys('Down');
    await tmux.waitFor('› The Lighthouse at Gull Point');
    await tmux.keys('Enter');
    await tmux.waitFor('What do you do?');
    await tmux.waitFor(/grok-4-fast-reasoning · TTFT \d\.\d\ds/);

    await tmux.type('I climb the stairs\r');
    await tmux.waitFor('creak under you.');
    await tmux.type('I touch the lamp\r');
    await tmux.waitFor('is cold.');
    await tmux.type('I look out to sea\r');
    await tmux.waitFor('loud');
    await tmux.keys('C-c');
    await tmux.waitFor('(interrupted)');
    await tmux.waitFor('Cancelled: the text so far is kept.');

    await tmux.type('/retry\r');
    // Told under a note, then the story is drawn again with the new telling in place of the old.
    const retried = await tmux.waitFor('‹ 2/2 ›');
    expect(retried).toMatch(/› I look out to sea\n+A calmer sea\./);
    expect(retried).not.toContain('(interrupted)');
    await tmux.type('/undo\r');
    // The undone action is back in the input line, to be sent again or changed: cleared here.
    expect(await tmux.waitFor('Undone: back to turn 2.')).toMatch(/│ I look out to sea/);
    await tmux.keys('C-u');
    await tmux.type('/export md\r');
    const exported = await tmux.waitFor(/Saved (\/\S*storyos-\S+\.md)\./);
    const file = /Saved (\/\S*storyos-\S+\.md)\./.exec(exported)?.[1] as string;
    expect(path.dirname(file)).toBe(fs.realpathSync(dir));
    await tmux.type('/quit\r');
    await tmux.waitFor('EXITED 0');

    const md = fs.readFileSync(file, 'utf8');
    expect(md).toContain('> **You:** I touch the lamp\n\nThe lamp is cold.');
    expect(md).not.toContain('I look out to sea');

    const again = launch();
    await again.waitFor('› Log in');
    await again.keys('Enter');
    await again.waitFor('Username:');
    await again.type('keeper\r');
    await again.type('lighthouse1\r');
    await again.waitFor('› New game');
    await again.keys('Down');
    await again.waitFor('› Continue last game');
    await again.keys('Enter');
    await again.waitFor('The lamp is cold.');
    await again.type('/quit\r');
    await again.waitFor('EXITED 0');

    const store = SqliteStore.open(path.join(dir, 'data'));
    const [session] = await store.listSessions('keeper');
    expect(session).toMatchObject({ scenario_id: 'the-lighthouse-at-gull-point', turn_count: 2 });
    const all = await store.listMessages(session?.id as string);
    const interrupted = all.find((m) => m.narration?.interrupted);
    expect(interrupted?.content).toMatch(/^The sea is/);
    expect(all.find((m) => m.content === 'A calmer sea.')?.parent_id).toBe(interrupted?.parent_id);
    expect((await store.findUser('keeper'))?.role).toBe('admin');
    await store.close();

    const log = fs.readFileSync(path.join(dir, 'logs', 'storyos.log'), 'utf8');
    expect(log).toContain('[INFO] [auth] User keeper logged in successfully (user_id: keeper, duration:');
    expect(log).toMatch(/\[PERF\] \[game_logic\] process_player_input completed \(duration: \d+\.\d\ds, session: /);
    expect(log).toContain('[INFO] [game_logic] User action: command /retry (user_id: keeper');
    expect(log).toMatch(
      /\[INFO\] \[llm_utils\] API call: llm chat\.completions \(stream\) \(.*purpose: turn, .*finish_reason: cancelled, session: [^,]+, turn: t[0-9a-f]{8}\)/,
    );
    expect(log).not.toContain('lighthouse1');
    expect(log).not.toContain('xai-e2e-key-123456');
    expect(log.match(/Logging configured/g)?.length).toBe(2);
  }, 120_000);
});
