import { describe, expect, it } from 'vitest';
import { renderMarkdown, wrapToRows } from '../../src/tui/markdown.js';

const STYLE = /\u001b\[[0-9;]*m/g;
const plain = (text: string) => text.replace(STYLE, '');

describe('renderMarkdown', () => {
  it('renders inline Markdown inside list items, not its marks', () => {
    const out = plain(renderMarkdown('* `/help`: the **commands** and keys\n* an *aside*', 60));
    expect(out).toContain('* /help: the commands and keys');
    expect(out).toContain('* an aside');
    expect(out).not.toMatch(/`|\*\*/);
  });

  it('leaves a block quote as marked-terminal wraps it: no row cut short in the middle', () => {
    const quote = `> ${'The keeper said the light had not failed in forty years, and would not fail tonight, whatever the sea did. '.repeat(3)}`;
    const rows = plain(renderMarkdown(quote, 60))
      .split('\n')
      .filter((row) => row.trim());
    for (const row of rows.slice(0, -1)) expect(row.trim().length, row).toBeGreaterThan(40);
  });
});

describe('wrapToRows', () => {
  it('cuts every line to the width, list items hanging under their text', () => {
    const width = 40;
    const text = [
      'A paragraph long enough that it has to be wrapped somewhere before the end.',
      '',
      '* a list item long enough that it has to be wrapped before its own end',
      '  * a nested item, also far too long to fit in forty columns of text',
      '',
      '1. a numbered item long enough to need a second line here',
    ].join('\n');
    const rows = wrapToRows(plain(renderMarkdown(text, width)), width);
    for (const row of rows) expect(row.length, row).toBeLessThanOrEqual(width);
    const item = rows.findIndex((row) => row.includes('* a list item'));
    expect((rows[item + 1] as string).search(/\S/)).toBe((rows[item] as string).indexOf('*') + 2);
    const numbered = rows.findIndex((row) => row.includes('1. a numbered'));
    expect((rows[numbered + 1] as string).search(/\S/)).toBe((rows[numbered] as string).indexOf('1.') + 3);
  });

  it('counts wide characters as two columns', () => {
    const rows = wrapToRows('灯塔'.repeat(15), 40);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.length * 2).toBeLessThanOrEqual(40);
  });

  it('does not hang an item indented too deep for the width, and never exceeds it', () => {
    const rows = wrapToRows(`${' '.repeat(14)}* ${'word '.repeat(12)}`, 20);
    for (const row of rows) expect(row.length, row).toBeLessThanOrEqual(20);
  });
});
