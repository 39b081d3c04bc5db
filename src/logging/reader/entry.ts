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

const KEY_PIECE = /^([A-Za-z_][\w.-]*): /;

function parsePairs(inner: string): Record<string, string> | null {
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
 * Splits `message (key: value, key: value)` into the message and its context fields. Values may
 * hold parentheses of their own (`error: API error (status: 429)`), so the context is the
 * leftmost ` (` whose contents parse as pairs and pair up their parentheses; failing that, the
 * rightmost one that parses.
 */
export function parseBody(body: string): ParsedBody {
  if (!body.endsWith(')')) return { message: body, context: {} };
  let fallback: ParsedBody | undefined;
  for (let open = body.indexOf(' ('); open !== -1; open = body.indexOf(' (', open + 1)) {
    const inner = body.slice(open + 2, -1);
    const context = parsePairs(inner);
    if (!context) continue;
    const parsed = { message: body.slice(0, open), context };
    if (balanced(inner)) return parsed;
    fallback = parsed;
  }
  return fallback ?? { message: body, context: {} };
}
export function continuationLines(entry: LogEntry): string[] {
  const newline = entry.text.indexOf('\n');
  return newline === -1 ? [] : entry.text.slice(newline + 1).split('\n');
}
