import { Marked } from 'marked';
import { markedTerminal } from 'marked-terminal';

const renderers = new Map<number, Marked>();

/** Markdown for the terminal, wrapped to `width` columns (one renderer per width). */
export function renderMarkdown(text: string, width: number): string {
  let marked = renderers.get(width);
  if (!marked) {
    marked = new Marked();
    marked.use(markedTerminal({ width, reflowText: true, tab: 2 }) as Parameters<Marked['use']>[0]);
    renderers.set(width, marked);
  }
  const out = marked.parse(text, { async: false }) as string;
  return out.replace(/\n+$/, '');
}
