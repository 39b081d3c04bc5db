import { Text } from 'ink';
import { colour } from '../theme.js';

export type NoticeKind = 'error' | 'info' | 'success';

/** One sentence for the player: an error in red, information dimmed. */
export function Notice({ kind, text }: { kind: NoticeKind; text: string | null }) {
  if (!text) return null;
  const colours: Record<NoticeKind, string> = { error: 'red', info: 'yellow', success: 'green' };
  return <Text color={colour(colours[kind])}>{kind === 'error' ? '✗ ' : kind === 'success' ? '✓ ' : ''}{text}</Text>;
}
