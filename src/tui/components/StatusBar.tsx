import { Box, Text } from 'ink';
import { colour } from '../theme.js';
import { type Telling, tellingMark } from './MessageView.js';

export interface TurnStats {
  ttftMs: number | null;
  /** Spent waiting on failed attempts before the one that answered (its TTFT is apart from it). */
  waitedMs: number;
  tokensPerSecond: number | null;
  turnTokens: number;
}

const seconds = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(2)}s`);
const thousands = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(Math.round(n)));

/**
 * Model, TTFT, tokens per second, tokens this turn and this session, storage, offline badge.
 * While the narrator writes, the line says so instead of the last turn's figures, on one line.
 */
export function StatusBar({
  model,
  stats,
  sessionTokens,
  storage,
  offline,
  busy,
  telling = null,
}: {
  model: string;
  stats: TurnStats | null;
  sessionTokens: number;
  storage: string;
  offline: boolean;
  busy: boolean;
  /** The head narration's telling, when its turn has more than one. */
  telling?: Telling | null;
}) {
  const tellings = telling && telling.count > 1 ? `telling ${tellingMark(telling)} · ` : '';
  return (
    <Box>
      {offline ? (
        <Box flexShrink={0} marginRight={1}>
          <Text inverse color={colour('yellow')}>
            {' '}
            OFFLINE DEMO{' '}
          </Text>
        </Box>
      ) : null}
      {busy ? (
        <Text wrap="truncate-end">
          <Text color={colour('cyan')}>narrating… (Ctrl+C cancels)</Text>
          <Text dimColor>
            {' · '}
            {offline ? '' : `${model} · `}session {thousands(sessionTokens)} tok · {storage}
          </Text>
        </Text>
      ) : (
        <Text dimColor>
          {tellings}
          {offline ? '' : `${model} · `}TTFT {seconds(stats?.ttftMs ?? null)}
          {stats?.waitedMs ? ` (after ${seconds(stats.waitedMs)} waiting)` : ''} ·{' '}
          {stats?.tokensPerSecond ? `${stats.tokensPerSecond.toFixed(0)} tok/s` : '– tok/s'} · {stats ? thousands(stats.turnTokens) : '–'} tok (session{' '}
          {thousands(sessionTokens)}) · {storage}
        </Text>
      )}
    </Box>
  );
}
