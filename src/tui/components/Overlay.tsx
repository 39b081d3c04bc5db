import { Box, Text, useInput, useStdout } from 'ink';
import { useState } from 'react';
import { renderMarkdown, wrapToRows } from '../markdown.js';

/**
 * A box over the game for /help, /story and /context: as tall as the terminal allows, its
 * Markdown scrolled with ↑↓ (or j/k) and PgUp/PgDn; Esc closes it.
 */
export function Overlay({ title, body, width, onClose }: { title: string; body: string; width: number; onClose: () => void }) {
  const { stdout } = useStdout();
  // The box's border and padding take four columns.
  const inner = Math.max(20, width - 4);
  const lines = wrapToRows(renderMarkdown(body, inner), inner);
  // Room for the box's border, title and footer, the input box, the status line and a notice.
  const visible = Math.max(5, (stdout.rows || 24) - 12);
  const [top, setTop] = useState(0);
  const last = Math.max(0, lines.length - visible);
  useInput((input, key) => {
    if (key.escape) return onClose();
    if (key.downArrow || input === 'j') setTop((t) => Math.min(last, t + 1));
    if (key.upArrow || input === 'k') setTop((t) => Math.max(0, t - 1));
    if (key.pageDown || input === ' ') setTop((t) => Math.min(last, t + visible));
    if (key.pageUp) setTop((t) => Math.max(0, t - visible));
  });
  const scrolls = lines.length > visible;
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={width}>
      <Text bold>{title}</Text>
      <Text>{lines.slice(top, top + visible).join('\n')}</Text>
      <Text dimColor>
        {scrolls ? `lines ${top + 1}–${Math.min(lines.length, top + visible)} of ${lines.length} · ↑↓ PgUp PgDn scroll · ` : ''}Esc closes
      </Text>
    </Box>
  );
}
