const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Makes text safe to put inside one log line: CR, LF, tabs and every other control
 * character become visible escapes, so user or model text can never start a new entry.
 */
export function escapeControl(text: string): string {
  const out = text.replace(CONTROL_CHARS, (ch) => NAMED[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return out.includes('[') ? out.replace(HEADER_START, '\\u005b') : out;
}

/**
 * The start of an entry's header (`[2024-01-15 10:30:15,123] [`). The reader takes one found in
 * the middle of a line for a new entry (an entry torn by a full disk, the next glued to it), so
 * inside text its `[` is written `\u005b`.
 */
const HEADER_START = /\[(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] \[)/g;

const NEEDS_ESCAPE = /[\\()]|, |: /;

function escapeField(text: string, colons: boolean): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  // Parentheses that pair up inside the text stay as they are (`error: API error (status: 429)`);
  // one without its partner gets a backslash, so the context's own `(` and `)` always pair up.
  const unmatched = new Set<number>();
  const open: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x28) open.push(i);
    else if (c === 0x29 && open.pop() === undefined) unmatched.add(i);
  }
  for (const i of open) unmatched.add(i);
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    const next = text.charCodeAt(i + 1);
    if (ch === '\\' || unmatched.has(i) || (ch === ',' && next === 0x20) || (colons && ch === ':' && next === 0x20)) out += '\\';
    out += ch;
  }
  return out;
}

/**
 * The escaping of a context value, so that nothing inside it can end it or start another field:
 * `\` gets a backslash, so does a comma followed by a space (the separator), and so does a
 * parenthesis without its partner in the value. Everything else, `: ` and paired parentheses
 * included, is written as it is, so lines stay grep-friendly.
 */
export function escapeValue(text: string): string {
  return escapeField(text, false);
}

/** A context key is escaped as a value is, and a colon followed by a space too (it ends the key). */
export function escapeKey(text: string): string {
  return escapeField(text, true);
}

/** Undoes escapeValue/escapeKey; other backslash sequences (`\n`, `\u001b`) stay as written. */
export function unescapeField(text: string): string {
  return text.indexOf('\\') === -1 ? text : text.replace(/\\([\\(),:])/g, '$1');
}

/** A context value exactly as the writer puts it in a line: its separators, then its controls and header-like text, escaped. */
export function valueAsWritten(text: string): string {
  return escapeControl(escapeValue(text));
}
