import { Box, Text, Transform } from 'ink';
import { colour } from '../theme.js';
import { sanitizeText } from '../../llm/sanitize.js';

export type NoticeKind = 'error' | 'info' | 'success';

const COLOURS: Record<NoticeKind, string> = { error: 'red', info: 'yellow', success: 'green' };
const MARKS: Record<NoticeKind, string> = { error: '✗', info: '', success: '✓' };

/**
 * Ink wraps without trimming, so a line that breaks just before a space starts with that space;
 * dropping it (after any colour codes) keeps wrapped lines flush.
 */
function withoutBreakSpace(line: string, index: number): string {
  return index === 0 ? line : line.replace(/^((?:\u001b\[[0-9;]*m)*) /, '$1');
}

/** One sentence for the player: an error in red, information in yellow; wrapped lines hang under the text. */
export function Notice({ kind, text }: { kind: NoticeKind; text: string | null }) {
  if (!text) return null;
  return (
    <Box>
      {MARKS[kind] ? (
        <Box flexShrink={0} marginRight={1}>
          <Text color={colour(COLOURS[kind])}>{MARKS[kind]}</Text>
        </Box>
      ) : null}
      <Transform transform={withoutBreakSpace}>
        <Text color={colour(COLOURS[kind])}>{sanitizeText(text)}</Text>
      </Transform>
    </Box>
  );
}
