import { Box, Text } from 'ink';
import { colour } from '../theme.js';

export interface TurnStats {
  ttftMs: number | null;
  tokensPerSecond: number | null;
  turnTokens: number;
}

const seconds = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(2)}s`);
const thousands = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(Math.round(n)));

/** Model, TTFT, tokens per second, tokens this turn and this session, storage, offline badge. */
export function StatusBar({ model, stats, sessionTokens, storage, offline, busy }: { model: string; stats: TurnStats | null; sessionTokens: number; storage: string; offline: boolean; busy: boolean }) {
  return (
    <Box>
      {offline ? (
        <Box flexShrink={0} marginRight={1}>
          <Text inverse color={colour('yellow')}> OFFLINE DEMO </Text>
        </Box>
      ) : null}
      <Text dimColor>
        {offline ? '' : `${model} · `}TTFT {seconds(stats?.ttftMs ?? null)} · {stats?.tokensPerSecond ? `${stats.tokensPerSecond.toFixed(0)} tok/s` : '– tok/s'} · {stats ? thousands(stats.turnTokens) : '–'} tok (session {thousands(sessionTokens)}) · {storage}
        {busy ? ' · narrating… (Ctrl+C cancels)' : ''}
      </Text>
    </Box>
  );
}
