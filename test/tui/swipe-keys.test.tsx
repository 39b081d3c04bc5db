import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { useKeys } from '../../src/tui/keys.js';
import { swipeKey } from '../../src/tui/screens/game/swipe-keys.js';
import { KEY, type } from './harness.js';

function Seen() {
  const [seen, setSeen] = useState<string[]>([]);
  useKeys((input, key) => setSeen((all) => [...all, swipeKey(input, key) ?? '-']));
  return <Text>[{seen.join(',')}]</Text>;
}

describe('the keys among tellings, as Ink reads what terminals send', () => {
  it('Alt+←/→ (xterm, tmux; ESC ESC [D), Esc b / Esc f (macOS), Ctrl+←/→', async () => {
    const { stdin, lastFrame } = render(<Seen />);
    await type(stdin, '\u001b[1;3D', '\u001b[1;3C', '\u001b\u001b[D', '\u001b\u001b[C', '\u001bb', '\u001bf', '\u001b[1;5D', '\u001b[1;5C');
    expect(lastFrame()).toBe('[prev,next,prev,next,prev,next,prev,next]');
  });

  it('leaves plain arrows, letters, Ctrl+B / Ctrl+F and Esc alone', async () => {
    const { stdin, lastFrame } = render(<Seen />);
    await type(stdin, KEY.left, '\u001b[C', 'b', 'f', '\u0002', '\u0006', KEY.esc);
    expect(lastFrame()).toBe('[-,-,-,-,-,-,-]');
  });
});
