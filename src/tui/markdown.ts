import { Marked } from 'marked';
import { markedTerminal } from 'marked-terminal';

import { colourEnabled } from './theme.js';

const STYLE = /\u001b\[[0-9;]*m/g;
const renderers = new Map<number, Marked>();

/** Markdown for the terminal, wrapped to `width` columns (one renderer per width). */
export function renderMarkdown(text: string, width: number): string {
  let marked = renderers.get(width);
  if (!marked) {
    marked = new Marked();
    marked.use(markedTerminal({ width, reflowText: true, tab: 2 }) as Parameters<Marked['use']>[0]);
    renderers.set(width, marked);
  }
  const out = (marked.parse(text, { async: false }) as string).replace(/\n+$/, '');
  // marked-terminal styles through chalk, which does not read NO_COLOR: its styling goes here.
  return colourEnabled ? out : out.replace(STYLE, '');
}
