import { describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../support/fake-llm-server.js';
import { setUpTerminalGames } from '../support/terminal-game.js';
import { until } from '../support/wait.js';

const games = setUpTerminalGames();

/** The narrations asked of the fake server (not the story-state updates). */
const narrations = (): RecordedRequest[] => games.server.requests.filter((r) => r.body.stream === true);

/** The screen's last row that is not blank: the status bar. */
const statusRow = (screen: string) =>
  screen
    .split('\n')
    .filter((row) => row.trim())
    .at(-1) ?? '';

const LORE = 'The lamp has been dark for ten years.';

/** A box's text as one line: its rows without the borders, joined (a sentence may wrap over rows). */
const boxText = (screen: string) =>
  screen
    .split('\n')
    .map((row) =>
      row
        .replace(/^\s*│ ?/, '')
        .replace(/ ?│\s*$/, '')
        .trim(),
    )
    .join(' ')
    .replace(/\s+/g, ' ');

describe('steering the narrator, in a real terminal of 80 columns', () => {
  it('memory, an author’s note and a lore entry; a turn that fires it; /context shows each with its tokens and budget; the request has them, and not the entries that did not fire', async () => {
    games.server.script(
      { kind: 'stream', chunks: ['The supply boat pulls away from the landing stage. ', 'What do you do?'] },
      { kind: 'stream', chunks: ['The stairs wind up into the cold. ', 'What do you do?'] },
    );
    const tmux = await games.inAGame({ columns: 80, rows: 50, scenario: 'The Lighthouse at Gull Point', env: '-u VISUAL -u EDITOR' });
    let screen = await tmux.waitFor('What do you do? (/help');
    // The status bar: the game's model and the opening's prompt against the budget, on one row.
    await tmux.waitFor(/grok-4-fast-reasoning · TTFT .* · prompt [\d.]+k?\/10\.9k/);

    await tmux.type('/memory The keeper is my sister.\r');
    await tmux.waitFor('Memory pinned');
    await tmux.type('/note Keep it tense; short paragraphs.\r');
    await tmux.waitFor("Author's note set");
    await tmux.type(`/lore add Gull Point, /lamp\\w*/ :: ${LORE}\r`);
    await tmux.waitFor('Lore entry 1 added');

    await tmux.type('I climb the stairs to the lamp room\r');
    screen = await tmux.waitFor('The stairs wind up into the cold.');
    await until(() => narrations().length === 2, 5000);
    screen = await tmux.waitFor(/ · prompt [\d.]+k?\/10\.9k/);
    const status = statusRow(screen);
    // 80 columns: what does not fit (the storage first) gives way to the model, TTFT, the turn's tokens and the gauge.
    expect(status).toMatch(/^grok-4-fast-reasoning · TTFT [\d.]+s · .*[\d.]+k? tok.* · prompt [\d.]+k?\/10\.9k$/);
    expect(status.length).toBeLessThanOrEqual(80);

    // /context: the entry is in, and why; memory and the note with their tokens and budgets.
    await tmux.type('/context\r');
    screen = boxText(await tmux.waitFor('Esc closes'));
    expect(screen).toContain('Next prompt:');
    // It is the next turn's prompt: the action that fired the entry is a message of its window now.
    expect(screen).toMatch(/in: 1 \(Gull Point, \/lamp\\w\*\/\): key \/lamp\\w\*\/ in message \d+ of the last \d+, \d+ tokens/);
    // Each section's tokens and budget (calibrated by the endpoint's counts, so near 1100, 300 and 1000).
    expect(screen).toMatch(/│ Memory │ [1-9]\d* │ 1\d{3} │/);
    expect(screen).toMatch(/│ Author's note │ [1-9]\d* │ [23]\d\d │/);
    expect(screen).toMatch(/│ World info │ [1-9]\d* │ \d{3,4} │/);
    expect(screen).toMatch(/│ all │ \d+ │ \d+ │/);
    // The scenario's entries whose keys did not come up are not in.
    expect(screen).not.toMatch(/in: s\d/);
    await tmux.keys('Escape');
    await tmux.waitFor(/^(?![\s\S]*Next prompt:)/);

    // The last narration's request: the memory, the note at its depth (3: deeper than the one
    // message of history, so at its start), the entry that fired, and nothing of those that did not.
    const request = narrations().at(-1) as RecordedRequest;
    const messages = request.body.messages ?? [];
    const system = messages[0]?.content ?? '';
    expect(system).toContain('## Memory\nThe keeper is my sister.');
    expect(system).toContain(LORE);
    expect(system).not.toContain('soft for a sailor');
    expect(system).not.toContain('locked medicine chest');
    const note = messages.findIndex((m) => m.content === "[Author's note: Keep it tense; short paragraphs.]");
    const history = messages.length - 3;
    expect(messages[note]?.role).toBe('system');
    expect(note).toBe(messages.length - 2 - Math.min(3, history));
    expect(messages.at(-1)).toEqual({ role: 'user', content: expect.stringContaining('lamp room') });

    // /lore: the entry, fired last turn by its key in the action.
    await tmux.type('/lore\r');
    screen = boxText(await tmux.waitFor('Esc closes'));
    expect(screen).toMatch(/1\. Gull Point, \/lamp\\w\*\/: The lamp has been dark for ten years\. — fired: key \/lamp\\w\*\/ in the action/);
    await tmux.keys('Escape');
    await tmux.waitFor(/^(?![\s\S]*What fired in the last)/);
  }, 60_000);
});
