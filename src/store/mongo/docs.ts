import { cleanSteering, cleanWorldInfo, STEERING_KEYS } from '../steering.js';
import {
  narrationFromStored,
  type MessageRecord,
  type NewMessage,
  type ScenarioRecord,
  type SessionRecord,
  type SessionSteering,
  type StoryState,
} from '../types.js';

/**
 * How records are kept as MongoDB documents, and back. Pure: tested without a server.
 *
 * Character names are the model's text ("Dr. Mara", "$ilver"), and a MongoDB field name may
 * not start with `$` and a dot in one is a path: so a state keeps its characters as a list of
 * `{ name, summary }`. Documents written before that keep an object, and are read as they are.
 */
export type StoredCharacters = Array<{ name: string; summary: string }> | Record<string, string>;
export type StoredState = Omit<StoryState, 'characters'> & { characters: StoredCharacters };

export type SessionDoc = Omit<SessionRecord, 'id' | 'state'> & {
  _id: string;
  state: StoredState;
  /** The last `seq` given to a message of the session (absent before its first). */
  message_seq?: number;
};

export type MessageDoc = Omit<MessageRecord, 'id' | 'state'> & {
  _id: string;
  state: StoredState | null;
  /** The order of appending within the session, from 1; absent on documents written before it. */
  seq?: number;
};

/**
 * The order of a session's messages, in every query: `seq`; messages written before `seq`
 * existed have none, and so come first (MongoDB sorts a missing field lowest), by created_at,
 * then by id, so that even their ties come out the same every time.
 */
export const MESSAGE_ORDER = { seq: 1, created_at: 1, _id: 1 } as const;
/** The index that serves MESSAGE_ORDER within a session (and the session's part of getChildren). */
export const MESSAGE_ORDER_INDEX = { session_id: 1, ...MESSAGE_ORDER } as const;

export function stateToDoc(state: StoryState): StoredState {
  return { ...state, characters: Object.entries(state.characters).map(([name, summary]) => ({ name, summary })) };
}

export function stateFromDoc(state: StoredState): StoryState {
  const { characters } = state;
  return { ...state, characters: Array.isArray(characters) ? Object.fromEntries(characters.map(({ name, summary }) => [name, summary])) : { ...characters } };
}

/** The record without its steering fields (they are written only when set: see cleanSteering). */
function withoutSteering<T extends object>(record: T): T {
  const out = { ...record } as Record<string, unknown>;
  for (const key of STEERING_KEYS) delete out[key];
  return out as T;
}

/**
 * The steering fields are plain fields of the session, only those set: memory a string, note and
 * settings small documents of fixed field names, lore a list of entries whose keys are values
 * (`{ keys: ['Dr. Mara', '/\\$\\w+/'], … }`), never field names.
 */
export function sessionToDoc({ id, state, ...rest }: SessionRecord): SessionDoc {
  return { _id: id, ...withoutSteering(rest), state: stateToDoc(state), ...cleanSteering(rest) };
}

/** Choices are kept as a list of `{ parent, child }` (never message ids as field names); an empty list is left out. */
export function sessionFromDoc({ _id, state, message_seq: _seq, choices, ...rest }: SessionDoc): SessionRecord {
  return {
    id: _id,
    ...withoutSteering(rest),
    state: stateFromDoc(state),
    ...(choices?.length ? { choices: choices.map(({ parent, child }) => ({ parent, child })) } : {}),
    ...cleanSteering(rest),
  };
}

/** The `$set` of updateSteering: the fields given, each whole (a partial update never reaches into one). */
export function steeringToSet(steering: SessionSteering): Partial<Pick<SessionDoc, 'memory' | 'note' | 'settings' | 'lore'>> {
  return cleanSteering(steering);
}

/** A scenario as a document: its world info, when it has any, a list of entries (their keys are values). */
export function scenarioToDoc({ world_info, ...rest }: ScenarioRecord): ScenarioRecord {
  return { ...rest, ...(world_info ? { world_info: cleanWorldInfo(world_info) } : {}) };
}

export function scenarioFromDoc({ world_info, ...rest }: ScenarioRecord & { _id?: unknown }): ScenarioRecord {
  const { _id: _ignored, ...fields } = rest;
  return { ...fields, ...(world_info ? { world_info: cleanWorldInfo(world_info) } : {}) };
}

export function messageToDoc(sessionId: string, { id, state, ...rest }: NewMessage, seq: number): MessageDoc {
  return { _id: id, ...rest, session_id: sessionId, state: state && stateToDoc(state), seq };
}

export function messageFromDoc({ _id, state, seq: _seq, ...rest }: MessageDoc): MessageRecord {
  return { id: _id, ...rest, narration: narrationFromStored(rest.narration), state: state && stateFromDoc(state) };
}

/**
 * The same messages with every parent before its children, otherwise in the order given: a no-op
 * for messages with `seq` (a parent is always appended first); for older ones, whose ties of
 * created_at fall by id, it puts a turn's action back before its narration.
 */
export function parentsFirst(messages: MessageRecord[]): MessageRecord[] {
  const present = new Set(messages.map((m) => m.id));
  const placed = new Set<string>();
  const waiting = new Map<string, MessageRecord[]>();
  const out: MessageRecord[] = [];
  for (const message of messages) {
    if (message.parent_id !== null && present.has(message.parent_id) && !placed.has(message.parent_id)) {
      waiting.set(message.parent_id, [...(waiting.get(message.parent_id) ?? []), message]);
      continue;
    }
    const ready = [message];
    while (ready.length > 0) {
      const next = ready.shift() as MessageRecord;
      out.push(next);
      placed.add(next.id);
      ready.unshift(...(waiting.get(next.id) ?? []));
      waiting.delete(next.id);
    }
  }
  // Only a cycle of parents (never written by StoryOS) is left: kept, at the end.
  for (const stuck of waiting.values()) out.push(...stuck);
  return out;
}

/**
 * The ids of the last `limit` messages of the branch ending at `headId`, oldest first, from the
 * `_id`/`parent_id` pairs of the session.
 */
export function branchIds(links: Iterable<{ _id: string; parent_id: string | null }>, headId: string, limit: number): string[] {
  const parents = new Map<string, string | null>();
  for (const { _id, parent_id } of links) parents.set(_id, parent_id);
  const ids: string[] = [];
  const seen = new Set<string>();
  for (let id: string | null = headId; id !== null && parents.has(id) && !seen.has(id) && ids.length < limit; id = parents.get(id) ?? null) {
    ids.push(id);
    seen.add(id);
  }
  return ids.reverse();
}
