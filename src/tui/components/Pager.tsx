import { sanitizeText } from '../../llm/sanitize.js';
import { Box, Text, useStdout } from 'ink';
import { useMemo, useState } from 'react';
import type { MessageRecord } from '../../store/types.js';
import { isCtrlC, KEY_PRIORITY, useKeys } from '../keys.js';
import { renderMarkdown, wrapToRows } from '../markdown.js';
import { colourEnabled } from '../theme.js';

const STYLE = /\u001b\[[0-9;]*m/g;
const plain = (row: string) => row.replace(STYLE, '');
const CYAN = (text: string) => (colourEnabled ? `\u001b[36m${text}\u001b[39m` : text);
const DIM = (text: string) => (colourEnabled ? `\u001b[2m${text}\u001b[22m` : text);

/** The story as rows of at most `width` columns, drawn as the game screen draws it: actions quoted, narrations as Markdown. */
export function storyRows(messages: MessageRecord[], width: number): string[] {
  return messages.flatMap((m, i) => {
    const rows = m.sender === 'player' ? wrapToRows(CYAN(`› ${sanitizeText(m.content)}`), width) : wrapToRows(renderMarkdown(m.content, width), width);
    if (m.narration?.interrupted) rows.push(DIM('(interrupted)'));
    return i < messages.length - 1 ? [...rows, ''] : rows;
  });
}

/** The first row at or after `from` (going round past the end) whose text holds `query`, whatever its case. */
export function findRow(rows: string[], query: string, from: number, backwards = false): number | null {
  const wanted = query.toLowerCase();
  for (let step = 0; step < rows.length; step++) {
    const at = (((backwards ? from - step : from + step) % rows.length) + rows.length) % rows.length;
    if (
      plain(rows[at] as string)
        .toLowerCase()
        .includes(wanted)
    )
      return at;
  }
  return null;
}

type Search = { typing: true; query: string } | { typing: false; query: string; row: number | null };

/**
 * The whole branch, paged (/history): ↑↓ (j/k) a row, PgUp/PgDn (Space) a page, Home/End (g/G)
 * the start and the end; `/` searches (type, Enter; `n` the next match, `N` the one before), the
 * match's row scrolled into view and highlighted. Esc closes (or leaves the search being typed).
 * It opens at the end, where the story on screen is.
 */
export function Pager({ title, messages, width, onClose }: { title: string; messages: MessageRecord[]; width: number; onClose: () => void }) {
  const { stdout } = useStdout();
  // The box's border and padding take four columns, and the gutter that marks a match two.
  const inner = Math.max(20, width - 6);
  const rows = useMemo(() => storyRows(messages, inner), [messages, inner]);
  // Room for the box's border, title and footer, the input box, the status line and a notice.
  const visible = Math.max(5, (stdout.rows || 24) - 12);
  const last = Math.max(0, rows.length - visible);
  const [scrolled, setTop] = useState(Number.POSITIVE_INFINITY);
  const [search, setSearch] = useState<Search | null>(null);
  const top = Math.min(scrolled, last);

  /** Scrolls so that `row` is in view, a few rows below the top when it was out of it. */
  const reveal = (row: number) =>
    setTop((from) => (row >= Math.min(from, last) && row < Math.min(from, last) + visible ? from : Math.max(0, Math.min(last, row - 2))));
  const find = (query: string, from: number, backwards = false) => {
    const row = query ? findRow(rows, query, from, backwards) : null;
    setSearch({ typing: false, query, row });
    if (row !== null) reveal(row);
  };

  useKeys(
    (input, key) => {
      if (isCtrlC(input, key)) return;
      if (search?.typing) {
        if (key.escape) setSearch(null);
        else if (key.return) find(search.query, top);
        else if (key.backspace || key.delete) setSearch({ typing: true, query: search.query.slice(0, -1) });
        else if (!key.ctrl && !key.meta && input) {
          const typed = sanitizeText(input.replace(/[\r\n]+$/, ''));
          setSearch({ typing: true, query: search.query + typed });
          if (typed !== input) find(search.query + typed, top);
        }
        return true;
      }
      if (key.escape) {
        onClose();
        return true;
      }
      // By the latest position: several keys can come before the next redraw.
      const scrollBy = (by: number) => setTop((from) => Math.max(0, Math.min(last, Math.min(from, last) + by)));
      if (key.downArrow) scrollBy(1);
      else if (key.upArrow) scrollBy(-1);
      else if (key.pageDown) scrollBy(visible);
      else if (key.pageUp) scrollBy(-visible);
      else if (key.home) setTop(0);
      else if (key.end) setTop(last);
      else if (!key.ctrl && !key.meta) {
        for (const char of input) {
          if (char === 'j') scrollBy(1);
          else if (char === 'k') scrollBy(-1);
          else if (char === ' ') scrollBy(visible);
          else if (char === 'g') setTop(0);
          else if (char === 'G') setTop(last);
          else if (char === '/') setSearch({ typing: true, query: '' });
          else if ((char === 'n' || char === 'N') && search?.query) {
            const from = search.row ?? top;
            find(search.query, char === 'n' ? from + 1 : from - 1, char === 'N');
          }
        }
      }
      return true;
    },
    { priority: KEY_PRIORITY.overlay },
  );

  const match = search && !search.typing ? search.row : null;
  const shown = rows.slice(top, top + visible);
  const where = rows.length > visible ? `rows ${top + 1}–${Math.min(rows.length, top + visible)} of ${rows.length}` : `${rows.length} rows`;
  let footer = `${where} · ↑↓ PgUp PgDn Home End · / search · Esc closes`;
  if (search?.typing) footer = `Search: ${search.query}▏ (Enter finds, Esc leaves)`;
  else if (search && search.row === null) footer = `No match for “${search.query}” · ${footer}`;
  else if (search) footer = `“${search.query}” at row ${(search.row ?? 0) + 1} · n next, N before · ${where} · Esc closes`;
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={width}>
      <Text bold>{title}</Text>
      {shown.map((row, i) =>
        top + i === match ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in the page, not things that move
          <Text key={i}>
            <Text bold>▸ </Text>
            <Text inverse>{plain(row)}</Text>
          </Text>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in the page, not things that move
          <Text key={i}>{`  ${row}`}</Text>
        ),
      )}
      <Text dimColor wrap="truncate-end">
        {footer}
      </Text>
    </Box>
  );
}
