import { Box, Text } from 'ink';
import { colour } from '../theme.js';

export interface TurnStats {
  ttftMs: number | null;
  tokensPerSecond: number | null;
  turnTokens: number;
}

const seconds = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(2)}s`);
const thousands = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(Math.round(n)));

/**
 * Model, TTFT, tokens per second, tokens this turn and this session, storage, offline badge: one
 * line. While the narrator writes, that comes first and the figures give way at the end.
 */
export function StatusBar({ model, stats, sessionTokens, storage, offline, busy }: { model: string; stats: TurnStats | null; sessionTokens: number; storage: string; offline: boolean; busy: boolean }) {
  return (
    <Box>
      {offline ? (
        <Box flexShrink={0} marginRight={1}>
          <Text inverse color={colour('yellow')}> OFFLINE DEMO </Text>
        </Box>
      ) : null}
      {busy ? (
        <Box flexShrink={0} marginRight={1}>
          <Text color={colour('cyan')}>narrating… (Ctrl+C cancels) ·</Text>
        </Box>
      ) : null}
      <Text dimColor wrap="truncate-end">
        {offline ? '' : `${model} · `}TTFT {seconds(stats?.ttftMs ?? null)} · {stats?.tokensPerSecond ? `${stats.tokensPerSecond.toFixed(0)} tok/s` : '– tok/s'} · {stats ? thousands(stats.turnTokens) : '–'} tok (session {thousands(sessionTokens)}) · {storage}
      </Text>
    </Box>
  );
}
