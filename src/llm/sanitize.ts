/** Complete escape sequences: CSI (`ESC [ … final`), OSC (`ESC ] … BEL|ESC \`), and two-byte ones. */
const ESCAPE_SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])|\u009b[0-?]*[ -/]*[@-~]/g;
/** The bidirectional overrides and isolates, as a character-class range. */
export const BIDI_RANGE = '\\u202a-\\u202e\\u2066-\\u2069';

/** A character as a `\uXXXX` escape (for JSON and messages that must stay inert). */
export function unicodeEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * Control characters other than newline and tab (including a lone ESC, CR, and C1 controls), and
 * the bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) that make text read
 * in another order than it is stored.
 */
const CONTROL = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f${BIDI_RANGE}]`, 'g');
/** An escape sequence that may continue in the next chunk. */
const INCOMPLETE_TAIL = /(?:\u001b(?:\[[0-?]*[ -/]*|\][^\u0007\u001b]*|)|\u009b[0-?]*[ -/]*)$/;

/**
 * Text from outside (the model, files, players, the store) made safe for a terminal: no escape
 * sequences, no control characters but newline and tab, no bidi controls.
 */
export function sanitizeText(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '');
}

/**
 * Sanitises a stream piece by piece. An escape sequence split across two chunks is held back
 * until it is complete (and then removed), so no fragment of it ever reaches the terminal.
 */
export class StreamSanitizer {
  private pending = '';

  push(chunk: string): string {
    const text = this.pending + chunk;
    const tail = INCOMPLETE_TAIL.exec(text);
    const cut = tail && tail[0].length > 0 && tail[0].length < 256 ? tail.index : text.length;
    this.pending = text.slice(cut);
    return sanitizeText(text.slice(0, cut));
  }

  /** What is left at the end of the stream: an unfinished sequence is dropped. */
  end(): string {
    const rest = sanitizeText(this.pending.replace(INCOMPLETE_TAIL, ''));
    this.pending = '';
    return rest;
  }
}

/** A record whose text fields are made safe for a terminal (one level deep: names, last scenes, descriptions). */
export function sanitizeRecord<T extends object>(record: T): T {
  const safe = { ...record } as Record<string, unknown>;
  for (const [key, value] of Object.entries(safe)) if (typeof value === 'string') safe[key] = sanitizeText(value);
  return safe as T;
}
