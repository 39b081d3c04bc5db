import { sanitizeText } from '../../llm/sanitize.js';
import { Box, Text, useStdout } from 'ink';
import { useMemo, useState } from 'react';
import type { BranchPoint } from '../../game/engine.js';
import { clip } from '../../text/format.js';
import { isCtrlC, KEY_PRIORITY, useKeys } from '../keys.js';

/** The first words of a narration as read: without Markdown's emphasis and code marks. */
const asRead = (preview: string) => preview.replace(/\*{1,3}|(?<!\w)_{1,3}|_{1,3}(?!\w)|`/g, '');

/** A row of the box: a turn's heading, or one of its alternatives (`choice`: its place among them all). */
type Row = { kind: 'turn'; text: string } | { kind: 'alternative'; id: string; text: string; shown: boolean; choice: number };

function rowsOf(points: BranchPoint[]): Row[] {
  let choice = 0;
  return points.flatMap((point) => [
    { kind: 'turn' as const, text: point.turn === 0 ? 'The opening' : `Turn ${point.turn}` },
    ...point.alternatives.map((a) => {
      const place = choice++;
      // Numbered as `/tree N` takes them.
      const text = sanitizeText(`${place + 1}. ${a.action ? `› ${a.action} — ` : ''}${asRead(a.preview)}`);
      return { kind: 'alternative' as const, id: a.id, shown: a.shown, choice: place, text };
    }),
  ]);
}

/**
 * The branch points of the story (/tree): each turn that has more than one line, its
 * alternatives (the action, the narration's first words), the one on the branch shown marked ●.
 * ↑↓ choose, Enter jumps there, Esc closes. It opens on the latest branch point's shown line.
 */
export function TreeView({ points, width, onChoose, onClose }: { points: BranchPoint[]; width: number; onChoose: (id: string) => void; onClose: () => void }) {
  const { stdout } = useStdout();
  const rows = useMemo(() => rowsOf(points), [points]);
  const choices = rows.filter((r): r is Extract<Row, { kind: 'alternative' }> => r.kind === 'alternative');
  const lastShown = choices.findLast((c) => c.shown)?.choice ?? choices.length - 1;
  const [chosen, setChosen] = useState(Math.max(0, lastShown));
  const visible = Math.max(5, (stdout.rows || 24) - 12);
  useKeys(
    (input, key) => {
      if (isCtrlC(input, key)) return;
      if (key.escape) onClose();
      else if (key.upArrow || (input === 'k' && !key.meta)) setChosen((at) => Math.max(0, at - 1));
      else if (key.downArrow || (input === 'j' && !key.meta)) setChosen((at) => Math.min(choices.length - 1, at + 1));
      else if (key.return) {
        const choice = choices[chosen];
        if (choice) onChoose(choice.id);
      }
      return true;
    },
    { priority: KEY_PRIORITY.overlay },
  );
  // The chosen row in view, with its turn's heading when there is room.
  const at = rows.findIndex((r) => r.kind === 'alternative' && r.choice === chosen);
  const top = Math.max(0, Math.min(rows.length - visible, at - Math.floor(visible / 2)));
  const inner = Math.max(20, width - 8);
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={width}>
      <Text bold>The story's branches</Text>
      {choices.length === 0 ? <Text>No branch points yet: /retry or /edit tells a turn another way.</Text> : null}
      {rows.slice(top, top + visible).map((row) =>
        row.kind === 'turn' ? (
          <Text key={`turn-${row.text}`} bold>
            {row.text}
          </Text>
        ) : (
          <Text key={row.id} inverse={row.choice === chosen} dimColor={!row.shown && row.choice !== chosen}>
            {row.choice === chosen ? '›' : ' '} {row.shown ? '●' : '○'} {clip(row.text, inner)}
          </Text>
        ),
      )}
      <Text dimColor>● on the story shown · ↑↓ choose · Enter go there · Esc closes</Text>
    </Box>
  );
}
