import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { setUpTerminalGames } from '../support/terminal-game.js';

const games = setUpTerminalGames();

/** A new Neon Rain game after its opening, with no editor set: edits are inline. */
const inAGame = () => games.inAGame({ columns: 110, rows: 40, env: '-u VISUAL -u EDITOR' });

/** The screen's story: the rows above the input box, without the status and notice rows. */
const storyOf = (screen: string) => screen.slice(0, screen.indexOf('┌'));

describe('tellings, branches and edits, in a real terminal', () => {
  it('retry twice, swipe back, act, /tree to the second, edit it, undo, redo, export: the Markdown is the branch on screen', async () => {
    const { server, dir } = games;
    server.script(
      { kind: 'stream', chunks: ['Rain on the neon. What do you do?'] },
      { kind: 'stream', chunks: ['First telling of the alley.'] },
      { kind: 'stream', chunks: ['Second telling of the alley.'] },
      { kind: 'stream', chunks: ['Third telling of the alley.'] },
      { kind: 'stream', chunks: ['A door opens.'] },
    );
    const tmux = await inAGame();
    await tmux.type('I walk into the alley\r');
    await tmux.waitFor('First telling of the alley.');
    await tmux.type('/retry\r');
    await tmux.waitFor('‹ 2/2 ›');
    await tmux.type('/retry\r');
    expect(await tmux.waitFor('‹ 3/3 ›')).toContain('Third telling of the alley.');

    // Back to the first telling with the keys, and on from it.
    await tmux.keys('M-Left');
    await tmux.waitFor('‹ 2/3 ›');
    await tmux.keys('M-Left');
    const first = await tmux.waitFor('‹ 1/3 ›');
    expect(storyOf(first)).toContain('First telling of the alley.');
    expect(storyOf(first)).not.toContain('Third telling');
    await tmux.type('I knock\r');
    await tmux.waitFor('A door opens.');

    // /tree: the branch point of turn 1, the first telling shown; Enter on the second jumps there.
    await tmux.type('/tree\r');
    const tree = await tmux.waitFor('Enter go there');
    expect(tree).toMatch(/Turn 1[\s\S]*First telling[\s\S]*Second telling[\s\S]*Third telling/);
    await tmux.keys('Down');
    await tmux.keys('Enter');
    const jumped = await tmux.waitFor('Jumped');
    expect(storyOf(jumped)).toContain('Second telling of the alley.');
    expect(storyOf(jumped)).not.toContain('A door opens.');

    // /edit it inline: a fourth telling beside the others.
    await tmux.type('/edit\r');
    await tmux.waitFor('Enter saves it as a new version');
    await tmux.keys('C-u');
    await tmux.type('The alley, as I tell it.\r');
    const edited = await tmux.waitFor('‹ 4/4 ›');
    expect(storyOf(edited)).toContain('The alley, as I tell it.');

    // /undo puts the action back in the input line; /redo goes forward along the edited telling.
    await tmux.type('/undo\r');
    const undone = await tmux.waitFor('Undone: back to turn 0.');
    expect(undone).toMatch(/│ I walk into the alley/);
    await tmux.keys('C-u');
    await tmux.type('/redo\r');
    const redone = await tmux.waitFor('Redone: turn 1.');
    expect(redone).toContain('‹ 4/4 ›');

    await tmux.type('/export md story.md\r');
    const saved = await tmux.waitFor('Saved ');
    const exported = fs.readFileSync(path.join(dir, 'story.md'), 'utf8');
    const shown = storyOf(saved);
    for (const text of ['Rain on the neon. What do you do?', 'I walk into the alley', 'The alley, as I tell it.']) {
      expect(exported).toContain(text);
      expect(shown).toContain(text);
    }
    for (const text of ['First telling', 'Second telling', 'Third telling', 'I knock', 'A door opens.']) {
      expect(exported).not.toContain(text);
      expect(shown).not.toContain(text);
    }

    const store = SqliteStore.open(path.join(dir, 'data'));
    const [session] = await store.listSessions('alice');
    expect(await store.listMessages(session?.id as string)).toHaveLength(8);
    await store.close();
  });
});
