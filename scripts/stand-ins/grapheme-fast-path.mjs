// Stands in for Intl.Segmenter in the bundle (scripts/bundle.mjs replaces `Intl.Segmenter` with it).
// Ink's output (slice-ansi, @alcalzone/ansi-tokenize) builds a grapheme segmenter as it loads, and
// the first Intl object of a process builds V8's list of every locale ICU has: about 7 ms, a
// fifth of the instructions before the first frame on Node 24. Text in which every UTF-16 unit
// is a grapheme of its own (the one-column characters of the string-width fast path, and the
// control characters of escape codes but CR, which joins a following LF) is segmented here;
// any other text, locale or granularity goes to a real Intl.Segmenter, made when first needed.
import { isOneColumnEach } from './string-width-fast-path.mjs';

const CONTROLS = /[\u0000-\u000C\u000E-\u001F\u007F]/g;
// Through globalThis: the bundle's replacement of `Intl.Segmenter` leaves this one the real one.
const { Segmenter } = globalThis.Intl;

/** True when each UTF-16 unit of `text` is a grapheme cluster by itself, whatever its neighbours. */
export function isOneUnitEach(text) {
  return isOneColumnEach(text.replace(CONTROLS, ''));
}

/** The segments of `input`, one a unit, as Intl.Segmenter's segment() returns them. */
class UnitSegments {
  #input;

  constructor(input) {
    this.#input = input;
  }

  containing(index) {
    const at = Math.trunc(Number(index)) || 0;
    if (at < 0 || at >= this.#input.length) return undefined;
    return { segment: this.#input[at], index: at, input: this.#input };
  }

  *[Symbol.iterator]() {
    const input = this.#input;
    for (let index = 0; index < input.length; index++) yield { segment: input[index], index, input };
  }
}

export class GraphemeSegmenter {
  #real;

  constructor(locales, options) {
    // Anything but the default locale's graphemes is Intl.Segmenter's own, from the start.
    if (locales !== undefined || (options !== undefined && (Object.keys(options).length !== 1 || options.granularity !== 'grapheme'))) {
      // biome-ignore lint/correctness/noConstructorReturn: the real segmenter, in place of this one
      return new Segmenter(locales, options);
    }
  }

  #segmenter() {
    this.#real ??= new Segmenter(undefined, { granularity: 'grapheme' });
    return this.#real;
  }

  segment(input) {
    const text = String(input);
    return isOneUnitEach(text) ? new UnitSegments(text) : this.#segmenter().segment(text);
  }

  resolvedOptions() {
    return this.#segmenter().resolvedOptions();
  }
}
