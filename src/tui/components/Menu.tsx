import { Box, Text, useInput } from 'ink';
import { useState } from 'react';
import { colour } from '../theme.js';

export interface MenuItem<T> {
  label: string;
  value: T;
  hint?: string;
}

export interface MenuProps<T> {
  items: MenuItem<T>[];
  onSelect: (value: T) => void;
  onHighlight?: (value: T) => void;
  /** Other keys the screen handles (e: export, d: delete…), with the highlighted item. */
  onKey?: (input: string, value: T) => void;
  focus?: boolean;
  initial?: number;
}

/** A vertical list: arrows (or j/k) to move, Enter to choose, a digit to jump. */
export function Menu<T>({ items, onSelect, onHighlight, onKey, focus = true, initial = 0 }: MenuProps<T>) {
  const [index, setIndex] = useState(Math.min(initial, Math.max(0, items.length - 1)));
  const move = (to: number) => {
    const next = (to + items.length) % items.length;
    setIndex(next);
    const item = items[next];
    if (item) onHighlight?.(item.value);
  };
  useInput(
    (input, key) => {
      if (items.length === 0) return;
      if (key.upArrow || input === 'k') return move(index - 1);
      if (key.downArrow || input === 'j') return move(index + 1);
      if (key.return) return onSelect((items[index] as MenuItem<T>).value);
      if (/^[1-9]$/.test(input) && Number(input) <= items.length) return move(Number(input) - 1);
      if (input && onKey) onKey(input, (items[index] as MenuItem<T>).value);
    },
    { isActive: focus },
  );
  return (
    <Box flexDirection="column">
      {items.map((item, i) => (
        <Box key={`${i}-${item.label}`}>
          <Box flexShrink={0}>
            <Text color={i === index ? colour('cyan') : undefined} bold={i === index}>
              {i === index ? '› ' : '  '}
              {item.label}
            </Text>
          </Box>
          {item.hint ? <Text dimColor wrap="truncate-end"> — {item.hint}</Text> : null}
        </Box>
      ))}
    </Box>
  );
}
