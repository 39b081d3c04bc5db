import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { colour } from '../theme.js';

/** A screen's title, its body, and a line of key hints at the bottom. */
export function Frame({ title, hints, children }: { title: string; hints?: string; children: ReactNode }) {
  return (
    <Box flexDirection="column" paddingX={1}>
      <Text bold color={colour('magenta')}>
        StoryOS · {title}
      </Text>
      <Box flexDirection="column" marginY={1}>
        {children}
      </Box>
      {hints ? <Text dimColor>{hints}</Text> : null}
    </Box>
  );
}
