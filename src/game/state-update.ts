import * as v from 'valibot';
import { CONTINUED_NOTE, OPENING_NOTE } from '../llm/prompts.js';
import { sanitizeText } from '../llm/sanitize.js';
import type { ChatMessage } from '../llm/types.js';
import type { StoryState } from '../store/types.js';
import { clip } from '../text/format.js';

/** Bounds that keep the state, and so the prompt, from growing with the story. */
export const STATE_LIMITS = {
  synopsis: 2400,
  world_state: 1200,
  last_scene: 800,
  location: 120,
  title: 100,
  description: 500,
  character: 300,
  characters: 24,
} as const;

/** The JSON schema sent with `response_format: json_schema` (strict: every field required). */
export const STATE_UPDATE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['event_title', 'event_summary', 'involved_characters', 'character_updates', 'world_state', 'last_scene', 'location', 'synopsis'],
  properties: {
    event_title: { type: 'string', description: 'A short title for what happened this turn' },
    event_summary: { type: 'string', description: 'One or two sentences on what happened this turn' },
    involved_characters: { type: 'array', items: { type: 'string' }, description: 'Names of the characters involved this turn' },
    character_updates: {
      type: 'array',
      description: 'Updated summaries of characters who changed or appeared this turn',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'summary'],
        properties: { name: { type: 'string' }, summary: { type: 'string' } },
      },
    },
    world_state: { type: 'string', description: 'The state of the world now' },
    last_scene: { type: 'string', description: 'The scene as it stands at the end of this turn' },
    location: { type: 'string', description: "The player character's location" },
    synopsis: { type: 'string', description: `The story so far, rewritten to include this turn, under ${STATE_LIMITS.synopsis} characters` },
  },
} as const;

/** Every text of the answer is made safe where it enters: it is shown in /story, lists and exports. */
const text = v.pipe(v.string(), v.transform(sanitizeText), v.trim());
const updateSchema = v.object({
  event_title: v.pipe(text, v.minLength(1)),
  event_summary: text,
  involved_characters: v.array(text),
  character_updates: v.array(v.object({ name: v.pipe(text, v.minLength(1)), summary: text })),
  world_state: text,
  last_scene: text,
  location: text,
  synopsis: v.pipe(text, v.minLength(1)),
});

export type StateUpdate = v.InferOutput<typeof updateSchema>;

/** Checks a model's answer against the schema; throws a one-line reason when it does not fit. */
export function parseStateUpdate(data: unknown): StateUpdate {
  const result = v.safeParse(updateSchema, data);
  if (!result.success) {
    const issue = result.issues[0];
    throw new Error(`${issue.path?.map((p) => String(p.key)).join('.') ?? 'answer'}: ${issue.message}`);
  }
  return result.output;
}

/** The new state: the update applied to the previous one, within the bounds. */
export function applyStateUpdate(previous: StoryState, update: StateUpdate): StoryState {
  const characters = { ...previous.characters };
  for (const { name, summary } of update.character_updates) {
    delete characters[name];
    characters[clip(name, 60)] = clip(summary, STATE_LIMITS.character);
  }
  const names = Object.keys(characters);
  for (const name of names.slice(0, Math.max(0, names.length - STATE_LIMITS.characters))) delete characters[name];
  return {
    world_state: clip(update.world_state || previous.world_state, STATE_LIMITS.world_state),
    last_scene: clip(update.last_scene || previous.last_scene, STATE_LIMITS.last_scene),
    location: clip(update.location || previous.location, STATE_LIMITS.location),
    synopsis: clip(update.synopsis, STATE_LIMITS.synopsis),
    characters,
    event: {
      title: clip(update.event_title, STATE_LIMITS.title),
      description: clip(update.event_summary, STATE_LIMITS.description),
      characters: update.involved_characters.slice(0, 12),
    },
  };
}

/** A turn the summary model is told of: the player's action (none for an opening or a continuation) and the narration. */
export interface TurnToSummarise {
  action: string | null;
  narration: string;
  opening: boolean;
}

function describeTurn(turn: TurnToSummarise, label: (field: string) => string): string {
  const action = turn.action !== null ? `${label("The player's action")}: ${turn.action}` : turn.opening ? OPENING_NOTE : CONTINUED_NOTE;
  return `${action}\n\n${label('The narration')}: ${turn.narration}`;
}

/**
 * The summary model's prompt: the state before, and what happened since. The last turn is the
 * one just played; any before it are turns whose updates never landed, told first so that this
 * update catches up with them.
 */
export function stateUpdateMessages(previous: StoryState, turns: TurnToSummarise[]): ChatMessage[] {
  const missed = turns.slice(0, -1);
  const last = turns[turns.length - 1] as TurnToSummarise;
  return [
    {
      role: 'system',
      content:
        'You keep the memory of an interactive story. Given the story state before this turn and what just happened, ' +
        'return the updated state as JSON that fits the schema. Rewrite the synopsis to include this turn, keeping it ' +
        `under ${STATE_LIMITS.synopsis} characters by compressing older events. Update only characters who appeared or changed.`,
    },
    {
      role: 'user',
      content: [
        `State before this turn:\n${JSON.stringify({ world_state: previous.world_state, last_scene: previous.last_scene, location: previous.location, synopsis: previous.synopsis, characters: previous.characters })}`,
        ...missed.map(
          (turn, i) =>
            `Earlier turn ${i + 1} of ${missed.length}, not yet in the state (include it too):\n${describeTurn(turn, (field) => `${field} (earlier)`)}`,
        ),
        describeTurn(last, (field) => field),
      ].join('\n\n'),
    },
  ];
}
