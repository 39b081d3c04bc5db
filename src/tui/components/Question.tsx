import { Text } from 'ink';
import { useKeys } from '../keys.js';
import { colour } from '../theme.js';

/**
 * A y/n question. y answers yes; n, Esc or any other key answers no (Ctrl+C stays the app's).
 * What follows the answer in the same chunk goes on to the screen.
 */
export function Question({ text, onAnswer }: { text: string; onAnswer: (yes: boolean) => void }) {
  useKeys((input, key) => {
    if (key.ctrl) return;
    onAnswer(!key.escape && !key.meta && (input[0] === 'y' || input[0] === 'Y'));
    return input.slice(1) || undefined;
  });
  return <Text color={colour('yellow')}>{text} y/n</Text>;
}
