import { Box, Text } from 'ink';
import { useKeys } from '../keys.js';
import { createContext, useContext, useLayoutEffect, useRef, useState } from 'react';
import { colour } from '../theme.js';
import { sanitizeText } from '../../llm/sanitize.js';

export interface MenuItem<T> {
  label: string;
  value: T;
  hint?: string;
}

export interface MenuProps<T> {
  items: MenuItem<T>[];
  onSelect: (value: T) => void;
  onHighlight?: (value: T) => void;
  /**
   * Other keys the screen handles (e: export, d: delete…), with the highlighted item; true when
   * the key hands the screen to something else (a y/n question), which then takes what follows.
   */
  onKey?: (input: string, value: T) => boolean | void;
  focus?: boolean;
  initial?: number;
  /** The menu's name: its cursor is where the player left it when they come back to it. */
  remember?: string;
}

/** Where each named menu's cursor was (its item's value), for the app's screens while one player is logged in. */
export const MenuMemory = createContext<Map<string, unknown> | null>(null);

/** No item yet: the first layout tells the screen which one the cursor starts on. */
const NONE = Symbol('none');

/** A vertical list: arrows (or j/k) to move, Enter to choose, a digit to jump. */
export function Menu<T>({ items, onSelect, onHighlight, onKey, focus = true, initial = 0, remember }: MenuProps<T>) {
  const memory = useContext(MenuMemory);
  const [index, setIndex] = useState(() => {
    const remembered = remember && memory?.has(remember) ? items.findIndex((item) => Object.is(item.value, memory.get(remember))) : -1;
    return remembered >= 0 ? remembered : Math.min(initial, Math.max(0, items.length - 1));
  });
  // Keys can come faster than React redraws (↓ and Enter in one chunk): they act on the latest
  // choice, not on this render's.
  const latest = useRef(index);
  latest.current = Math.min(latest.current, Math.max(0, items.length - 1));
  const highlighted = useRef<T | typeof NONE | undefined>(NONE);
  const keep = (value: T) => {
    if (remember) memory?.set(remember, value);
  };
  const move = (to: number) => {
    const next = (to + items.length) % items.length;
    latest.current = next;
    setIndex(next);
    const item = items[next];
    highlighted.current = item?.value;
    if (item) {
      keep(item.value);
      onHighlight?.(item.value);
    }
  };
  // When the list changes (an item renamed and sorted anew, one deleted), the cursor stays on
  // its item or, if that went, on the one in its place; the screen hears of it either way.
  useLayoutEffect(() => {
    if (items.length === 0) return;
    const found = items.findIndex((item) => Object.is(item.value, highlighted.current));
    const at = found >= 0 ? found : Math.min(latest.current, items.length - 1);
    if (at !== index) {
      latest.current = at;
      setIndex(at);
    }
    const value = (items[at] as MenuItem<T>).value;
    if (!Object.is(value, highlighted.current)) {
      highlighted.current = value;
      keep(value);
      onHighlight?.(value);
    }
  });
  const chosen = () => {
    const { value } = items[latest.current] as MenuItem<T>;
    keep(value);
    return value;
  };
  useKeys(
    (input, key) => {
      if (items.length === 0) return;
      if (key.upArrow) return move(latest.current - 1);
      if (key.downArrow) return move(latest.current + 1);
      if (key.return) return onSelect(chosen());
      if (key.ctrl || key.meta || key.escape) return;
      // Typed ahead, several keys come as one chunk ("jj⏎"): each acts in turn, and what follows
      // a key that leaves the menu is handed back for the next screen.
      const chars = [...input];
      for (const [at, char] of chars.entries()) {
        if (char === 'k') move(latest.current - 1);
        else if (char === 'j') move(latest.current + 1);
        else if (/^[1-9]$/.test(char) && Number(char) <= items.length) move(Number(char) - 1);
        else if (char === '\r' || char === '\n') {
          onSelect(chosen());
          return chars.slice(at + 1).join('');
        } else if (onKey?.(char, chosen())) return chars.slice(at + 1).join('');
      }
    },
    { isActive: focus },
  );
  return (
    <Box flexDirection="column">
      {items.map((item, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: two items may share a label; the list is redrawn whole
        <Box key={`${i}-${item.label}`}>
          <Box flexShrink={0}>
            <Text color={i === index ? colour('cyan') : undefined} bold={i === index}>
              {i === index ? '› ' : '  '}
              {sanitizeText(item.label)}
            </Text>
          </Box>
          {item.hint ? (
            <Text dimColor wrap="truncate-end">
              {' '}
              — {item.hint}
            </Text>
          ) : null}
        </Box>
      ))}
    </Box>
  );
}
