import { UserFacingError } from '../../config/errors.js';

/**
 * A search run over a whole chunk of the log at once, found on the bytes: what the scanner jumps
 * between instead of reading each entry.
 * - `bytes`: a literal, found with Buffer.indexOf.
 * - `regex`: a regular expression run over the chunk read as latin1 (one character per byte, so
 *   its indexes are byte offsets); global, and sticky never.
 *
 * `exact` says what a hit proves. True: an entry holding the whole hit (it ends before the entry
 * does) matches the condition the finder was made for, without decoding it. False: only entries
 * with a hit can match, and each is checked the slow way.
 */
export type Finder = BytesFinder | { kind: 'regex'; regex: RegExp; exact: boolean };

/**
 * A literal, and the part of it searched for first (`probe`, at `probeAt` in the needle): Buffer.indexOf
 * runs fastest when the first byte of what it looks for is rare in the text (it jumps between its
 * occurrences natively), and slowly when that byte is everywhere (a digit, a space, `:`). The probe
 * starts at the needle's rarest byte (`: s000bce` is looked for as `bce`), and each of its hits is
 * checked for the whole needle.
 */
export interface BytesFinder {
  kind: 'bytes';
  needle: Buffer;
  probe: Buffer;
  probeAt: number;
  exact: boolean;
}

/** Bytes found in nearly every line of a log: its digits, the punctuation of its format, the commonest letters. */
const COMMON_BYTES = new Set(Buffer.from(' 0123456789:,-[]().\n_etaoinsr'));
const FAIRLY_COMMON_BYTES = new Set(Buffer.from('cdlmu'));
/** Node's indexOf searches a needle shorter than this by its first byte (longer ones by a skip table). */
const PROBE_LENGTH = 6;
const MIN_PROBE_LENGTH = 3;

function rarity(byte: number): number {
  if (COMMON_BYTES.has(byte)) return 0;
  return FAIRLY_COMMON_BYTES.has(byte) ? 1 : 2;
}

export function bytesFinder(text: string, exact: boolean): BytesFinder {
  const needle = Buffer.from(text);
  let probeAt = 0;
  for (let i = 1; i <= needle.length - MIN_PROBE_LENGTH; i++) if (rarity(needle[i] as number) > rarity(needle[probeAt] as number)) probeAt = i;
  const probe = probeAt === 0 && needle.length <= PROBE_LENGTH ? needle : needle.subarray(probeAt, probeAt + PROBE_LENGTH);
  return { kind: 'bytes', needle, probe, probeAt, exact };
}

/** Where the finder's needle is next in `buf` at or after `from`, or -1. */
export function findNeedle(buf: Buffer, finder: BytesFinder, from: number): number {
  const { needle, probe, probeAt } = finder;
  if (probe === needle) return buf.indexOf(needle, from);
  for (let at = buf.indexOf(probe, from + probeAt); at !== -1; at = buf.indexOf(probe, at + 1)) {
    const start = at - probeAt;
    if (holdsAt(buf, start, needle)) return start;
  }
  return -1;
}

function holdsAt(buf: Buffer, start: number, needle: Buffer): boolean {
  if (start + needle.length > buf.length) return false;
  for (let i = 0; i < needle.length; i++) if (buf[start + i] !== needle[i]) return false;
  return true;
}

export interface CompiledPattern {
  test(text: string): boolean;
  /** How to find the pattern across a chunk, when it can be found that way. */
  finder: Finder | undefined;
}

const escapeRegex = (text: string) => text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');

/** A regex source matching ASCII text without regard to case, each letter a class (`[cC]`): faster than the `i` flag. */
export function caseless(text: string): string {
  return [...text].map((ch) => (/[a-z]/i.test(ch) ? `[${ch.toLowerCase()}${ch.toUpperCase()}]` : escapeRegex(ch))).join('');
}
const isAscii = (text: string) => /^[\x20-\x7e]*$/.test(text);

/**
 * Constructs that can match differently when the chunk is read as latin1 (a UTF-8 character
 * becomes two to four characters) or across entries: any character, negated or Unicode-aware
 * classes, anchors, look-arounds, code-point escapes and back-references.
 */
const BYTE_UNSAFE = /\\\\|\\[WSDsdbBpPuxc0-9kn]|\\$|\[\^|(?<!\\)\.|[\^$]|\(\?[=!<]/;
/** `.*` and `.+`, lazy or not: on latin1 text they match every string they match on UTF-8 text, and more. */
const ANY_RUN = /(?<!\\)\.[*+]\??/g;

/**
 * The finder for a regular expression, when reading the chunk as latin1 cannot miss an entry it
 * matches. A pattern of printable ASCII without the constructs above matches the same bytes either
 * way (exact); one whose only such constructs are `.*`/`.+` finds a superset (checked afterwards).
 * `\d` and `\b` are safe (ASCII-only without the `u` flag) but are left out with the rest: they
 * are rare in log searches and not worth the proof.
 */
function regexFinder(pattern: string, ignoreCase: boolean): Finder | undefined {
  if (!isAscii(pattern)) return undefined;
  const flags = ignoreCase ? 'gi' : 'g';
  if (!BYTE_UNSAFE.test(pattern)) return { kind: 'regex', regex: new RegExp(pattern, flags), exact: true };
  const withoutRuns = pattern.replace(ANY_RUN, '');
  if (!BYTE_UNSAFE.test(withoutRuns)) return { kind: 'regex', regex: new RegExp(pattern, flags), exact: false };
  return undefined;
}

function fixedFinder(pattern: string, ignoreCase: boolean): Finder | undefined {
  if (!ignoreCase) return /[\r\n]/.test(pattern) ? undefined : bytesFinder(pattern, true);
  return isAscii(pattern) ? { kind: 'regex', regex: new RegExp(caseless(pattern), 'g'), exact: true } : undefined;
}

export function compilePattern(pattern: string | undefined, ignoreCase = false, fixedString = false): CompiledPattern | undefined {
  if (pattern === undefined || pattern === '') return undefined;
  if (fixedString) {
    const finder = fixedFinder(pattern, ignoreCase);
    if (!ignoreCase) return { test: (text) => text.includes(pattern), finder };
    // The `i` flag's case folding, as -i with a regular expression: ASCII letters fold, `İ` is not `i`.
    const caseless = new RegExp(escapeRegex(pattern), 'i');
    return { test: (text) => caseless.test(text), finder };
  }
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, ignoreCase ? 'i' : '');
  } catch (error) {
    throw new UserFacingError(`Invalid pattern ${JSON.stringify(pattern)}: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}.`);
  }
  return { test: (text) => regex.test(text), finder: regexFinder(pattern, ignoreCase) };
}

/** A latin1 regex source for a literal (as bytes: UTF-8 text becomes its latin1 reading). */
export function literalSource(text: string): string {
  return escapeRegex(Buffer.from(text, 'utf8').toString('latin1'));
}

/**
 * A regex source matching the decimal integers ≥ `n` (no leading zeros): more digits than `n`
 * has, or as many and larger at the first digit where they differ.
 */
export function integerAtLeast(n: number): string {
  // Past 10^15 the candidates are the numbers of 16 digits or more: a superset, each checked.
  const digits = n >= 1e15 ? '1000000000000000' : String(Math.max(0, Math.floor(n)));
  if (digits === '0') return '\\d+';
  const alternatives = [`[1-9]\\d{${digits.length},}`, digits];
  for (let i = 0; i < digits.length; i++) {
    const d = Number(digits[i]);
    if (d === 9) continue;
    alternatives.push(`${digits.slice(0, i)}[${d + 1}-9]${digits.length - i - 1 > 0 ? `\\d{${digits.length - i - 1}}` : ''}`);
  }
  return `(?:${alternatives.join('|')})`;
}
