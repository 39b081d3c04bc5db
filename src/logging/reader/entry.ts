import { unescapeField } from '../escape.js';

/** One log entry: a header line and the continuation lines (stack traces) that follow it. */
export interface LogEntry {
  /** The whole entry, without its final newline. */
  text: string;
  /** `2024-01-15 10:30:15,123`, or '' for text that is not a StoryOS header line. */
  time: string;
  level: string;
  module: string;
  /** The header after `[module] `: message and context. */
  body: string;
}

export interface ParsedBody {
  message: string;
  context: Record<string, string>;
}

const TIME_LENGTH = 23;

/** Parses `[time] [LEVEL] [module] body` by position; anything else is an entry with empty fields. */
export function parseEntry(text: string): LogEntry {
  const newline = text.indexOf('\n');
  const header = newline === -1 ? text : text.slice(0, newline);
  const unknown = { text, time: '', level: '', module: '', body: header };
  if (header.charCodeAt(0) !== 0x5b || header.charCodeAt(TIME_LENGTH + 1) !== 0x5d || header.charCodeAt(TIME_LENGTH + 3) !== 0x5b) return unknown;
  const levelEnd = header.indexOf('] [', TIME_LENGTH + 4);
  if (levelEnd === -1) return unknown;
  const moduleEnd = header.indexOf('] ', levelEnd + 3);
  if (moduleEnd === -1) return unknown;
  return {
    text,
    time: header.slice(1, TIME_LENGTH + 1),
    level: header.slice(TIME_LENGTH + 4, levelEnd),
    module: header.slice(levelEnd + 3, moduleEnd),
    body: header.slice(moduleEnd + 2),
  };
}

/** The context as written: keys and values still escaped (see escapeValue), in order. */
export interface RawContext {
  message: string;
  fields: Array<[key: string, value: string]>;
  /** True when the fields are escaped as StoryOS writes them; false for a line read the old way (older or foreign logs). */
  escaped: boolean;
}

const BACKSLASH = 0x5c;
const NO_CONTEXT = (body: string): RawContext => ({ message: body, fields: [], escaped: true });

/** Whether the character at `i` follows an odd run of backslashes. */
function isEscaped(text: string, i: number): boolean {
  let n = 0;
  while (i - n - 1 >= 0 && text.charCodeAt(i - n - 1) === BACKSLASH) n++;
  return n % 2 === 1;
}

/**
 * Splits escaped `key: value, key: value` at the unescaped `, ` and each piece at its first
 * unescaped `: `; null when a piece has no key. Escaped text never holds an unescaped `, `.
 */
function splitPairs(inner: string): Array<[string, string]> | null {
  const fields: Array<[string, string]> = [];
  if (inner === '') return fields;
  let pieceStart = 0;
  let colon = -1;
  for (let i = 0; i <= inner.length; i++) {
    const c = i < inner.length ? inner.charCodeAt(i) : 0x2c;
    if (c === BACKSLASH) {
      i++;
      continue;
    }
    if (c === 0x3a && colon === -1 && inner.charCodeAt(i + 1) === 0x20) colon = i;
    else if (c === 0x2c && (i === inner.length || inner.charCodeAt(i + 1) === 0x20)) {
      if (colon === -1) return null;
      fields.push([inner.slice(pieceStart, colon), inner.slice(colon + 2, i)]);
      pieceStart = i + 2;
      colon = -1;
      i++;
    }
  }
  return fields;
}

/**
 * The context of a body as StoryOS writes it: the `(` (after a space) that pairs with the final
 * `)`, whose contents split into pairs. A key or value escapes `\`, `, ` and every parenthesis
 * without its partner, so the context's own parentheses pair up and it is found from the end
 * without looking at the message, whatever the message holds. Undefined when the body does not end that way.
 */
function strictContext(body: string): RawContext | undefined {
  let depth = 0;
  for (let i = body.length - 2; i >= 0; i--) {
    const c = body.charCodeAt(i);
    if ((c !== 0x28 && c !== 0x29) || isEscaped(body, i)) continue;
    if (c === 0x29) depth++;
    else if (depth > 0) depth--;
    else {
      if (i === 0 || body.charCodeAt(i - 1) !== 0x20) return undefined;
      const fields = splitPairs(body.slice(i + 1, -1));
      return fields ? { message: body.slice(0, i - 1), fields, escaped: true } : undefined;
    }
  }
  return undefined;
}

const KEY_PIECE = /^([A-Za-z_][\w.-]*): /;

function legacyPairs(inner: string): Record<string, string> | null {
  const context: Record<string, string> = {};
  let lastKey: string | null = null;
  for (const piece of inner.split(', ')) {
    const m = KEY_PIECE.exec(piece);
    if (m) {
      lastKey = m[1] as string;
      context[lastKey] = piece.slice(m[0].length);
    } else if (lastKey === null) {
      return null;
    } else {
      context[lastKey] += `, ${piece}`;
    }
  }
  return context;
}

/** Whether parentheses in `text` pair up, never closing one that was not opened. */
function balanced(text: string): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x28) depth++;
    else if (c === 0x29 && --depth < 0) return false;
  }
  return depth === 0;
}

/**
 * Lines written before values were escaped (or by something else): the leftmost ` (` whose
 * contents parse as pairs and pair up their parentheses; failing that, the rightmost one that parses.
 * A line StoryOS writes now never gets here (strictContext reads it), so no value can forge a field.
 */
function legacyContext(body: string): RawContext {
  let fallback: RawContext | undefined;
  for (let open = body.indexOf(' ('); open !== -1; open = body.indexOf(' (', open + 1)) {
    const inner = body.slice(open + 2, -1);
    const context = legacyPairs(inner);
    if (!context) continue;
    const parsed = { message: body.slice(0, open), fields: Object.entries(context), escaped: false };
    if (balanced(inner)) return parsed;
    fallback = parsed;
  }
  return fallback ?? NO_CONTEXT(body);
}

/** Splits `message (key: value, …)` without unescaping anything: what the filters compare on. */
export function rawContext(body: string): RawContext {
  if (body.charCodeAt(body.length - 1) !== 0x29) return NO_CONTEXT(body);
  return strictContext(body) ?? legacyContext(body);
}

/**
 * Splits `message (key: value, key: value)` into the message and its context fields, unescaped.
 * Control characters stay as the visible escapes the line holds (`\n`, `\u001b`): fields read
 * back are safe to print.
 */
export function parseBody(body: string): ParsedBody {
  const raw = rawContext(body);
  const fields = raw.escaped ? raw.fields.map(([key, value]) => [unescapeField(key), unescapeField(value)] as [string, string]) : raw.fields;
  // A key given twice (only in lines written before the escaping, where a value could make one)
  // keeps its first value, as the filters do.
  const seen = new Set<string>();
  return { message: raw.message, context: Object.fromEntries(fields.filter(([key]) => !seen.has(key) && seen.add(key))) };
}

export function continuationLines(entry: LogEntry): string[] {
  const newline = entry.text.indexOf('\n');
  return newline === -1 ? [] : entry.text.slice(newline + 1).split('\n');
}
