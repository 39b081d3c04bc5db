import { Text } from 'ink';
import { useHoldKeys } from '../keys.js';
import { Frame } from './Frame.js';

/** A screen whose list is on its way: what is typed meanwhile waits for it. */
export function Loading({ title }: { title: string }) {
  useHoldKeys();
  return (
    <Frame title={title}>
      <Text dimColor>Loading…</Text>
    </Frame>
  );
}
