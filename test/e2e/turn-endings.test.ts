import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { DEFAULT_NARRATION } from '../support/fake-llm-server.js';
import { setUpTerminalGames } from '../support/terminal-game.js';
import path from 'node:path';

const games = setUpTerminalGames();

/** The real storyos in tmux, logged in as alice, in a new Neon Rain game after its opening. */
const inAGame = () => games.inAGame({ columns: 100, rows: 30, env: 'STORYOS_LLM_MAX_RETRIES=1' });

describe('how a turn ends, in a real terminal', () => {
  it('shows "(interrupted)" and one sentence when the narrator closes the connection mid-stream', async () => {
    games.server.script({ kind: 'stream', chunks: DEFAULT_NARRATION }, { kind: 'close', chunks: ['The neon ', 'flickers and'] });
    const tmux = await inAGame();
    await tmux.type('I look up\r');
    const screen = await tmux.waitFor('(interrupted)');
    expect(screen).toContain('The neon flickers and');
    expect(screen.match(/cut off mid-way/g)).toHaveLength(1);
  });

  it('puts the action back in the input line after an empty answer', async () => {
    games.server.script({ kind: 'stream', chunks: DEFAULT_NARRATION }, { kind: 'stream', chunks: [], reasoning: ['Pondering.'] });
    const tmux = await inAGame();
    await tmux.type('I hail a cab\r');
    const screen = await tmux.waitFor('The narrator answered with no story');
    expect(screen).toMatch(/│ I hail a cab/);
    expect(screen).not.toContain('Pondering');
  });

  it('keeps the action and the text so far when the terminal is closed mid-narration (SIGHUP), and exits 129', async () => {
    games.server.script(
      { kind: 'stream', chunks: DEFAULT_NARRATION },
      { kind: 'stream', chunks: ['Slowly ', 'the ', 'rain ', 'falls ', 'and ', 'falls ', 'and ', 'falls.'], delayMs: 300 },
    );
    const tmux = await inAGame();
    await tmux.type('I wait\r');
    await tmux.waitFor('rain');
    tmux.signalProgram('SIGHUP');
    await tmux.waitFor('EXITED 129');
    const store = SqliteStore.open(path.join(games.dir, 'data'));
    const [session] = await store.listSessions('alice');
    const head = await store.getMessage((await store.getSession(session?.id as string))?.head as string);
    expect(head?.content).toMatch(/^Slowly the rain/);
    expect(head?.narration).toMatchObject({ interrupted: true, finish_reason: 'cancelled' });
    expect((await store.getMessage(head?.parent_id as string))?.content).toBe('I wait');
    await store.close();
  });
});

describe('a terminal closed for real (tmux kill-session) mid-narration', () => {
  it('keeps the action and the text so far', async () => {
    games.server.script(
      { kind: 'stream', chunks: DEFAULT_NARRATION },
      { kind: 'stream', chunks: ['Slowly ', 'the ', 'rain ', 'falls ', 'and ', 'falls ', 'and ', 'falls.'], delayMs: 300 },
    );
    const tmux = await inAGame();
    await tmux.type('I wait\r');
    await tmux.waitFor('rain');
    tmux.stop();
    const store = SqliteStore.open(path.join(games.dir, 'data'));
    try {
      const head = async () => {
        const [session] = await store.listSessions('alice');
        return store.getMessage((await store.getSession(session?.id as string))?.head as string);
      };
      let narration = await head();
      for (const end = Date.now() + 5000; narration?.narration?.finish_reason !== 'cancelled' && Date.now() < end; narration = await head())
        await new Promise((r) => setTimeout(r, 50));
      expect(narration?.content).toMatch(/^Slowly the rain/);
      expect((await store.getMessage(narration?.parent_id as string))?.content).toBe('I wait');
    } finally {
      await store.close();
    }
  });
});

describe('a narrator whose state update is full of escape sequences', () => {
  it('changes neither the pane title nor the screen, in /story, /context and the Load game screen', async () => {
    const NASTY = '\u001b]0;pwned\u0007\u001b]52;c;SGVsbG8=\u0007\u001b[2J\u001b[?1049h\u202eevil';
    games.server.answerByDefault({
      json: () => ({
        kind: 'json',
        content: JSON.stringify({
          event_title: `T ${NASTY}`,
          event_summary: `S ${NASTY}`,
          involved_characters: [],
          character_updates: [{ name: `Mara ${NASTY}`, summary: NASTY }],
          world_state: `W ${NASTY}`,
          last_scene: `Scene ${NASTY}`,
          location: `L ${NASTY}`,
          synopsis: `Syn ${NASTY}`,
        }),
      }),
    });
    games.server.script({ kind: 'stream', chunks: [`Opening ${NASTY}.`] }, { kind: 'stream', chunks: ['Rain.'] });
    const tmux = await inAGame();
    const before = tmux.terminalState();
    await tmux.type('I look around\r');
    await tmux.waitFor('Rain.');
    await tmux.type('/story\r');
    let screen = await tmux.waitFor('Syn evil');
    expect(tmux.terminalState()).toEqual(before);
    await tmux.keys('Escape');
    await tmux.type('/context\r');
    screen = await tmux.waitFor('Next prompt');
    expect(tmux.terminalState()).toEqual(before);
    await tmux.keys('Escape');
    await tmux.type('/menu\r');
    await tmux.waitFor('› New game');
    await tmux.keys('Down');
    await tmux.keys('Down');
    await tmux.keys('Enter');
    screen = await tmux.waitFor('Scene evil');
    expect(tmux.terminalState()).toEqual(before);
    expect(before.alternateScreen).toBe(false);
    expect(before.title).not.toContain('pwned');
    expect(screen).toContain('StoryOS · Load game');
  });
});
