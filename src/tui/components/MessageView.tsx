import { Box, Text } from 'ink';
import { memo } from 'react';
import { renderMarkdown } from '../markdown.js';
import { colour } from '../theme.js';

/** Which telling of its turn a narration is: `index` of `count`, from 1. */
export interface Telling {
  index: number;
  count: number;
}

/** "‹ 2/3 ›": the telling shown, of its turn's tellings. */
export const tellingMark = ({ index, count }: Telling): string => `‹ ${index}/${count} ›`;

export interface StoryItem {
  key: string;
  kind: 'player' | 'narration' | 'system';
  text: string;
  /** How a narration ended when it is not complete: a finish_reason, or `unsaved`. */
  ending?: string | undefined;
  /** The head narration, when its turn has more than one telling. */
  telling?: Telling | undefined;
}

/** The mark under a narration that did not end with the server's `stop`. */
function endingMark(ending: string): string {
  if (ending === 'length') return '(the length limit: /continue goes on)';
  if (ending === 'content_filter') return "(stopped by the service's content filter)";
  if (ending === 'unsaved') return '(not saved: /retry saves it)';
  return '(interrupted)';
}

/** One finished or streaming message: the player's action quoted, narration as Markdown. */
export const MessageView = memo(function MessageView({ item, width }: { item: StoryItem; width: number }) {
  if (item.kind === 'player') {
    return (
      <Box marginBottom={1}>
        <Text color={colour('cyan')}>› {item.text}</Text>
      </Box>
    );
  }
  if (item.kind === 'system') {
    return (
      <Box marginBottom={1}>
        <Text dimColor>{item.text}</Text>
      </Box>
    );
  }
  return (
    <Box flexDirection="column" marginBottom={1}>
      <Text>{renderMarkdown(item.text, Math.max(20, width - 2))}</Text>
      {item.ending ? <Text dimColor>{endingMark(item.ending)}</Text> : null}
      {item.telling ? <Text dimColor>{tellingMark(item.telling)} · Alt+←/→ other tellings</Text> : null}
    </Box>
  );
});
