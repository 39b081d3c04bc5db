import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpenAiLlm } from '../../src/llm/openai-client.js';
import { FakeLlmServer } from '../support/fake-llm-server.js';
import { tempDir } from '../support/temp.js';
import { atLoginScreen, KEY, screenShows, type, inAGame } from './harness.js';

const ALT_LEFT = '\u001b[1;3D';
const CTRL_U = '\u0015';
const OPENING = 'Telling number 1 of the story.';

let server: FakeLlmServer;
let told = 0;
const saved = { VISUAL: process.env.VISUAL, EDITOR: process.env.EDITOR };
beforeEach(async () => {
  told = 0;
  // Each narration says which it is, so the screen and the export can be matched word for word.
  server = await new FakeLlmServer().start();
  server.answerByDefault({ stream: () => ({ kind: 'stream', chunks: [`Telling number ${++told} `, 'of the story.'] }) });
  delete process.env.VISUAL;
  delete process.env.EDITOR;
});
afterEach(async () => {
  await server.stop();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const narrator = () =>
  new OpenAiLlm({ apiKey: 'xai-test-key', baseUrl: server.url, model: 'grok-test', timeoutS: 2, maxRetries: 0, backoff: { baseMs: 5, capMs: 20 } });

type App = Awaited<ReturnType<typeof atLoginScreen>>;

/** The lines of this test's story: the player's actions and the narrations (numbered, or the edits'). */
const STORY_LINE = /^(› |Telling number \d+ of the story\.$|The hall )/;

/**
 * The story as the player sees it now: the last print of it (Ink's test output keeps every print
 * of the finished messages, one after another; each starts with the opening), down to the input
 * box, one line a message, without the telling marks and the notice.
 */
function storyOnScreen(app: App): string[] {
  const frame = app.lastFrame() ?? '';
  const story = frame.slice(frame.lastIndexOf(OPENING));
  return story
    .slice(0, story.indexOf('┌'))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => STORY_LINE.test(line));
}

/** The story of a Markdown export, one line a message, as the screen writes them. */
function storyExported(markdown: string): string[] {
  const body = markdown.slice(markdown.indexOf('\n---\n') + 5).trim();
  return body.split('\n\n').map((m) => (m.startsWith('> **You:** ') ? `› ${m.slice('> **You:** '.length)}` : m));
}

describe('the story is the player’s, on the game screen', () => {
  it('retry twice, swipe back (key and /swipe), act, /tree back, edit (field and $EDITOR), undo, redo, export: the export is the branch shown', async () => {
    const app = await atLoginScreen({ llm: narrator() });
    await inAGame(app);
    await type(app.stdin, 'I open the door\r');
    await screenShows(app.lastFrame, 'Telling number 2 of the story.');

    await type(app.stdin, '/retry\r');
    await screenShows(app.lastFrame, '‹ 2/2 ›');
    await type(app.stdin, '/retry\r');
    let frame = await screenShows(app.lastFrame, '‹ 3/3 ›');
    expect(frame).toMatch(/telling ‹ 3\/3 › · /);
    expect(storyOnScreen(app)).toEqual([OPENING, '› I open the door', 'Telling number 4 of the story.']);

    // A box open takes the keys: Alt+← does not move the story under it.
    await type(app.stdin, '/help\r');
    await screenShows(app.lastFrame, 'Esc closes');
    await type(app.stdin, ALT_LEFT, KEY.esc);
    await screenShows(app.lastFrame, /^(?![\s\S]*Esc closes)/);
    expect(app.lastFrame()).toMatch(/telling ‹ 3\/3 › · /);

    // Alt+← goes to the telling before; /swipe prev to the first.
    await type(app.stdin, ALT_LEFT);
    await screenShows(app.lastFrame, '‹ 2/3 ›');
    expect(storyOnScreen(app)).toEqual([OPENING, '› I open the door', 'Telling number 3 of the story.']);
    expect(app.lastFrame()).not.toMatch(/│ .*\[1;3D/);
    await type(app.stdin, '/swipe prev\r');
    await screenShows(app.lastFrame, '‹ 1/3 ›');
    expect(storyOnScreen(app)).toEqual([OPENING, '› I open the door', 'Telling number 2 of the story.']);

    // Acting from the first telling goes on from it.
    await type(app.stdin, 'I climb the stairs\r');
    await screenShows(app.lastFrame, 'Telling number 5 of the story.');
    expect(storyOnScreen(app)).toEqual([
      OPENING,
      '› I open the door',
      'Telling number 2 of the story.',
      '› I climb the stairs',
      'Telling number 5 of the story.',
    ]);

    // /tree: back to the second telling of turn 1.
    await type(app.stdin, '/tree\r');
    frame = await screenShows(app.lastFrame, 'Turn 1');
    expect(frame).toContain('● 1. › I open the door — Telling number 2');
    expect(frame).toContain('○ 2. › I open the door — Telling number 3');
    await type(app.stdin, KEY.down, KEY.down, KEY.up);
    await screenShows(app.lastFrame, '› ○ 2. › I open the door — Telling number 3');
    await type(app.stdin, KEY.enter);
    await screenShows(app.lastFrame, '‹ 2/3 ›');
    expect(storyOnScreen(app)).toEqual([OPENING, '› I open the door', 'Telling number 3 of the story.']);

    // /edit with no editor set: a field of the game's own, the original in it.
    await type(app.stdin, '/edit\r');
    await screenShows(app.lastFrame, 'Edit the last narration');
    expect(app.lastFrame()).toContain('Telling number 3 of the story.');
    // Esc leaves it as it was.
    await type(app.stdin, CTRL_U, 'Nothing', KEY.esc);
    await screenShows(app.lastFrame, /^(?![\s\S]*Edit the last narration)/);
    expect(storyOnScreen(app)).toEqual([OPENING, '› I open the door', 'Telling number 3 of the story.']);
    await type(app.stdin, '/edit\r');
    await screenShows(app.lastFrame, 'Edit the last narration');
    await type(app.stdin, CTRL_U, 'The hall is dark and cold.', KEY.enter);
    await screenShows(app.lastFrame, /The hall is dark and cold\.[\s\S]*‹ 4\/4 ›/);
    expect(storyOnScreen(app)).toEqual([OPENING, '› I open the door', 'The hall is dark and cold.']);

    // /edit with $EDITOR set: the editor's text is the new version.
    const dir = tempDir();
    const editor = path.join(dir, 'editor.sh');
    fs.writeFileSync(editor, `#!/bin/sh\nprintf 'The hall is lit by one candle.\\n' > "$1"\n`, { mode: 0o755 });
    process.env.EDITOR = editor;
    await type(app.stdin, '/edit\r');
    await screenShows(app.lastFrame, '‹ 5/5 ›');
    expect(storyOnScreen(app)).toEqual([OPENING, '› I open the door', 'The hall is lit by one candle.']);

    // /undo: the action comes back to the input line (and to ↑).
    await type(app.stdin, '/undo\r');
    frame = await screenShows(app.lastFrame, /│ I open the door/);
    expect(storyOnScreen(app)).toEqual([OPENING]);
    await type(app.stdin, CTRL_U, KEY.up);
    await screenShows(app.lastFrame, /│ I open the door/);
    await type(app.stdin, CTRL_U, '/redo\r');
    await screenShows(app.lastFrame, '‹ 5/5 ›');
    expect(storyOnScreen(app)).toEqual([OPENING, '› I open the door', 'The hall is lit by one candle.']);

    const file = path.join(dir, 'story.md');
    await type(app.stdin, `/export md ${file}\r`);
    await screenShows(app.lastFrame, '✓ Saved');
    expect(storyExported(fs.readFileSync(file, 'utf8'))).toEqual(storyOnScreen(app));
    await app.store.close();
  }, 60_000);

  it('/edit action: the action corrected in the field, the turn told again, the story shown is the new branch', async () => {
    const app = await atLoginScreen({ llm: narrator() });
    await inAGame(app);
    await type(app.stdin, 'I open the dor\r');
    await screenShows(app.lastFrame, 'Telling number 2 of the story.');
    await type(app.stdin, '/edit action\r');
    await screenShows(app.lastFrame, 'Edit your last action');
    expect(app.lastFrame()).toContain('│ I open the dor');
    await type(app.stdin, KEY.backspace, KEY.backspace, 'oor', KEY.enter);
    await screenShows(app.lastFrame, 'Telling number 3 of the story.');
    expect(storyOnScreen(app)).toEqual([OPENING, '› I open the door', 'Telling number 3 of the story.']);
    // The first action and its narration are kept beside it.
    await type(app.stdin, '/tree\r');
    const tree = await screenShows(app.lastFrame, 'Turn 1');
    expect(tree).toContain('○ 1. › I open the dor — Telling number 2');
    expect(tree).toContain('● 2. › I open the door — Telling number 3');
    await app.store.close();
  }, 30_000);

  it('a loaded game says how many earlier turns are off screen, and /history pages through them all', async () => {
    const app = await atLoginScreen({ llm: narrator() });
    const alice = await app.services.accounts.login('alice', 'password123');
    const { session } = await app.services.engine.newSession(alice, 'neon-rain');
    for (let turn = 1; turn <= 35; turn++) await app.services.engine.takeTurn(alice, session.id, `I take step ${turn}`, {});
    await app.services.engine.settled();
    await type(app.stdin, KEY.enter);
    await screenShows(app.lastFrame, 'Username:');
    await type(app.stdin, 'alice\r', 'password123\r');
    await screenShows(app.lastFrame, '› New game');
    await type(app.stdin, KEY.down, KEY.enter);
    // 36 narrations (the opening and 35 turns), 30 of them among the 60 messages shown.
    const frame = await screenShows(app.lastFrame, '— 6 earlier turns: /history —');
    expect(frame.indexOf('— 6 earlier turns')).toBeLessThan(frame.indexOf('› I take step 6'));
    expect(frame).not.toContain('› I take step 5\n');
    await type(app.stdin, '/history\r');
    await screenShows(app.lastFrame, 'The whole story');
    await type(app.stdin, '\u001b[H');
    await screenShows(app.lastFrame, OPENING);
    await type(app.stdin, '/', ...'step 3\r');
    await screenShows(app.lastFrame, '“step 3” at row');
    expect(app.lastFrame()).toMatch(/▸ › I take step 3/);
    await type(app.stdin, KEY.esc);
    await screenShows(app.lastFrame, 'What do you do?');
    await app.store.close();
  }, 30_000);
});
