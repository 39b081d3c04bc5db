import { Text } from 'ink';
import { useHoldKeys } from '../keys.js';
import { BackOnEscape } from './BackOnEscape.js';
import { Frame } from './Frame.js';

/** A line shown while something is on its way: what is typed meanwhile waits for it (Esc does not). */
export function Waiting({ text }: { text: string }) {
  useHoldKeys();
  return <Text dimColor>{text}</Text>;
}

/** A screen whose list is still loading; Esc goes back at once. */
export function Loading({ title, onBack }: { title: string; onBack?: () => void }) {
  return (
    <Frame title={title} hints={onBack ? 'Esc back' : undefined}>
      {onBack ? <BackOnEscape onBack={onBack} /> : null}
      <Waiting text="Loading…" />
    </Frame>
  );
}
