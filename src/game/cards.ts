/**
 * SillyTavern / TavernAI character cards (SPEC §12) made into scenarios: JSON cards
 * (`chara_card_v2`, `chara_card_v3`, and V1's top-level fields) and PNG cards, whose card is
 * base64 JSON in a text chunk keyworded `chara` (V2) or `ccv3` (V3; preferred when both are there).
 *
 * The PNG chunks are read here (signature, lengths, CRC-32 of every chunk; tEXt, zTXt and iTXt):
 * the npm packages SillyTavern uses (png-chunks-extract, png-chunk-text) have had one release
 * each, years ago, and read only tEXt; the reader is a few dozen lines with no dependency.
 */
import { isRegexKey } from './world-info.js';
import { sanitizeText } from '../llm/sanitize.js';
import type { ScenarioFields, ScenarioTextKey } from '../store/types.js';
import {
  checkScenarioFields,
  parseScenario,
  parseScenarioJson,
  type RawWorldInfoEntry,
  SCENARIO_FIELDS,
  ScenarioFormatError,
  validateWorldInfo,
  WORLD_INFO_LIMITS,
} from './scenario-format.js';

/** zlib loads with the first compressed card text, not with the game (it is not needed for its first frame). */
const inflateSync: typeof import('node:zlib').inflateSync = (...args) => process.getBuiltinModule('node:zlib').inflateSync(...args);

/** A card that cannot be read: one sentence saying what is wrong. */
export class CardFormatError extends ScenarioFormatError {}

/** What a file held: a scenario in one of StoryOS's formats, or a character card of some version. */
export type ScenarioFileFormat = 'markdown' | 'json' | 'card_v1' | 'card_v2' | 'card_v3';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** What the player is called in a scenario made from a card ({{user}} in its text). */
export const CARD_PLAYER_NAME = 'you';
export const CARD_INITIAL_LOCATION = 'where the story begins';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309, as PNG computes it over a chunk's type and data). */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export interface PngChunk {
  type: string;
  data: Buffer;
  /** Where the chunk starts in the file (its length field). */
  offset: number;
}

/** The text chunks a card is kept in. */
const CARD_KEYWORDS = new Set(['chara', 'ccv3']);
/** The most text a card's chunk may inflate to. */
export const MAX_CARD_TEXT_BYTES = 8 * 1024 * 1024;

/** Every chunk of a PNG up to IEND, each checked (whole, a four-letter type, its CRC); a broken one is one sentence. */
export function readPngChunks(bytes: Buffer): PngChunk[] {
  if (bytes.length < PNG_SIGNATURE.length || !bytes.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE))
    throw new CardFormatError('The file is not a PNG image (it does not start with the PNG signature).');
  const chunks: PngChunk[] = [];
  let offset = PNG_SIGNATURE.length;
  while (offset < bytes.length) {
    if (offset + 12 > bytes.length) throw new CardFormatError(`The PNG is cut short: the chunk at byte ${offset} is incomplete.`);
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    if (!/^[A-Za-z]{4}$/.test(type)) throw new CardFormatError(`The PNG has a broken chunk at byte ${offset} (its type is not four letters).`);
    const end = offset + 12 + length;
    if (length > 0x7fffffff || end > bytes.length)
      throw new CardFormatError(`The PNG's ${type} chunk at byte ${offset} runs past the end of the file (the file is cut short or broken).`);
    const stored = bytes.readUInt32BE(offset + 8 + length);
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== stored)
      throw new CardFormatError(`The PNG's ${type} chunk at byte ${offset} is broken (its CRC does not match its content).`);
    chunks.push({ type, data: bytes.subarray(offset + 8, offset + 8 + length), offset });
    offset = end;
    if (type === 'IEND') break;
  }
  return chunks;
}

/** The text chunks (tEXt, zTXt, iTXt) of a PNG, keyword → text; a text chunk that cannot be read is one sentence. */
export function pngTextChunks(chunks: PngChunk[]): Map<string, string> {
  const texts = new Map<string, string>();
  for (const { type, data, offset } of chunks) {
    if (type !== 'tEXt' && type !== 'zTXt' && type !== 'iTXt') continue;
    const broken = (what: string) => new CardFormatError(`The PNG's ${type} chunk at byte ${offset} is broken (${what}).`);
    const nul = data.indexOf(0);
    if (nul <= 0) throw broken('it has no keyword');
    const keyword = data.toString('latin1', 0, nul);
    // Only the card's own chunks are read: a comment or any other text is never inflated.
    if (!CARD_KEYWORDS.has(keyword)) continue;
    const inflate = (compressed: Buffer) => {
      try {
        // Bounded: a small chunk may inflate to gigabytes.
        return inflateSync(compressed, { maxOutputLength: MAX_CARD_TEXT_BYTES });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError)
          throw new CardFormatError(
            `The PNG's ${type} chunk at byte ${offset} holds more than ${MAX_CARD_TEXT_BYTES / 1024 / 1024} MiB of text once inflated; a card is far smaller.`,
          );
        throw broken('its compressed text does not inflate');
      }
    };
    let text: string;
    if (type === 'tEXt') text = data.toString('latin1', nul + 1);
    else if (type === 'zTXt') text = inflate(data.subarray(nul + 2)).toString('latin1');
    else {
      const compressed = data[nul + 1] === 1;
      const languageEnd = data.indexOf(0, nul + 3);
      const translatedEnd = languageEnd < 0 ? -1 : data.indexOf(0, languageEnd + 1);
      if (translatedEnd < 0) throw broken('its header is incomplete');
      const body = data.subarray(translatedEnd + 1);
      text = (compressed ? inflate(body) : body).toString('utf8');
    }
    if (!texts.has(keyword.toLowerCase())) texts.set(keyword.toLowerCase(), text);
  }
  return texts;
}

/** The card JSON in a PNG: the `ccv3` chunk when there is one, the `chara` chunk otherwise. */
export function cardFromPng(bytes: Buffer): unknown {
  const texts = pngTextChunks(readPngChunks(bytes));
  const keyword = texts.has('ccv3') ? 'ccv3' : texts.has('chara') ? 'chara' : null;
  if (keyword === null) throw new CardFormatError('The PNG holds no character card (it has no "chara" or "ccv3" text chunk).');
  const value = (texts.get(keyword) as string).trim();
  let json: string;
  if (value.startsWith('{')) json = value;
  else {
    if (!/^[A-Za-z0-9+/\-_\s]*={0,2}\s*$/.test(value) || value.replace(/\s/g, '').length === 0)
      throw new CardFormatError(`The card in the PNG's "${keyword}" chunk is not valid base64.`);
    json = Buffer.from(value, 'base64').toString('utf8');
  }
  try {
    return JSON.parse(json);
  } catch (error) {
    throw new CardFormatError(`The card in the PNG's "${keyword}" chunk is not valid JSON (${oneLine((error as Error).message)}).`);
  }
}

const oneLine = (text: string) =>
  sanitizeText(text)
    .replace(/\s+/g, ' ')
    .replace(/, ".*" is not valid JSON$/, '')
    .slice(0, 120);

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The card's version: `chara_card_v2`, `chara_card_v3`, V1 (its fields at the top level), or null when it is no card. */
export function cardVersion(data: unknown): 'card_v1' | 'card_v2' | 'card_v3' | null {
  if (!isObject(data)) return null;
  if (data.spec === 'chara_card_v3') return 'card_v3';
  if (data.spec === 'chara_card_v2') return 'card_v2';
  if (typeof data.spec === 'string' && /^chara_card/i.test(data.spec)) return 'card_v2';
  if ('dungeon_master_behaviour' in data || 'player_name' in data) return null;
  return 'name' in data && ['first_mes', 'personality', 'mes_example', 'char_persona', 'char_greeting'].some((key) => key in data) ? 'card_v1' : null;
}

/** A text of the card, sanitised, with {{char}}/{{user}} (and V1's <BOT>/<USER>) replaced. */
function cardText(value: unknown, name: string): string {
  if (typeof value !== 'string') return '';
  return sanitizeText(value)
    .replace(/\r\n?/g, '\n')
    .replace(/\{\{char\}\}|<BOT>/gi, name)
    .replace(/\{\{user\}\}|<USER>/gi, CARD_PLAYER_NAME)
    .trim();
}

/** A text cut to at most `max` UTF-16 units (so at most `max` characters), ending with … when cut. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}

const firstLine = (text: string) => text.split('\n')[0]?.trim() ?? '';

/** `2.1`, `v3`, `1.0.0-beta` → `2.1.0`, `3.0.0`, `1.0.0`; 1.0.0 when there is no number. */
export function coerceVersion(value: unknown): string {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
  const match = /(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text);
  if (!match) return '1.0.0';
  const version = [match[1], match[2] ?? '0', match[3] ?? '0'].map((n) => String(Number(n))).join('.');
  return version.length <= 20 && /^\d+\.\d+\.\d+$/.test(version) ? version : '1.0.0';
}

const bound = (key: ScenarioTextKey) => (SCENARIO_FIELDS.find((f) => f.key === key) as { max: number }).max;

/** The card's book entries as world info: enabled ones, keys and secondary keys, order from insertion_order, always from constant. */
function cardWorldInfo(card: Json, name: string): RawWorldInfoEntry[] {
  const book = card.character_book;
  if (book === undefined || book === null) return [];
  if (!isObject(book) || !Array.isArray(book.entries)) throw new CardFormatError("The card's character_book is not an object with a list of entries.");
  const entries: RawWorldInfoEntry[] = [];
  book.entries.forEach((entry, i) => {
    if (!isObject(entry)) throw new CardFormatError(`Entry ${i + 1} of the card's character_book is not an object.`);
    if (entry.enabled === false) return;
    const content = cardText(entry.content, name);
    const regex = entry.use_regex === true;
    // Secondary keys narrow an entry (with `selective`, a primary AND a secondary key must match):
    // world info here has no AND, so only the primary keys are taken, which never fire on a secondary alone.
    const keys = [entry.keys, entry.key]
      .flatMap((list) => (Array.isArray(list) ? list : typeof list === 'string' ? list.split(',') : []))
      .filter((key): key is string => typeof key === 'string')
      .map((key) => cardText(key, name))
      .filter((key) => key !== '')
      .map((key) => (regex && !isRegexKey(key) ? `/${key}/${entry.case_sensitive === true ? '' : 'i'}` : key));
    const always = entry.constant === true;
    // An entry that could never enter the prompt (no content, or no keys and not always on) is left out.
    if (!content || (keys.length === 0 && !always)) return;
    const order = typeof entry.insertion_order === 'number' && Number.isFinite(entry.insertion_order) ? Math.round(entry.insertion_order) : undefined;
    entries.push({
      keys: [...new Set(keys)],
      content: clip(content, WORLD_INFO_LIMITS.content),
      order: order === undefined ? undefined : Math.max(-WORLD_INFO_LIMITS.order, Math.min(WORLD_INFO_LIMITS.order, order)),
      always,
      where: ` (character_book entry ${i + 1})`,
    });
  });
  return entries;
}

/** Where a scenario field came from in a card, for an error that names it. */
const CARD_FIELD: Record<ScenarioTextKey, string> = {
  scenario_id: 'name',
  name: 'name',
  author: 'creator',
  version: 'character_version',
  description: 'description and personality',
  setting: 'scenario',
  player_name: 'name',
  role: 'name',
  initial_location: 'scenario',
  dungeon_master_behaviour: 'first_mes and mes_example',
};

/** A scenario made from a card (any version): see SPEC §12 and the README for the mapping. */
export function cardToScenario(card: unknown): ScenarioFields {
  const version = cardVersion(card);
  if (version === null) throw new CardFormatError('The file is not a character card (no spec chara_card_v2 or chara_card_v3, and no V1 card fields).');
  const outer = card as Json;
  if (version !== 'card_v1' && !isObject(outer.data)) throw new CardFormatError(`The ${outer.spec} card has no data object.`);
  const data = version === 'card_v1' ? outer : (outer.data as Json);
  const rawName =
    typeof data.name === 'string' ? firstLine(sanitizeText(data.name)) : typeof data.char_name === 'string' ? firstLine(sanitizeText(data.char_name)) : '';
  if (!rawName) throw new CardFormatError(`The card has no name (${version === 'card_v1' ? 'name' : 'data.name'} is missing or empty).`);
  const name = clip(rawName, bound('name'));
  const text = (key: string) => cardText(data[key], name);

  const description = clip(
    [text('description') || text('char_persona'), text('personality') && `Personality: ${text('personality')}`].filter(Boolean).join('\n\n') ||
      `${name}, from a character card.`,
    bound('description'),
  );
  const scenario = text('scenario') || text('world_scenario');
  const setting = clip(scenario || `The world of ${name}, as the description tells it.`, bound('setting'));
  const scene = firstLine(scenario).split(/(?<=[.!?])\s/)[0] ?? '';
  const initialLocation = scene && scene.length <= bound('initial_location') ? scene : CARD_INITIAL_LOCATION;
  const opening = text('first_mes') || text('char_greeting');
  const examples = text('mes_example') || text('example_dialogue');
  const rules = [text('system_prompt'), text('post_history_instructions')].filter(Boolean).join('\n\n');
  const behaviour = [
    `Play ${name} in character, as the description and personality say: speak and act as ${name}, keep to ${name}'s voice, and never speak or act for the player (${CARD_PLAYER_NAME}).`,
    opening && `Open the story the way the card's first message does, in ${name}'s voice:\n${opening}`,
    rules && `The card's own instructions:\n${rules}`,
    examples && `How ${name} speaks (the card's examples):\n${examples}`,
  ]
    .filter(Boolean)
    .join('\n\n');
  const values: Partial<Record<ScenarioTextKey, string>> = {
    name,
    author: clip(firstLine(text('creator')) || 'unknown', bound('author')),
    version: coerceVersion(data.character_version),
    description,
    setting,
    player_name: CARD_PLAYER_NAME,
    role: clip(`The one ${name} is talking to`, bound('role')),
    initial_location: initialLocation,
    dungeon_master_behaviour: clip(behaviour, bound('dungeon_master_behaviour')),
  };
  const fields = checkScenarioFields(values, (key) => ` (card field ${CARD_FIELD[key]})`);
  const worldInfo = validateWorldInfo(cardWorldInfo(data, name));
  return worldInfo ? { ...fields, world_info: worldInfo } : fields;
}

/**
 * Reads a scenario file as the CLI's `scenarios import` and the TUI's import take it: a PNG
 * character card (by its signature, or a .png name), a JSON character card, a JSON scenario, or
 * the v2 Markdown format. Every refusal is one sentence.
 */
export function parseScenarioFileAs(bytes: Buffer, fileName: string): { fields: ScenarioFields; format: ScenarioFileFormat } {
  const isPng = bytes.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE);
  if (isPng || /\.png$/i.test(fileName)) {
    const card = cardFromPng(bytes);
    const format = cardVersion(card) ?? 'card_v2';
    return { fields: cardToScenario(card), format };
  }
  const text = bytes.toString('utf8');
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const looksJson = /\.json$/i.test(fileName) || (!/\.(md|markdown)$/i.test(fileName) && body.trimStart().startsWith('{'));
  if (looksJson) {
    let data: unknown;
    try {
      data = JSON.parse(body);
    } catch {
      // parseScenarioJson says what is wrong with it.
      return { fields: parseScenarioJson(text), format: 'json' };
    }
    const version = cardVersion(data);
    if (version) return { fields: cardToScenario(data), format: version };
    return { fields: parseScenarioJson(text), format: 'json' };
  }
  return { fields: parseScenario(text, fileName), format: 'markdown' };
}

/** parseScenarioFileAs, the scenario only. */
export function parseScenarioFile(bytes: Buffer, fileName: string): ScenarioFields {
  return parseScenarioFileAs(bytes, fileName).fields;
}
