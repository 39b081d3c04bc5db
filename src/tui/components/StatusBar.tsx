import { Box, Text } from 'ink';
import type { PromptGauge } from '../../game/engine.js';
import { colour } from '../theme.js';
import { type Telling, tellingMark } from './MessageView.js';

export interface TurnStats {
  ttftMs: number | null;
  /** Spent waiting on failed attempts before the one that answered (its TTFT is apart from it). */
  waitedMs: number;
  tokensPerSecond: number | null;
  turnTokens: number;
}

/** The game's narrator settings in effect, as the status bar shows them. */
export interface NarratorShown {
  model: string;
  /** null: the endpoint's own default (not shown). */
  temperature: number | null;
  /** The longest narration, only when the game changed it (else null, not shown). */
  maxTokens: number | null;
}

const seconds = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(2)}s`);
const thousands = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(Math.round(n)));

/** `prompt 6.1k/10.9k`, `~` before the tokens when they are a plain estimate (not the endpoint's count, nor calibrated by it). */
export function gaugeText(gauge: PromptGauge): string {
  const estimated = !gauge.real && !gauge.estimate.calibrated;
  return `prompt ${estimated ? '~' : ''}${thousands(gauge.tokens)}/${thousands(gauge.budget)}`;
}

/**
 * A part of the line: its texts from the fullest to the shortest, each with how long it stays when
 * the line is too narrow (the part whose text has the lowest `keep` is shortened, or left out, first).
 */
type Part = Array<{ text: string; keep: number }>;

const SEPARATOR = ' · ';
const widthOf = (text: string) => [...text].length;

/** The parts that fit in `width` columns, joined: the least useful ones shortened, then left out, first. */
export function fitParts(parts: Part[], width: number): string {
  const shown = parts.filter((p) => p.length > 0).map((p) => [...p]);
  const line = () => shown.map((p) => p[0]?.text).join(SEPARATOR);
  while (shown.length > 1 && widthOf(line()) > width) {
    const least = shown.reduce((a, b) => ((b[0]?.keep ?? 0) < (a[0]?.keep ?? 0) ? b : a));
    least.shift();
    if (least.length === 0) shown.splice(shown.indexOf(least), 1);
  }
  return line();
}

/** How long each part stays on a narrow line: the storage goes first, the telling last. */
const KEEP = {
  storage: 1,
  waited: 2,
  speed: 3,
  session: 4,
  ttft: 5,
  maxTokens: 6,
  turnTokens: 7,
  temperature: 8,
  prompt: 9,
  model: 10,
  telling: 11,
  narrating: 12,
} as const;

const one = (text: string, keep: number): Part => [{ text, keep }];

/** The offline badge and the margin after it. */
const BADGE_WIDTH = ' OFFLINE DEMO '.length + 1;

export interface StatusProps {
  model: string;
  stats: TurnStats | null;
  sessionTokens: number;
  storage: string;
  offline: boolean;
  busy: boolean;
  /** The head narration's telling, when its turn has more than one. */
  telling?: Telling | null;
  /** The game's temperature, when one is set (the offline narrator has none). */
  temperature?: number | null;
  /** The game's longest narration, when it changed it. */
  maxTokens?: number | null;
  /** The last prompt's size against the budget. */
  prompt?: PromptGauge | null;
  /** The terminal's columns. */
  width?: number;
}

/** The status line's text (after the offline badge), fitted to the width. */
export function statusLine({
  model,
  stats,
  sessionTokens,
  storage,
  offline,
  busy,
  telling = null,
  temperature = null,
  maxTokens = null,
  prompt = null,
  width = 200,
}: StatusProps): string {
  const online = (part: Part): Part => (offline ? [] : part);
  const settings: Part[] = [
    online(one(model, KEEP.model)),
    temperature === null ? [] : online(one(`t ${temperature}`, KEEP.temperature)),
    maxTokens === null ? [] : one(`max ${thousands(maxTokens)} tok`, KEEP.maxTokens),
  ];
  const room = Math.max(20, width - (offline ? BADGE_WIDTH : 0));
  const ttft = `TTFT ${seconds(stats?.ttftMs ?? null)}`;
  const turnTokens = `${stats ? thousands(stats.turnTokens) : '–'} tok`;
  return busy
    ? fitParts(
        [
          one('narrating… (Ctrl+C cancels)', KEEP.narrating),
          ...settings,
          one(`session ${thousands(sessionTokens)} tok`, KEEP.session),
          one(storage, KEEP.storage),
        ],
        room,
      )
    : fitParts(
        [
          telling && telling.count > 1 ? one(`telling ${tellingMark(telling)}`, KEEP.telling) : [],
          ...settings,
          [...(stats?.waitedMs ? [{ text: `${ttft} (after ${seconds(stats.waitedMs)} waiting)`, keep: KEEP.waited }] : []), { text: ttft, keep: KEEP.ttft }],
          one(stats?.tokensPerSecond ? `${stats.tokensPerSecond.toFixed(0)} tok/s` : '– tok/s', KEEP.speed),
          [
            { text: `${turnTokens} (session ${thousands(sessionTokens)})`, keep: KEEP.session },
            { text: turnTokens, keep: KEEP.turnTokens },
          ],
          prompt ? one(gaugeText(prompt), KEEP.prompt) : [],
          one(storage, KEEP.storage),
        ],
        room,
      );
}

/**
 * Model and the game's narrator settings, TTFT, tokens per second, tokens this turn and this
 * session, the last prompt against its budget, storage, offline badge: on one line, the least
 * useful parts shortened or left out when the terminal is narrow. While the narrator writes, the
 * line says so instead of the last turn's figures.
 */
export function StatusBar(props: StatusProps) {
  const { busy, offline } = props;
  const line = statusLine(props);
  const [first, ...rest] = busy ? line.split(SEPARATOR) : [null, line];
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
      <Text wrap="truncate-end">
        {first ? <Text color={colour('cyan')}>{first}</Text> : null}
        <Text dimColor>
          {first && rest.length > 0 ? SEPARATOR : ''}
          {rest.join(SEPARATOR)}
        </Text>
      </Text>
    </Box>
  );
}
