import { Marked, type Tokens } from 'marked';
import { markedTerminal } from 'marked-terminal';
import wrapAnsi from 'wrap-ansi';
import { colourEnabled } from './theme.js';

const STYLE = /\u001b\[[0-9;]*m/g;
/** A line's own indentation and list marker (`  * `, `  1. `): wrapped lines hang under its text. */
const HANGING = /^(\s*)((?:[*•-]|\d+\.)\s+)?/;
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
 * Wraps every line to `width` columns, continuation lines indented under the text of a list item
 * (marked-terminal wraps paragraphs but leaves list items long; the terminal would break them
 * anywhere, and an overlay could not count its lines).
 */
function wrapLines(text: string, width: number): string {
  return text
    .split('\n')
    .map((line) => {
      const plain = line.replace(STYLE, '');
      if (plain.length <= width) return line;
      const [, indent = '', marker = ''] = HANGING.exec(plain) ?? [];
      const hang = indent.length + marker.length;
      const body = line.startsWith(indent) ? line.slice(indent.length) : line;
      const [first = '', ...rest] = wrapAnsi(body, Math.max(10, width - hang), { hard: true }).split('\n');
      return [indent + first, ...rest.map((part) => ' '.repeat(hang) + part)].join('\n');
    })
    .join('\n');
}

/** Markdown for the terminal, wrapped to `width` columns (one renderer per width). */
export function renderMarkdown(text: string, width: number): string {
  const out = (rendererFor(width).parse(text, { async: false }) as string).replace(/\n+$/, '');
  // marked-terminal styles through chalk, which does not read NO_COLOR: its styling goes here.
  return wrapLines(colourEnabled ? out : out.replace(STYLE, ''), width);
}
