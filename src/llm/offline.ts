import { clip } from '../text/format.js';
import { estimateTokens } from './tokens.js';
import { OPENING_NOTE } from './prompts.js';
import { LlmError, playerMessage } from './errors.js';
import { sleep } from './retry.js';
import type { ChatMessage, JsonRequest, JsonResult, LlmClient, StreamRequest, StreamResult } from './types.js';

export const OFFLINE_LABEL = 'offline demo';

function hashOf(text: string, salt = 0): number {
  let hash = salt;
  for (let i = 0; i < text.length; i++) hash = (hash * 31 + text.charCodeAt(i)) >>> 0;
  return hash;
}

/**
 * Deterministic choice from a list, by a text's hash: the same action reads the same way. Each
 * `variant` after the first moves every choice one along, so a retry never reads the same.
 */
function pick<T>(items: readonly T[], seed: string, salt = 0, variant = 0): T {
  return items[(hashOf(seed, salt) + variant) % items.length] as T;
}

const OPENINGS = [
  'The air is still, as if the world were holding its breath.',
  'Somewhere close, something shifts, patient and unseen.',
  'Light falls at a slant, picking out details you had not noticed.',
];
const TURNS = [
  'The world answers in its own time: a sound, a movement at the edge of sight, a door that was not open before.',
  'For a moment nothing happens. Then you notice what changed, and it changes everything.',
  'Your choice has weight here. Someone, somewhere, will remember it.',
  'It takes longer than you hoped, and costs a little more, but it is done.',
  'Something gives way with a soft sound, and what lay behind it is not what you expected.',
  'A voice you half recognise calls your name from further off than it should be.',
  'You learn something small and true, the kind of thing that matters later.',
  'It goes almost as you planned. Almost.',
  'You are not the first to try this here; the marks of someone before you are plain to see.',
  'The answer comes quickly, and it raises a better question.',
];
const AMBIENCE = [
  'The air smells of salt and old rain.',
  'Far off, a bell rings once and falls silent.',
  'Your footsteps sound louder than they should.',
  'The light is changing; it will be dark before long.',
  'Dust turns slowly in a shaft of pale light.',
  'The cold finds its way under your collar.',
  'A draught stirs, carrying a sound too faint to name.',
  'Everything is very quiet, and then it is not.',
];
const PROMPTS = ['What do you do?', 'What do you do next?', 'What now?'];

function fieldOf(system: string, label: string): string {
  return new RegExp(`^${label}: (.*)$`, 'm').exec(system)?.[1]?.trim() ?? '';
}

/** "Your office…" read inside a sentence: "your office…" (names keep their capitals). */
function midSentence(place: string): string {
  return place.replace(/^(Your|The|A|An|My|Our) /, (word) => word.toLowerCase());
}

/**
 * A choice for this turn: by the action and how far the story has come (so the same words later
 * in a story read differently), never a sentence the last narration used.
 */
function pickFresh(items: readonly string[], seed: string, turn: number, last: string, variant: number): string {
  const start = hashOf(seed, turn) + variant;
  for (let step = 0; step < items.length; step++) {
    const item = items[(start + step) % items.length] as string;
    if (!last.includes(item)) return item;
  }
  return pick(items, seed, turn, variant);
}

/** A scene written from the prompt itself: the scenario's place and the player's action. */
function narrationFor(messages: ChatMessage[], variant: number): string {
  const system = messages[0]?.content ?? '';
  const action = messages[messages.length - 1]?.content ?? '';
  const last = [...messages].reverse().find((message) => message.role === 'assistant')?.content ?? '';
  const turn = messages.length;
  const place = midSentence(fieldOf(system, 'The story begins at')) || 'the place where the story stands';
  const who = fieldOf(system, 'The player character').split(',')[0] || 'you';
  if (action.startsWith('Begin the story')) {
    return `*Offline demo narrator — set XAI_API_KEY to play with Grok.*\n\nYou are ${who}, and the story begins at ${place}. ${pick(OPENINGS, place, 0, variant)}\n\nWhat do you do?`;
  }
  const prompt = pickFresh(PROMPTS, action, turn + 2, last, variant);
  if (action.startsWith('(The player waits')) return `Time passes. ${pickFresh(TURNS, action, turn, last, variant)}\n\n${prompt}`;
  const quoted = action.length > 120 ? `${action.slice(0, 117)}…` : action;
  return `You decide: *${quoted}*\n\n${pickFresh(TURNS, action, turn, last, variant)} ${pickFresh(AMBIENCE, action, turn + 1, last, variant)}\n\n${prompt}`;
}

const MOVE_VERB = String.raw`\b(?:[Gg]o(?:es)?|[Ww]alk|[Rr]un|[Cc]limb|[Hh]ead|[Rr]eturn|[Mm]ove|[Hh]urry|[Ss]tep|[Cc]ross)`;
/** A place named with "the", ending at punctuation, the end, or a word that starts another clause. */
const PLACE = String.raw`([Tt]he [^,.;!?]{2,40}?)(?=$|[,.;!?]|\s(?:and|to|then|so|while|before|after|with|because)\b)`;
const MOVE = new RegExp(`${MOVE_VERB}\\s+(?:(?:up|down|back|over|out|inside|outside)\\s+)?(?:to|into|towards?|inside|onto)\\s+${PLACE}`);
const ENTER = new RegExp(`\\b[Ee]nter\\s+${PLACE}`);

/**
 * Where a move takes the player ("I climb to the lamp room" → "the lamp room"), if it names a
 * place with "the": "I go to sleep" or "I walk to Alice" move nobody.
 */
function destinationOf(action: string): string | undefined {
  return (MOVE.exec(action) ?? ENTER.exec(action))?.[1]?.trim();
}

/** Waits `ms`; false when the signal aborted first. */
function waited(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return sleep(ms, signal).then(
    () => true,
    () => false,
  );
}

/**
 * The narrator without network: it writes short scenes from the scenario and the player's
 * action, streams them word by word at a reading pace, and keeps a simple story state.
 * Clearly labelled as the offline demo in its first narration and in its label.
 */
export class OfflineLlm implements LlmClient {
  readonly label = OFFLINE_LABEL;
  readonly offline = true;

  /** How often each exact prompt was narrated: a retry (the same prompt again) reads differently. */
  private readonly narrated = new Map<number, number>();

  constructor(private readonly wordDelayMs = 25) {}

  private nextVariant(messages: ChatMessage[]): number {
    const key = hashOf(messages.map((m) => `${m.role}:${m.content}`).join('\u0000'));
    const variant = this.narrated.get(key) ?? 0;
    this.narrated.set(key, variant + 1);
    return variant;
  }

  async stream(request: StreamRequest): Promise<StreamResult> {
    const started = performance.now();
    if (request.signal?.aborted) throw new LlmError('cancelled', playerMessage('cancelled', {}));
    const words = narrationFor(request.messages, this.nextVariant(request.messages)).split(/(?<=\s)/);
    let text = '';
    let ttftMs: number | null = null;
    for (const word of words) {
      if (!(await waited(this.wordDelayMs, request.signal))) {
        if (ttftMs === null) throw new LlmError('cancelled', playerMessage('cancelled', {}));
        return this.result(request, text, ttftMs, started, words.length, new LlmError('cancelled', playerMessage('cancelled', {})));
      }
      ttftMs ??= performance.now() - started;
      text += word;
      request.onText?.(word);
    }
    return this.result(request, text, ttftMs, started, words.length, null);
  }

  private result(request: StreamRequest, text: string, ttftMs: number | null, started: number, chunks: number, interruption: LlmError | null): StreamResult {
    const promptTokens = request.messages.reduce((n, m) => n + estimateTokens(m.content), 0);
    return {
      text,
      model: OFFLINE_LABEL,
      usage: { tokens_in: promptTokens, tokens_out: estimateTokens(text) },
      ttftMs,
      durationMs: performance.now() - started,
      chunks,
      interrupted: interruption !== null,
      finishReason: interruption ? 'cancelled' : 'stop',
      interruption,
      attempts: 1,
      waitedMs: 0,
    };
  }

  async json<T>(request: JsonRequest<T>): Promise<JsonResult<T>> {
    const started = performance.now();
    const content = request.messages[request.messages.length - 1]?.content ?? '';
    const before = JSON.parse(/^State before this turn:\n(.*)$/m.exec(content)?.[1] ?? '{}') as { synopsis?: string; location?: string; world_state?: string };
    const action = /^The player's action: (.*)$/m.exec(content)?.[1] ?? (content.includes(OPENING_NOTE) ? 'The story begins' : 'Time passes');
    const narration = (/^The narration: ([\s\S]*)$/m.exec(content)?.[1] ?? '').replace(/^\*Offline demo narrator[^\n]*\n+/, '');
    const title = clip(action, 60);
    const sentence = clip(narration.replace(/\s+/g, ' ').replace(/\*/g, '').trim(), 160);
    // A clipped title keeps its "…"; a whole one gets its full stop.
    const told = /[.!?\u2026]$/.test(title) ? title : `${title}.`;
    const synopsis = `${before.synopsis ? `${before.synopsis} ` : ''}${told}`.slice(-2000);
    const value = request.parse({
      event_title: title,
      event_summary: sentence,
      involved_characters: [],
      character_updates: [],
      world_state: before.world_state || 'The world waits on your choices.',
      last_scene: sentence,
      location: destinationOf(action) ?? (before.location || 'Unknown'),
      synopsis,
    });
    return { value, usage: { tokens_in: estimateTokens(content), tokens_out: 60 }, durationMs: performance.now() - started };
  }
}
