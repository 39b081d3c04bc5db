import { Marked, type Tokens } from 'marked';
import { markedTerminal } from 'marked-terminal';
import wrapAnsi from 'wrap-ansi';
import { colourEnabled } from './theme.js';
import { sanitizeText } from '../llm/sanitize.js';

const STYLE = /\u001b\[[0-9;]*m/g;
/** A line's own indentation and list marker (`  * `, `  1. `): wrapped lines hang under its text. */
const HANGING = /^(\s*)((?:[*\u2022-]|\d+\.)\s+)?/;
const renderers = new Map<number, Marked>();

function rendererFor(width: number): Marked {
  let marked = renderers.get(width);
  if (!marked) {
    marked = new Marked();
    marked.use(markedTerminal({ width, reflowText: true, tab: 2 }) as Parameters<Marked['use']>[0]);
    // marked-terminal prints a tight list item's text raw, so `code` and **bold** in a list showed
    // their marks (marked-terminal issues #304, #371): render the item's inline tokens instead.
    marked.use({
      renderer: {
        text(token: Tokens.Text | Tokens.Escape) {
          return 'tokens' in token && token.tokens ? this.parser.parseInline(token.tokens) : false;
        },
      },
    });
    renderers.set(width, marked);
  }
  return marked;
}

/**
 * Every line cut to rows of at most `width` columns, a list item's rows hanging under its text:
 * for a box that scrolls by rows (the overlay), which must know how many rows it holds.
 * marked-terminal wraps paragraphs but leaves list items as one long line.
 */
export function wrapToRows(text: string, width: number): string[] {
  return text.split('\n').flatMap((line) => {
    const rows = wrapAnsi(line, width, { hard: true, trim: false }).split('\n');
    if (rows.length === 1) return rows;
    const [, indent = '', marker = ''] = HANGING.exec(line.replace(STYLE, '')) ?? [];
    const hang = indent.length + marker.length;
    // Too deep to hang: plain rows rather than rows wider than the box.
    if (width - hang < 10 || !line.startsWith(indent)) return wrapAnsi(line, width, { hard: true }).split('\n');
    const [first = '', ...rest] = wrapAnsi(line.slice(indent.length), width - hang, { hard: true }).split('\n');
    return [indent + first, ...rest.map((row) => ' '.repeat(hang) + row)];
  });
}

/** Markdown for the terminal, wrapped to `width` columns (one renderer per width). */
export function renderMarkdown(text: string, width: number): string {
  // Whatever the text holds, only the renderer's own styling reaches the terminal.
  const out = (rendererFor(width).parse(sanitizeText(text), { async: false }) as string).replace(/\n+$/, '');
  // marked-terminal styles through chalk, which does not read NO_COLOR: its styling goes here.
  return colourEnabled ? out : out.replace(STYLE, '');
}
