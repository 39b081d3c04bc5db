import { Box, Text } from 'ink';
import { useKeys } from '../keys.js';
import { useReducer, useRef } from 'react';
import { colour } from '../theme.js';

export interface TextFieldProps {
  label?: string;
  value: string;
  onChange: (value: string) => void;
  /**
   * Enter: `value` is the text. With `endsAtSeparator`, a newline or Tab inside a chunk also ends
   * the field, and `rest` is the chunk from that separator on (for the next fields of a form);
   * what the form does not use it returns, for the next screen.
   */
  onSubmit: (value: string, rest?: string) => string | void;
  /** A field of a form: a newline or Tab typed ahead belongs to the next field, not this one. */
  endsAtSeparator?: boolean;
  mask?: boolean;
  placeholder?: string;
  focus?: boolean;
  /** Up and Down: the caller moves through its history. */
  onHistory?: (direction: 'up' | 'down') => void;
  /** Tab: the completed text for what is typed, or undefined to leave it. */
  onTab?: (value: string) => string | undefined;
}

const BACKSPACES = new Set(['\u007f', '\b']);
const NEWLINES = new Set(['\r', '\n']);

/**
 * Typed fast, pasted or sent over a slow link, several keys can arrive as one chunk: each is
 * applied in turn. A newline inside a paste is a space; one at its end is left to the caller.
 */
export function applyKeys(keys: string[], value: string, at: number, onTab?: (value: string) => string | undefined): { next: string; cursor: number } {
  let next = value;
  let cursor = at;
  keys.forEach((char, index) => {
    if (BACKSPACES.has(char)) {
      if (cursor > 0) [next, cursor] = [next.slice(0, cursor - 1) + next.slice(cursor), cursor - 1];
    } else if (char === '\t') {
      const completed = onTab?.(next);
      if (completed !== undefined) [next, cursor] = [completed, completed.length];
    } else if (NEWLINES.has(char)) {
      if (index < keys.length - 1 && !NEWLINES.has(keys[index + 1] as string)) [next, cursor] = [next.slice(0, cursor) + ' ' + next.slice(cursor), cursor + 1];
    } else if (char >= ' ') {
      [next, cursor] = [next.slice(0, cursor) + char + next.slice(cursor), cursor + char.length];
    }
  });
  return { next, cursor };
}

/** One line of input with a cursor: arrows, Home/End (Ctrl+A/E), Ctrl+W (a word back), Ctrl+U, Backspace, paste. */
export function TextField({
  label,
  value,
  onChange,
  onSubmit,
  endsAtSeparator = false,
  mask = false,
  placeholder = '',
  focus = true,
  onHistory,
  onTab,
}: TextFieldProps) {
  // The cursor lives in `latest`; this only redraws the field when it moves.
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  // Keys can arrive faster than React re-renders: edit the latest text, not this render's. Text
  // the parent replaced (history, a completion, an action put back) gets the cursor at its end.
  const latest = useRef({ value, cursor: value.length });
  if (latest.current.value !== value) latest.current = { value, cursor: value.length };
  const change = (next: string, nextCursor: number) => {
    latest.current = { value: next, cursor: nextCursor };
    onChange(next);
    redraw();
  };
  useKeys(
    (input, key) => {
      const { value } = latest.current;
      const at = Math.min(latest.current.cursor, value.length);
      if (key.return) return onSubmit(value);
      if (key.upArrow || key.downArrow) {
        onHistory?.(key.upArrow ? 'up' : 'down');
        return;
      }
      if (key.tab && key.shift && endsAtSeparator) return onHistory?.('up');
      if (key.tab && endsAtSeparator) return onSubmit(value, '\t');
      if (key.tab) {
        const completed = onTab?.(value);
        if (completed !== undefined) change(completed, completed.length);
        return;
      }
      const moveTo = (to: number) => {
        latest.current = { value, cursor: to };
        redraw();
      };
      if (key.leftArrow) return moveTo(Math.max(0, at - 1));
      if (key.rightArrow) return moveTo(Math.min(value.length, at + 1));
      if (key.home || (key.ctrl && input === 'a')) return moveTo(0);
      if (key.end || (key.ctrl && input === 'e')) return moveTo(value.length);
      if (key.ctrl && input === 'w') {
        const kept = value.slice(0, at).replace(/\S+\s*$|\s+$/, '');
        return change(kept + value.slice(at), kept.length);
      }
      if (key.ctrl && input === 'u') return change(value.slice(at), 0);
      if (key.backspace || key.delete) {
        if (at === 0) return;
        return change(value.slice(0, at - 1) + value.slice(at), at - 1);
      }
      if (key.ctrl || key.meta || key.escape || !input) return;
      const keys = [...input];
      const separator = endsAtSeparator ? keys.findIndex((char) => NEWLINES.has(char) || char === '\t') : -1;
      if (separator >= 0) {
        const typed = applyKeys(keys.slice(0, separator), value, at, onTab);
        change(typed.next, typed.cursor);
        return onSubmit(typed.next, keys.slice(separator).join(''));
      }
      const { next, cursor } = applyKeys(keys, value, at, onTab);
      change(next, cursor);
      if (NEWLINES.has(keys.at(-1) as string)) onSubmit(next);
    },
    { isActive: focus },
  );
  const at = Math.min(latest.current.cursor, value.length);
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
