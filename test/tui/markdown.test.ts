import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/tui/markdown.js';

const STYLE = /\u001b\[[0-9;]*m/g;
const plain = (text: string) => text.replace(STYLE, '');

describe('renderMarkdown', () => {
  it('renders inline Markdown inside list items, not its marks', () => {
    const out = plain(renderMarkdown('* `/help`: the **commands** and keys\n* an *aside*', 60));
    expect(out).toContain('* /help: the commands and keys');
    expect(out).toContain('* an aside');
    expect(out).not.toMatch(/`|\*\*/);
  });

  it('wraps every line to the width, list items hanging under their text', () => {
    const width = 40;
    const text = ['A paragraph long enough that it has to be wrapped somewhere before the end.', '', '* a list item long enough that it has to be wrapped before its own end', '  * a nested item, also far too long to fit in forty columns of text', '', '1. a numbered item long enough to need a second line here'].join('\n');
    const lines = plain(renderMarkdown(text, width)).split('\n');
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(width);
    const item = lines.findIndex((line) => line.includes('* a list item'));
    const bullet = (lines[item] as string).indexOf('*');
    expect((lines[item + 1] as string).search(/\S/)).toBe(bullet + 2);
    const numbered = lines.findIndex((line) => line.includes('1. a numbered'));
    expect((lines[numbered + 1] as string).search(/\S/)).toBe((lines[numbered] as string).indexOf('1.') + 3);
  });
});
