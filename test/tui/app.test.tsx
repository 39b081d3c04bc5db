import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildServices } from '../../src/cli/play/tui.js';
import { parseConfig } from '../../src/config/env.js';
import { GameEngine } from '../../src/game/engine.js';
import { LlmError } from '../../src/llm/errors.js';
import { OfflineLlm } from '../../src/llm/offline.js';
import type { JsonRequest, JsonResult, LlmClient, StreamRequest, StreamResult } from '../../src/llm/types.js';
import { openOnFirstUse } from '../../src/store/deferred.js';
import type { SqliteStore } from '../../src/store/sqlite/store.js';
import { FIRST_FRAME_EVENT } from '../../src/tui/first-frame.js';
import { logInto, readLog } from '../support/logging.js';
import { tempDir } from '../support/temp.js';
import { until } from '../support/wait.js';
import { atLoginScreen, KEY, loggedIn, realServices, renderApp, screenShows, type } from './harness.js';

describe('first run and accounts', () => {
  it('creates the admin on first run, then shows the main menu with the admin entry', async () => {
    const { services, store } = await realServices();
    const { stdin, lastFrame } = renderApp(services, { firstRun: true });
    await screenShows(lastFrame, "create the administrator's account");
    expect(lastFrame()).toContain('No XAI_API_KEY: the offline demo narrator will tell your stories.');
    // Everything wrong: the first wrong field is named, and the cursor is in it, emptied.
    await type(stdin, 'ab\r', 'short\r', 'other\r');
    await screenShows(lastFrame, '✗ A username is 3 to 32 letters, digits, underscores, dots or hyphens.');
    expect(lastFrame()).toMatch(/Username: *\n/);
    await type(stdin, 'root\r', 'short\r', 'other\r');
    await screenShows(lastFrame, '✗ A password needs at least 8 characters.');
    expect(lastFrame()).toMatch(/Username: root\s*\n\s*Password:\s*\n/);
    await type(stdin, 'password123\r', 'different1\r');
    await screenShows(lastFrame, '✗ The two passwords differ; type them again.');
    await type(stdin, 'password123\r', 'password123\r');
    await screenShows(lastFrame, 'Main menu · root (admin)');
    expect(lastFrame()).toContain('Admin');
    expect((await store.findUser('root'))?.role).toBe('admin');
    await store.close();
  });

  it('asks for a username left empty, with the cursor back in Username; logs a quit before any login', async () => {
    const logs = tempDir();
    logInto(logs);
    const { services, stdin, lastFrame, store } = await atLoginScreen();
    await type(stdin, KEY.enter);
    await screenShows(lastFrame, 'Username:');
    await type(stdin, '\r', 'password123\r');
    await screenShows(lastFrame, '✗ Type your username.');
    await type(stdin, 'alice\r', 'password123\r');
    await screenShows(lastFrame, 'Main menu · alice');
    const again = renderApp(services, { firstRun: false });
    await screenShows(again.lastFrame, '› Log in');
    await type(again.stdin, KEY.ctrlC, KEY.ctrlC);
    expect(readLog(logs)).toContain('[INFO] [tui] Quit from the login screen, not logged in');
    await store.close();
  });

  it('gives keys that come right after a screen change to the new screen, with no pause between them', async () => {
    const { stdin, lastFrame, store } = await atLoginScreen();
    // As a paste or a script sends them: each write is handled before the next, with no redraw
    // between; then in one chunk (Enter, and a password manager's name Tab password Enter), with
    // keys typed while the password is checked, which go to the main menu (↓ Enter: Load game).
    for (const keys of [KEY.enter, 'alice', KEY.enter, 'password123', KEY.enter]) stdin.write(keys);
    await screenShows(lastFrame, 'Main menu · alice');
    for (const keys of [KEY.up, KEY.up, KEY.enter]) stdin.write(keys);
    await screenShows(lastFrame, '› Log in');
    for (const keys of ['\ralice\tpassword123\r', KEY.down, KEY.enter]) stdin.write(keys);
    await screenShows(lastFrame, 'StoryOS · Load game');
    await type(stdin, KEY.esc);
    // Back in the menu, its cursor is where the player left it.
    await screenShows(lastFrame, '› Load game');
    // All in one chunk, what follows the password's Enter too (jj⏎: Scenarios).
    for (const keys of [KEY.down, KEY.down, KEY.enter, '\ralice\tpassword123\rjj\r']) stdin.write(keys);
    await screenShows(lastFrame, 'StoryOS · Scenarios');
    await type(stdin, KEY.esc);
    await screenShows(lastFrame, '› Scenarios');
    // Keys typed while a list loads wait for it. (Esc gets a pause after it: Esc and Enter sent
    // together are Alt+Enter to a terminal.)
    for (const keys of [KEY.up, KEY.up, KEY.enter, KEY.down]) stdin.write(keys);
    await type(stdin, KEY.esc);
    for (const keys of [KEY.enter, KEY.down]) stdin.write(keys);
    await screenShows(lastFrame, 'StoryOS · New game');
    // A held key: every one of 301 presses counts, in order (after the one above; 4 scenarios: 301 mod 4 = 1 more).
    for (let i = 0; i < 301; i++) stdin.write(KEY.down);
    await screenShows(lastFrame, '› The Lighthouse at Gull Point');
    await store.close();
  });

  it('honours every key of a chunk: "bob" and Ctrl+U in one read clear the field', async () => {
    const { stdin, lastFrame, store } = await atLoginScreen();
    stdin.write(KEY.enter);
    await screenShows(lastFrame, 'Username:');
    stdin.write('bob\u0015alice\r');
    stdin.write('password123\r');
    await screenShows(lastFrame, 'Main menu · alice');
    await store.close();
  });

  it('quits on Ctrl+C twice in one read', async () => {
    const logs = tempDir();
    logInto(logs);
    const { stdin, store } = await atLoginScreen();
    stdin.write('\u0003\u0003');
    expect(await until(() => readLog(logs).includes('Quit from the login screen, not logged in'))).toBe(true);
    await store.close();
  });

  it('says "Press Ctrl+C again" only while a second Ctrl+C would quit', async () => {
    const logs = tempDir();
    logInto(logs);
    const { stdin, lastFrame, store } = await atLoginScreen();
    stdin.write(KEY.ctrlC);
    await screenShows(lastFrame, 'Press Ctrl+C again to quit.');
    await screenShows(lastFrame, /^(?![\s\S]*Press Ctrl\+C again)[\s\S]*› Log in/, 4000);
    stdin.write(KEY.ctrlC);
    await screenShows(lastFrame, 'Press Ctrl+C again to quit.');
    expect(readLog(logs)).not.toContain('Quit from');
    await store.close();
  });

  it("keeps each menu's cursor where the player left it when they come back to it, until they log out", async () => {
    const { stdin, lastFrame, store } = await loggedInMenu();
    stdin.write('3');
    stdin.write(KEY.enter);
    await screenShows(lastFrame, 'StoryOS · Scenarios');
    stdin.write(KEY.down);
    stdin.write(KEY.down);
    await screenShows(lastFrame, '› The Lighthouse at Gull Point');
    stdin.write(KEY.esc);
    await screenShows(lastFrame, '› Scenarios');
    stdin.write(KEY.enter);
    // The list's cursor too, with the details of its scenario beside it.
    await screenShows(lastFrame, /› The Lighthouse at Gull Point[\s\S]*The Lighthouse at Gull Point v1\.0\.0 by/);
    stdin.write(KEY.esc);
    await screenShows(lastFrame, '› Scenarios');
    stdin.write('4');
    stdin.write(KEY.enter);
    await screenShows(lastFrame, '› Log in');
    stdin.write('\ralice\tpassword123\r');
    await screenShows(lastFrame, /Main menu · alice[\s\S]*› New game/);
    await store.close();
  });

  it('refuses a wrong password in one sentence, registers a player, and logs out', async () => {
    const { stdin, lastFrame, store } = await atLoginScreen();
    await type(stdin, KEY.enter, 'alice\r', 'wrong-password\r');
    await screenShows(lastFrame, '✗ Wrong username or password. After 5 failed attempts an account is locked for 15 minutes.');
    await type(stdin, KEY.esc);
    await screenShows(lastFrame, '› Log in');
    await type(stdin, KEY.down, KEY.enter);
    await screenShows(lastFrame, 'StoryOS · Register');
    // Esc goes back to the menu with Register still chosen, not to the top.
    await type(stdin, KEY.esc);
    await screenShows(lastFrame, '› Register');
    await type(stdin, KEY.enter);
    await screenShows(lastFrame, 'Username:');
    // A taken name is named before a short password, as it comes first.
    await type(stdin, 'alice\r', 'short\r', 'short\r');
    await screenShows(lastFrame, '✗ The username alice is taken.');
    // The name is what to change: the cursor is back in Username, emptied, and the passwords are cleared.
    await type(stdin, 'bob\r', 'password456\r', 'password456\r');
    const menu = await screenShows(lastFrame, 'Main menu · bob');
    expect(menu).not.toContain('Admin');
    await type(stdin, KEY.up, KEY.up, KEY.enter);
    await screenShows(lastFrame, '› Log in');
    expect((await store.findUser('bob'))?.role).toBe('user');
    await store.close();
  });
});

/** Services over `store` as a MongoDB store slow to connect: it opens on `release()`. */
function slowToOpen(store: SqliteStore, dir: string) {
  let release = () => {};
  const connected = new Promise<void>((resolve) => (release = resolve));
  const deferred = openOnFirstUse('mongodb', 'MongoDB database storyos', async () => {
    await connected;
    return store;
  });
  const config = parseConfig({ STORYOS_LOG_DIR: dir, STORYOS_DATA_DIR: dir }, dir);
  return {
    services: buildServices(config, deferred, new GameEngine({ store: deferred, llm: new OfflineLlm(0), narratorModel: 'n', summaryModel: 's' })),
    release,
  };
}

describe('the first screen, drawn before the store opens', () => {
  it('announces the first frame once, for the launcher to keep the code cache', async () => {
    const { services, store } = await realServices();
    let heard = 0;
    const listener = () => heard++;
    process.on(FIRST_FRAME_EVENT, listener);
    try {
      const { lastFrame } = renderApp(services, { firstRun: true });
      await screenShows(lastFrame, "create the administrator's account");
      await new Promise((r) => setTimeout(r, 100));
      expect(heard).toBe(1);
    } finally {
      process.off(FIRST_FRAME_EVENT, listener);
      await store.close();
    }
  });

  it('is corrected once the store answers: first run without accounts, log in with some', async () => {
    const { services, store } = await realServices();
    const guessedLogin = renderApp(services, { firstRun: false });
    await screenShows(guessedLogin.lastFrame, "create the administrator's account");
    guessedLogin.unmount();
    await services.accounts.createUser('alice', 'password123', 'user', 'test');
    const guessedFirstRun = renderApp(services, { firstRun: true });
    await screenShows(guessedFirstRun.lastFrame, '› Log in');
    expect(guessedFirstRun.lastFrame()).not.toContain("create the administrator's account");
    await store.close();
  });

  it('waits for MongoDB, which nothing tells about before it connects, on a screen of its own', async () => {
    const { store, dir } = await realServices();
    const { services, release } = slowToOpen(store, dir);
    const { lastFrame } = renderApp(services, { firstRun: undefined });
    await screenShows(lastFrame, 'Opening the store…');
    release();
    await screenShows(lastFrame, "create the administrator's account");
    await store.close();
  });

  it('takes what the player types while the store is still opening (a slow MongoDB), and logs in once it is open', async () => {
    const { services: direct, store, dir } = await realServices();
    await direct.accounts.createUser('alice', 'password123', 'user', 'test');
    const { services, release } = slowToOpen(store, dir);
    const { stdin, lastFrame } = renderApp(services, { firstRun: false });
    await screenShows(lastFrame, '› Log in');
    await type(stdin, KEY.enter);
    await screenShows(lastFrame, 'Username:');
    await type(stdin, 'alice\r', 'password123\r');
    await new Promise((r) => setTimeout(r, 200));
    expect(lastFrame()).toContain('StoryOS · Log in');
    release();
    await screenShows(lastFrame, 'Main menu · alice');
    await store.close();
  });
});

const loggedInMenu = (wordDelayMs = 0) => loggedIn({ wordDelayMs });

/** Narrates openings; every turn fails after `delayMs`, as an unreachable narrator would. */
class FailingTurns implements LlmClient {
  readonly label = 'failing';
  readonly offline = false;
  private readonly inner = new OfflineLlm(0);

  constructor(private readonly delayMs: number) {}

  async stream(request: StreamRequest): Promise<StreamResult> {
    if (request.purpose !== 'turn') return this.inner.stream(request);
    await new Promise((r) => setTimeout(r, this.delayMs));
    throw new LlmError('network', 'The narrator could not be reached.');
  }

  json<T>(request: JsonRequest<T>): Promise<JsonResult<T>> {
    return this.inner.json(request);
  }
}

/** Narrates openings; a turn writes nothing until it is cancelled. */
class SilentUntilCancelled implements LlmClient {
  readonly label = 'silent';
  readonly offline = false;
  private readonly inner = new OfflineLlm(0);

  async stream(request: StreamRequest): Promise<StreamResult> {
    if (request.purpose !== 'turn') return this.inner.stream(request);
    await new Promise<void>((resolve) => request.signal?.addEventListener('abort', () => resolve()));
    throw new LlmError('cancelled', 'Cancelled.');
  }

  json<T>(request: JsonRequest<T>): Promise<JsonResult<T>> {
    return this.inner.json(request);
  }
}

describe('playing', () => {
  it('starts a new game from the scenario list and plays a turn', async () => {
    const { stdin, lastFrame, frames, store } = await loggedInMenu();
    await type(stdin, KEY.enter);
    await screenShows(lastFrame, '› Neon Rain');
    await type(stdin, KEY.down);
    expect(lastFrame()).toContain('You play Dr. Lena Okafor');
    await type(stdin, KEY.enter);
    await screenShows(lastFrame, 'What do you do? (/help for commands)');
    expect(frames.join('\n')).toContain('Offline demo narrator');
    expect(lastFrame()).toContain('OFFLINE DEMO');
    await type(stdin, 'I check the airlock seals\r');
    await screenShows(lastFrame, /\(session [\d.]+k?\) · prompt ~?[\d.]+k?\/10\.9k · sqlite/);
    await screenShows(() => frames.join('\n'), 'You decide: I check the airlock seals');
    const [session] = await store.listSessions('alice');
    expect(session?.turn_count).toBe(1);
    // Back at the menu the terminal is cleared, so the story is not left on screen for the next player.
    const before = frames.length;
    await type(stdin, '/menu\r');
    await screenShows(lastFrame, '› New game');
    expect(frames.slice(before).some((frame) => frame.startsWith('\u001b[2J\u001b[3J\u001b[H'))).toBe(true);
    await store.close();
  });

  it('completes slash commands with Tab, opens /help and closes it with Esc', async () => {
    const { stdin, lastFrame, frames, store } = await loggedInMenu();
    await type(stdin, KEY.enter);
    await screenShows(lastFrame, '› Neon Rain');
    await type(stdin, KEY.enter);
    await screenShows(lastFrame, 'What do you do?');
    await type(stdin, '/he');
    expect(lastFrame()).toContain('/help — the commands and keys');
    await type(stdin, KEY.tab, KEY.enter);
    await screenShows(lastFrame, 'Esc closes');
    expect(lastFrame()).toContain('/retry');
    const beforeClosing = frames.length;
    await type(stdin, KEY.esc);
    expect(lastFrame()).not.toContain('Esc closes');
    // The box's rows are not left blank under the input: the screen is cleared and the story printed again.
    const afterClosing = frames.slice(beforeClosing);
    const cleared = afterClosing.findIndex((frame) => frame.startsWith('\u001b[2J\u001b[3J\u001b[H'));
    expect(cleared).toBeGreaterThanOrEqual(0);
    expect(afterClosing.slice(cleared).join('\n')).toContain('Offline demo narrator');
    await type(stdin, '/frobnicate\r');
    await screenShows(lastFrame, '✗ Unknown command /frobnicate; /help lists them.');
    // The line is kept, to be corrected.
    expect(lastFrame()).toContain('│ /frobnicate');
    await type(stdin, '\u0015');
    // Enter on nothing but spaces: a word on what to do, in place of the old notice; the line is emptied.
    await type(stdin, '   ', KEY.enter);
    await screenShows(lastFrame, 'Type what you do, then Enter; /help lists the commands.');
    expect(lastFrame()).not.toContain('Unknown command');
    expect(lastFrame()).toContain('What do you do? (/help for commands)');
    await type(stdin, '/help\r');
    await screenShows(lastFrame, 'Esc closes');
    expect(lastFrame()).not.toContain('Unknown command');
    await store.close();
  });

  it('goes through the commands an ambiguous prefix fits with Tab, and Enter runs only the one chosen', async () => {
    const { stdin, lastFrame, store } = await loggedInMenu();
    await type(stdin, KEY.enter);
    await screenShows(lastFrame, '› Neon Rain');
    await type(stdin, KEY.enter);
    await screenShows(lastFrame, 'What do you do?');
    const [session] = await store.listSessions('alice');
    const messages = async () => (await store.getBranch(session?.id as string, (await store.getSession(session?.id as string))?.head as string, 100)).length;
    const before = await messages();
    // Tab and Enter in one chunk, as a paste: Tab completes what /continue and /context share, and Enter runs neither.
    stdin.write('/c\t\r');
    await screenShows(lastFrame, '✗ /cont could be /continue or /context: Tab goes through them.');
    expect(lastFrame()).toMatch(/│ \/cont\b/);
    expect(lastFrame()).toContain('/continue — let the story go on');
    expect(lastFrame()).toContain('/context — the exact prompt');
    stdin.write(KEY.tab);
    await screenShows(lastFrame, /│ \/continue\b[\s\S]*› \/continue/);
    stdin.write(KEY.tab);
    await screenShows(lastFrame, /│ \/context\b[\s\S]*› \/context/);
    expect(lastFrame()).toContain('/continue — let the story go on');
    expect(await messages()).toBe(before);
    stdin.write(KEY.enter);
    await screenShows(lastFrame, /Next prompt: \d+ of \d+ tokens/);
    expect(await messages()).toBe(before);
    await store.close();
  });

  it('says one thing when a narration is cancelled before its first word, and puts the action back', async () => {
    const { stdin, lastFrame, store } = await loggedIn({ llm: new SilentUntilCancelled() });
    await type(stdin, KEY.enter);
    await screenShows(lastFrame, '› Neon Rain');
    await type(stdin, KEY.enter);
    await screenShows(lastFrame, 'What do you do? (/help', 5000);
    stdin.write('I wait\r');
    await screenShows(lastFrame, 'The narrator is thinking…');
    stdin.write(KEY.ctrlC);
    const frame = await screenShows(lastFrame, 'Cancelled. Your action is back in the input line.');
    expect(frame).not.toContain('text so far');
    expect(frame).not.toContain('✗');
    expect(frame).toContain('│ I wait');
    await store.close();
  });

  it('cancels a narration with Ctrl+C, keeping its text, and quits on Ctrl+C twice', async () => {
    const logs = tempDir();
    logInto(logs);
    const { stdin, lastFrame, frames, store } = await loggedInMenu(30);
    await type(stdin, KEY.enter);
    await screenShows(lastFrame, '› Neon Rain');
    await type(stdin, KEY.enter);
    await screenShows(lastFrame, 'What do you do? (/help', 5000);
    await type(stdin, 'I wait for the rain to stop\r');
    await screenShows(() => frames.join('\n'), 'narrating… (Ctrl+C cancels)');
    await new Promise((r) => setTimeout(r, 200));
    await type(stdin, KEY.ctrlC);
    await screenShows(lastFrame, 'Cancelled: the text so far is kept.');
    await screenShows(() => frames.join('\n'), '(interrupted)');
    const [session] = await store.listSessions('alice');
    const [last] = await services(store, session?.id as string);
    expect(last?.narration?.interrupted).toBe(true);
    await type(stdin, KEY.ctrlC);
    await screenShows(lastFrame, 'Press Ctrl+C again to quit.');
    await type(stdin, KEY.ctrlC);
    expect(readLog(logs)).toContain('User action: quit (user_id: alice)');
    // The hint is not left on the terminal after quitting.
    await screenShows(lastFrame, /^(?![\s\S]*Press Ctrl\+C again)/);
    await store.close();
  });

  it('keeps what the player types while the narrator writes, and sends it on Enter once the narration is done', async () => {
    const { stdin, lastFrame, frames, store } = await loggedInMenu(20);
    await type(stdin, KEY.enter);
    await screenShows(lastFrame, '› Neon Rain');
    await type(stdin, KEY.enter);
    await screenShows(() => frames.join('\n'), 'narrating… (Ctrl+C cancels)');
    await type(stdin, 'I open the door', KEY.enter);
    expect(lastFrame()).toContain('│ I open the door');
    expect(lastFrame()).toContain('The narrator is still writing: press Enter again when it is done');
    await screenShows(lastFrame, /\(session [1-9][\d.]*k?\) · prompt ~?[\d.]+k?\/10\.9k · sqlite\s*$/, 8000);
    expect(lastFrame()).not.toContain('still writing');
    expect(lastFrame()).toContain('│ I open the door');
    await type(stdin, KEY.enter);
    await screenShows(() => frames.join('\n'), 'You decide: I open the door', 8000);
    await screenShows(lastFrame, 'What do you do? (/help', 8000);
    expect((await store.listSessions('alice'))[0]?.turn_count).toBe(1);
    await store.close();
  });

  it('puts a failed action back in the input line, or keeps what was typed ahead and lets ↑ recall the action', async () => {
    const { stdin, lastFrame, store } = await loggedIn({ llm: new FailingTurns(300) });
    await type(stdin, KEY.enter);
    await screenShows(lastFrame, '› Neon Rain');
    await type(stdin, KEY.enter);
    await screenShows(lastFrame, 'What do you do? (/help', 5000);
    await type(stdin, 'I ring the bell\r');
    await screenShows(lastFrame, 'The narrator could not be reached. Your action is back in the input line.', 5000);
    expect(lastFrame()).toContain('│ I ring the bell');
    await type(stdin, '\u0015', 'I shout\r', 'I wait');
    await screenShows(lastFrame, 'Your action is kept: ↑ recalls it, /retry sends it again.', 5000);
    expect(lastFrame()).toContain('│ I wait');
    await type(stdin, KEY.up);
    expect(lastFrame()).toContain('│ I shout');
    await store.close();
  });

  it('loads a game, exports it, and deletes it only after y (Esc or n cancels the question, which names the game and its turns)', async () => {
    const { stdin, lastFrame, store, services: appServices } = await loggedInMenu();
    const alice = await appServices.accounts.login('alice', 'password123');
    const { session } = await appServices.engine.newSession(alice, 'neon-rain');
    await appServices.engine.takeTurn(alice, session.id, 'I look around', {});
    const cwd = process.cwd();
    const out = tempDir();
    process.chdir(out);
    try {
      await type(stdin, KEY.esc);
      await screenShows(lastFrame, '› New game');
      await type(stdin, '2', KEY.enter);
      await screenShows(lastFrame, 'StoryOS · Load game');
      expect(lastFrame()).toContain('Neon Rain');
      const exported = path.join(process.cwd(), `storyos-${session.id}.md`);
      await type(stdin, 'e');
      await screenShows(lastFrame, `✓ Exported to ${exported}.`);
      expect(fs.readFileSync(exported, 'utf8')).toContain('# Neon Rain');
      // Once there, the file is replaced only after a y.
      fs.writeFileSync(exported, 'my notes');
      stdin.write('e');
      await screenShows(flat(lastFrame), `${exported} exists already: replace it? y/n`);
      stdin.write(KEY.esc);
      await screenShows(lastFrame, /^(?![\s\S]*replace it)[\s\S]*StoryOS · Load game/);
      expect(fs.readFileSync(exported, 'utf8')).toBe('my notes');
      stdin.write('e');
      await screenShows(flat(lastFrame), 'replace it? y/n');
      stdin.write('y');
      await screenShows(flat(lastFrame), `✓ Exported to ${exported}.`);
      expect(fs.readFileSync(exported, 'utf8')).toContain('# Neon Rain');
      stdin.write('d');
      await screenShows(lastFrame, /Delete your Neon Rain game \(1 turn, last played \d{4}-\d\d-\d\d \d\d:\d\d\) for good\? y\/n/);
      stdin.write(KEY.esc);
      await screenShows(lastFrame, /^(?![\s\S]*for good)[\s\S]*StoryOS · Load game/);
      stdin.write('d');
      await screenShows(lastFrame, 'for good? y/n');
      stdin.write('n');
      await screenShows(lastFrame, /^(?![\s\S]*for good)[\s\S]*StoryOS · Load game/);
      expect(await store.getSession(session.id)).not.toBeNull();
      await type(stdin, 'd', 'y');
      await screenShows(lastFrame, /✓ Deleted your Neon Rain game \(1 turn, last played [\d-]+ [\d:]+\)\./);
      expect(await store.getSession(session.id)).toBeNull();
    } finally {
      process.chdir(cwd);
      await store.close();
    }
  });
});

/** The screen with its lines joined, for sentences that wrap. */
function flat(lastFrame: () => string | undefined) {
  return () => (lastFrame() ?? '').replace(/\s+/g, ' ');
}

/** Runs `body` with HOME (what `~` stands for) set to a fresh folder, which it is given. */
async function withHome(body: (home: string) => Promise<void>): Promise<void> {
  const previous = process.env.HOME;
  const home = tempDir();
  process.env.HOME = home;
  try {
    await body(home);
  } finally {
    process.env.HOME = previous;
  }
}

describe('paths the player types', () => {
  it('/export reads ~ as the home folder, and replaces a file there only with --force', () =>
    withHome(async (home) => {
      const { stdin, lastFrame, store } = await loggedInMenu();
      await type(stdin, KEY.enter);
      await screenShows(lastFrame, '› Neon Rain');
      await type(stdin, KEY.enter);
      await screenShows(lastFrame, 'What do you do?');
      const file = path.join(home, 'story.md');
      stdin.write('/export md ~/story.md\r');
      await screenShows(flat(lastFrame), `✓ Saved ${file}.`);
      expect(fs.readFileSync(file, 'utf8')).toContain('# Neon Rain');
      fs.writeFileSync(file, 'my notes');
      stdin.write('/export md ~/story.md\r');
      await screenShows(flat(lastFrame), `✗ ${file} exists already: \`/export md ~/story.md --force\` replaces it, or give another path.`);
      expect(fs.readFileSync(file, 'utf8')).toBe('my notes');
      stdin.write('/export md ~/story.md --force\r');
      await screenShows(flat(lastFrame), `✓ Saved ${file}.`);
      expect(fs.readFileSync(file, 'utf8')).toContain('# Neon Rain');
      await store.close();
    }));
});

async function services(store: SqliteStore, sessionId: string) {
  const session = await store.getSession(sessionId);
  return store.getBranch(sessionId, session?.head as string, 1);
}
