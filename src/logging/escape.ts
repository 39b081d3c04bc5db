const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Makes text safe to put inside one log line: CR, LF, tabs and every other control
 * character become visible escapes, so user or model text can never start a new entry.
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL_CHARS, (ch) => NAMED[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
