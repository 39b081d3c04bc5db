import { Box, Text, useInput } from 'ink';
import { useRef, useState } from 'react';
import { colour } from '../theme.js';

export interface TextFieldProps {
  label?: string;
  value: string;
  onChange: (value: string) => void;
  onSubmit: (value: string) => void;
  mask?: boolean;
  placeholder?: string;
  focus?: boolean;
  /** Up and Down: the caller moves through its history. */
  onHistory?: (direction: 'up' | 'down') => void;
  onTab?: () => void;
}

/** One line of input with a cursor: arrows, Home/End (Ctrl+A/E), Backspace, Delete, paste. */
export function TextField({ label, value, onChange, onSubmit, mask = false, placeholder = '', focus = true, onHistory, onTab }: TextFieldProps) {
  const [cursor, setCursor] = useState(value.length);
  // Keys can arrive faster than React re-renders: edit the latest text, not this render's.
  const latest = useRef({ value, cursor });
  if (latest.current.value !== value) latest.current = { value, cursor: Math.min(cursor, value.length) };
  const change = (next: string, nextCursor: number) => {
    latest.current = { value: next, cursor: nextCursor };
    onChange(next);
    setCursor(nextCursor);
  };
  useInput(
    (input, key) => {
      const { value } = latest.current;
      const at = Math.min(latest.current.cursor, value.length);
      if (key.return) return onSubmit(value);
      if (key.upArrow || key.downArrow) {
        onHistory?.(key.upArrow ? 'up' : 'down');
        setCursor(Number.MAX_SAFE_INTEGER);
        return;
      }
      if (key.tab) {
        onTab?.();
        setCursor(Number.MAX_SAFE_INTEGER);
        return;
      }
      const moveTo = (to: number) => {
        latest.current = { value, cursor: to };
        setCursor(to);
      };
      if (key.leftArrow) return moveTo(Math.max(0, at - 1));
      if (key.rightArrow) return moveTo(Math.min(value.length, at + 1));
      if (key.ctrl && input === 'a') return moveTo(0);
      if (key.ctrl && input === 'e') return moveTo(value.length);
      if (key.ctrl && input === 'u') return change(value.slice(at), 0);
      if (key.backspace || key.delete) {
        if (at === 0) return;
        return change(value.slice(0, at - 1) + value.slice(at), at - 1);
      }
      if (key.ctrl || key.meta || key.escape || !input) return;
      // Typed fast or pasted, text and Enter can arrive as one chunk: insert, then submit.
      const submits = /[\r\n]$/.test(input);
      const typed = input.replace(/[\r\n]+$/, '').replace(/[\r\n]+/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '');
      const next = value.slice(0, at) + typed + value.slice(at);
      change(next, at + typed.length);
      if (submits) onSubmit(next);
    },
    { isActive: focus },
  );
  const at = Math.min(cursor, value.length);
  const shown = mask ? '*'.repeat(value.length) : value;
  const before = shown.slice(0, at);
  const under = shown.slice(at, at + 1) || ' ';
  const after = shown.slice(at + 1);
  return (
    <Box>
      {label ? <Text color={colour('cyan')}>{label} </Text> : null}
      {value.length === 0 && placeholder && !focus ? <Text dimColor>{placeholder}</Text> : null}
      {focus ? (
        <Text>
          {before}
          <Text inverse>{under}</Text>
          {after}
          {value.length === 0 && placeholder ? <Text dimColor>{placeholder}</Text> : null}
        </Text>
      ) : value.length > 0 ? (
        <Text>{shown}</Text>
      ) : null}
    </Box>
  );
}
