import { useRef } from 'react';

/** Earlier inputs for Up/Down, newest last; the line being typed is kept while browsing. */
export function useInputHistory(limit = 200) {
  const entries = useRef<string[]>([]);
  const position = useRef<number | null>(null);
  const draft = useRef('');
  return {
    add(line: string) {
      if (line && entries.current.at(-1) !== line) entries.current.push(line);
      if (entries.current.length > limit) entries.current.shift();
      position.current = null;
    },
    move(direction: 'up' | 'down', current: string): string {
      const list = entries.current;
      if (list.length === 0) return current;
      if (position.current === null) {
        if (direction === 'down') return current;
        draft.current = current;
        position.current = list.length - 1;
      } else if (direction === 'up') {
        position.current = Math.max(0, position.current - 1);
      } else if (position.current >= list.length - 1) {
        position.current = null;
        return draft.current;
      } else {
        position.current += 1;
      }
      return list[position.current] as string;
    },
  };
}
