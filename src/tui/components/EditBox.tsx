import { Box, Text } from 'ink';
import { useState } from 'react';
import { KEY_PRIORITY, useKeys } from '../keys.js';
import { TextField } from './TextField.js';

/**
 * A text edited in the game itself, when no $VISUAL or $EDITOR is set (/edit): the original in a
 * field, Enter saves what is there, Esc leaves it as it was.
 */
export function EditBox({
  title,
  saves = 'saves it',
  original,
  width,
  onSave,
  onCancel,
}: {
  title: string;
  /** What Enter does with the text, for the hint. */
  saves?: string;
  original: string;
  width: number;
  onSave: (text: string) => void;
  onCancel: () => void;
}) {
  const [text, setText] = useState(original);
  useKeys(
    (_input, key) => {
      if (!key.escape) return;
      onCancel();
      return true;
    },
    { priority: KEY_PRIORITY.overlay },
  );
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={width}>
      <Text bold>{title}</Text>
      <TextField value={text} onChange={setText} onSubmit={(value) => onSave(value)} />
      <Text dimColor>Enter {saves} · Esc leaves it as it was</Text>
    </Box>
  );
}
