import type { AuthorNote, NarratorSettings, SessionSteering, WorldInfoEntry } from './types.js';

/** The steering fields of a session, in the order they are kept. */
export const STEERING_KEYS = ['memory', 'note', 'settings', 'lore'] as const satisfies ReadonlyArray<keyof SessionSteering>;

/** A world-info entry with exactly its four fields (nothing else a caller's object carried is stored). */
export function cleanEntry(entry: WorldInfoEntry): WorldInfoEntry {
  return { keys: [...entry.keys], content: entry.content, order: entry.order, always: entry.always };
}

export const cleanWorldInfo = (entries: WorldInfoEntry[]): WorldInfoEntry[] => entries.map(cleanEntry);

const cleanNote = (note: AuthorNote): AuthorNote => ({ text: note.text, depth: note.depth });

function cleanSettings(settings: NarratorSettings): NarratorSettings {
  const out: NarratorSettings = {};
  if (settings.model !== undefined) out.model = settings.model;
  if (settings.temperature !== undefined) out.temperature = settings.temperature;
  if (settings.max_tokens !== undefined) out.max_tokens = settings.max_tokens;
  return out;
}

/**
 * The steering fields given (a field given as undefined, or null as a document may hold, is not
 * given), each copied with only its own fields.
 */
export function cleanSteering(steering: SessionSteering): SessionSteering {
  const s = steering as { [K in keyof SessionSteering]?: SessionSteering[K] | null };
  const out: SessionSteering = {};
  if (s.memory != null) out.memory = s.memory;
  if (s.note != null) out.note = cleanNote(s.note);
  if (s.settings != null) out.settings = cleanSettings(s.settings);
  if (s.lore != null) out.lore = cleanWorldInfo(s.lore);
  return out;
}
