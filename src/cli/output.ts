import { BIDI_RANGE, sanitizeText, unicodeEscape } from '../llm/sanitize.js';

/**
 * Every CLI command's standard output goes through here, the last step before the terminal:
 * whatever a record holds (a scenario imported, a state the model wrote), no escape sequence,
 * control character or bidi control reaches it.
 */
export function printOut(text: string): void {
  process.stdout.write(sanitizeText(text));
}

/** Characters JSON.stringify leaves as they are that a terminal would act on. */
const BIDI = new RegExp(`[${BIDI_RANGE}]`, 'g');

/** JSON on standard output: control characters are escaped by JSON itself, bidi controls here. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2).replace(BIDI, unicodeEscape)}\n`);
}
