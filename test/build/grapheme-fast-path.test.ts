import { describe, expect, it } from 'vitest';
import { GraphemeSegmenter, isOneUnitEach } from '../../scripts/stand-ins/grapheme-fast-path.mjs';

const real = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const segmentsOf = (segments: Iterable<Intl.SegmentData>) => [...segments].map(({ segment, index, input }) => ({ segment, index, input }));

/** Every UTF-16 unit the stand-in segments by itself. */
const units = Array.from({ length: 0x10000 }, (_, code) => String.fromCharCode(code)).filter((unit) => isOneUnitEach(unit));

/** A small seeded generator, so that a failure can be reproduced. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('the grapheme segmenter the bundle puts in place of Intl.Segmenter', () => {
  it('takes printable ASCII, Latin, box drawing and the control characters of escape codes, but not CR', () => {
    for (const unit of [' ', 'a', '~', 'é', '─', '╭', '…', '\u001B', '\n', '\t']) expect(isOneUnitEach(unit), JSON.stringify(unit)).toBe(true);
    for (const unit of ['\r', '\u0301', '\u200D', '\uFE0F', '謎', '\uD83D', '\u00AD', '\u1100']) expect(isOneUnitEach(unit), JSON.stringify(unit)).toBe(false);
    expect(units.length).toBeGreaterThan(800);
  });

  it('agrees with Intl.Segmenter that each of those units is a grapheme by itself beside any other', () => {
    // Every ordered pair of them meets in one of these strings; a rule joining two would show.
    for (const first of units) {
      const text = units.map((second) => first + second).join('');
      const joined = segmentsOf(real.segment(text)).filter(({ segment }) => segment.length !== 1);
      expect(
        joined.map(({ segment }) => segment),
        JSON.stringify(first),
      ).toEqual([]);
    }
  });

  it('segments mixed text, escape codes and emoji included, as Intl.Segmenter does, whole and at every index', () => {
    const next = random(7);
    const pieces = [
      ...units.filter((_, index) => index % 5 === 0),
      '\u001B[1m',
      '\u001B[39m',
      '\r\n',
      '謎',
      '👍🏽',
      'e\u0301',
      '👨‍👩‍👧',
      '🇫🇷',
      '\u1100\u1161',
      '\u00AD',
    ];
    const segmenter = new GraphemeSegmenter(undefined, { granularity: 'grapheme' });
    for (let sample = 0; sample < 1000; sample++) {
      const text = Array.from({ length: 1 + Math.floor(next() * 20) }, () => pieces[Math.floor(next() * pieces.length)]).join('');
      expect(segmentsOf(segmenter.segment(text)), JSON.stringify(text)).toEqual(segmentsOf(real.segment(text)));
      const [ours, theirs] = [segmenter.segment(text), real.segment(text)];
      for (let index = -1; index <= text.length; index++)
        expect(ours.containing(index), `${JSON.stringify(text)} at ${index}`).toEqual(theirs.containing(index));
    }
  });

  it('finds the segment at an index as Intl.Segmenter does, the index converted the same way', () => {
    const text = 'Log in \u001B[1m─╮';
    const [ours, theirs] = [new GraphemeSegmenter().segment(text), real.segment(text)];
    for (const index of [undefined, Number.NaN, 1.7, -0.5, '3', text.length, Number.POSITIVE_INFINITY, -1]) {
      expect(ours.containing(index as number), String(index)).toEqual(theirs.containing(index as number));
    }
  });

  it('leaves other locales and granularities to Intl.Segmenter itself', () => {
    const words = new GraphemeSegmenter('en', { granularity: 'word' });
    expect(words).toBeInstanceOf(Intl.Segmenter);
    expect(segmentsOf(words.segment('Log in')).map(({ segment }) => segment)).toEqual(['Log', ' ', 'in']);
    expect(new GraphemeSegmenter().resolvedOptions()).toEqual(real.resolvedOptions());
  });
});
