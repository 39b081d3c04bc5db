import { Text } from 'ink';
import { useHoldKeys } from '../keys.js';
import { Frame } from './Frame.js';

/** A line shown while something is on its way: what is typed meanwhile waits for it. */
export function Waiting({ text }: { text: string }) {
  useHoldKeys();
  return <Text dimColor>{text}</Text>;
}

/** A screen whose list is still loading. */
export function Loading({ title }: { title: string }) {
  return (
    <Frame title={title}>
      <Waiting text="Loading…" />
    </Frame>
  );
}
