import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';
import type { BranchPoint } from '../../src/game/engine.js';
import type { MessageRecord } from '../../src/store/types.js';
import { findRow, Pager, storyRows } from '../../src/tui/components/Pager.js';
import { TreeView } from '../../src/tui/components/TreeView.js';
import { KEY, type } from './harness.js';

const message = (i: number): MessageRecord =>
  ({
    id: `m${i}`,
    session_id: 's',
    parent_id: i === 0 ? null : `m${i - 1}`,
    sender: i % 2 ? 'player' : 'StoryOS',
    content: i % 2 ? `I walk to door ${i}` : `Narration ${i}: the rain falls${i === 30 ? ' on a **silver lantern**' : ''}.`,
    created_at: new Date(0),
    narration: null,
    state: null,
  }) as MessageRecord;

const story = Array.from({ length: 60 }, (_, i) => message(i));
/** The gutter's mark of the row a search found (highlighted, too, where the terminal has colour). */
const MATCH = '▸ ';

describe('Pager', () => {
  it('draws the story as the game does: actions quoted, narrations as Markdown', () => {
    const rows = storyRows(story.slice(0, 2), 60).map((r) => r.replace(/\u001b\[[0-9;]*m/g, ''));
    expect(rows).toEqual(['Narration 0: the rain falls.', '', '› I walk to door 1']);
    expect(storyRows(story.slice(30, 31), 60)[0]).not.toContain('**');
    expect(findRow(['a', 'Lantern', 'b'], 'lantern', 2)).toBe(1);
    expect(findRow(['a', 'b'], 'z', 0)).toBeNull();
  });

  it('opens at the end, pages to the start with Home, and back with End', async () => {
    const { stdin, lastFrame } = render(<Pager title="The whole story" messages={story} width={80} onClose={() => {}} />);
    expect(lastFrame()).toContain('Narration 58');
    expect(lastFrame()).not.toContain('Narration 0:');
    await type(stdin, '\u001b[H');
    expect(lastFrame()).toContain('Narration 0:');
    expect(lastFrame()).toMatch(/rows 1–12 of 119/);
    await type(stdin, KEY.pageDown);
    expect(lastFrame()).toMatch(/rows 13–24 of 119/);
    await type(stdin, '\u001b[F');
    expect(lastFrame()).toMatch(/rows 108–119 of 119/);
  });

  it('searches with /: the match scrolled into view and highlighted, n the next one, a miss said so', async () => {
    const { stdin, lastFrame } = render(<Pager title="The whole story" messages={story} width={80} onClose={() => {}} />);
    await type(stdin, '\u001b[H', '/', 'l', 'a', 'n', 't', 'e', 'r', 'n');
    expect(lastFrame()).toContain('Search: lantern');
    await type(stdin, KEY.enter);
    const frame = lastFrame() ?? '';
    const row = frame.split('\n').find((line) => line.includes('Narration 30'));
    expect(row).toContain(MATCH);
    expect(frame).toContain('“lantern” at row 61');
    await type(stdin, '/', 'd', 'o', 'o', 'r', ' ', '4', '1', KEY.enter);
    expect(
      lastFrame()
        ?.split('\n')
        .find((line) => line.includes('door 41')),
    ).toContain(MATCH);
    await type(stdin, 'n');
    // Going round past the end to the first door 41… there is one: it stays.
    expect(lastFrame()).toContain('“door 41” at row 83');
    await type(stdin, '/', 'd', 'o', 'o', 'r', KEY.enter);
    const first = lastFrame()?.match(/” at row (\d+)/)?.[1];
    await type(stdin, 'n');
    const next = lastFrame()?.match(/” at row (\d+)/)?.[1];
    expect(Number(next)).toBeGreaterThan(Number(first));
    await type(stdin, '/', 'q', 'u', 'a', 's', 'a', 'r', KEY.enter);
    expect(lastFrame()).toContain('No match for “quasar”');
  });

  it('Esc leaves the search being typed, then closes', async () => {
    const onClose = vi.fn();
    const { stdin, lastFrame } = render(<Pager title="The whole story" messages={story} width={80} onClose={onClose} />);
    await type(stdin, '/', 'x', KEY.esc);
    expect(lastFrame()).not.toContain('Search:');
    expect(onClose).not.toHaveBeenCalled();
    await type(stdin, KEY.esc);
    expect(onClose).toHaveBeenCalledOnce();
  });
});

describe('TreeView', () => {
  const points: BranchPoint[] = [
    {
      turn: 0,
      alternatives: [
        { id: 'o1', action: null, preview: 'Rain on neon', shown: true },
        { id: 'o2', action: null, preview: 'A dry night', shown: false },
      ],
    },
    {
      turn: 3,
      alternatives: [
        { id: 'a1', action: 'I run', preview: 'You *sprint* past', shown: false },
        { id: 'a2', action: 'I run', preview: 'Your legs give', shown: true },
        { id: 'a3', action: 'I hide', preview: 'The alley swallows', shown: false },
      ],
    },
  ];

  it('lists each branch point and its alternatives, the shown ones marked, the latest shown chosen', () => {
    const { lastFrame } = render(<TreeView points={points} width={80} onChoose={() => {}} onClose={() => {}} />);
    const frame = lastFrame() ?? '';
    expect(frame).toContain('The opening');
    expect(frame).toContain('Turn 3');
    expect(frame).toContain('● 1. Rain on neon');
    expect(frame).toContain('○ 2. A dry night');
    expect(frame).toContain('› ● 4. › I run — Your legs give');
    expect(frame).toContain('○ 5. › I hide — The alley swallows');
    expect(frame).toContain('○ 3. › I run — You sprint past');
  });

  it('↑↓ choose across turns, Enter jumps to the one chosen, Esc closes', async () => {
    const onChoose = vi.fn();
    const onClose = vi.fn();
    const { stdin, lastFrame } = render(<TreeView points={points} width={80} onChoose={onChoose} onClose={onClose} />);
    await type(stdin, KEY.up, KEY.up);
    expect(lastFrame()).toContain('› ○ 2. A dry night');
    await type(stdin, KEY.down, KEY.down, KEY.down, KEY.down, KEY.down);
    expect(lastFrame()).toContain('› ○ 5. › I hide');
    await type(stdin, KEY.enter);
    expect(onChoose).toHaveBeenCalledWith('a3');
    await type(stdin, KEY.esc);
    expect(onClose).toHaveBeenCalledOnce();
  });

  it('says so when the story has no branch yet', () => {
    const { lastFrame } = render(<TreeView points={[]} width={80} onChoose={() => {}} onClose={() => {}} />);
    expect(lastFrame()).toContain('No branch points yet');
  });
});
