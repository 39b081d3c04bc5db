import { Box, Text, useStdout } from 'ink';
import { isCtrlC, KEY_PRIORITY, useKeys } from '../keys.js';
import { useMemo, useState } from 'react';
import { renderMarkdown, wrapToRows } from '../markdown.js';

/**
 * A box over the game for /help, /story and /context: as tall as the terminal allows, its
 * Markdown scrolled with ↑↓ (or j/k) and PgUp/PgDn; Esc closes it.
 */
export function Overlay({ title, body, width, onClose }: { title: string; body: string; width: number; onClose: () => void }) {
  const { stdout } = useStdout();
  // The box's border and padding take four columns.
  const inner = Math.max(20, width - 4);
  // Rendered once per body and width, not again on every key that scrolls.
  const lines = useMemo(() => wrapToRows(renderMarkdown(body, inner), inner), [body, inner]);
  // Room for the box's border, title and footer, the input box, the status line and a notice.
  const visible = Math.max(5, (stdout.rows || 24) - 12);
  const [scrolled, setTop] = useState(0);
  const last = Math.max(0, lines.length - visible);
  // A taller terminal shows more rows: the box never starts below its last full page.
  const top = Math.min(scrolled, last);
  useKeys(
    (input, key) => {
      // Every key but Ctrl+C is the box's while it is open: none reaches the input line or a shortcut.
      if (isCtrlC(input, key)) return;
      if (key.escape) {
        onClose();
        return true;
      }
      // By the latest position: several keys can come before the next redraw.
      const scrollBy = (rows: number) => setTop((from) => Math.max(0, Math.min(last, Math.min(from, last) + rows)));
      if (key.downArrow) scrollBy(1);
      if (key.upArrow) scrollBy(-1);
      if (key.pageDown) scrollBy(visible);
      if (key.pageUp) scrollBy(-visible);
      if (key.ctrl || key.meta) return true;
      for (const char of input) scrollBy(char === 'j' ? 1 : char === 'k' ? -1 : char === ' ' ? visible : 0);
      return true;
    },
    { priority: KEY_PRIORITY.overlay },
  );
  const scrolls = lines.length > visible;
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={width}>
      <Text bold>{title}</Text>
      <Text>{lines.slice(top, top + visible).join('\n')}</Text>
      <Text dimColor>{scrolls ? `lines ${top + 1}–${Math.min(lines.length, top + visible)} of ${lines.length} · ↑↓ PgUp PgDn scroll · ` : ''}Esc closes</Text>
    </Box>
  );
}
