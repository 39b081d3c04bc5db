import type { Key } from 'ink';

/**
 * The keys that move among the tellings of the last turn, as terminals send them: Alt+← / Alt+→
 * (ESC [1;3D / ESC [1;3C in xterm, tmux and most others; ESC ESC [D in some), Esc b / Esc f (what
 * macOS Terminal and iTerm2 send for Option+← / Option+→, and readline's word keys), and
 * Ctrl+← / Ctrl+→ (ESC [1;5D / ESC [1;5C) where the terminal does not take them itself.
 */
export function swipeKey(input: string, key: Key): 'prev' | 'next' | null {
  const modified = key.meta || key.ctrl;
  if ((key.leftArrow && modified) || (key.meta && !key.ctrl && input === 'b')) return 'prev';
  if ((key.rightArrow && modified) || (key.meta && !key.ctrl && input === 'f')) return 'next';
  return null;
}
