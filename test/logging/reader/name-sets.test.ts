import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BitSet, NameNumbers } from '../../../src/logging/reader/name-sets.js';

describe('BitSet: the numbers of named players and games', () => {
  const numbers = fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 200 });

  it('holds what a Set of the same numbers holds, joined and sent as its words (fast-check)', () => {
    fc.assert(
      fc.property(numbers, numbers, (first, second) => {
        const a = new BitSet();
        for (const n of first) a.add(n);
        const b = new BitSet(structuredClone(new BitSet().toWords()));
        for (const n of second) b.add(n);
        const joined = new BitSet(structuredClone(a.toWords()));
        joined.addAll(b);
        const expected = [...new Set([...first, ...second])].sort((x, y) => x - y);
        const seen: number[] = [];
        joined.forEach((n) => {
          seen.push(n);
        });
        expect(seen).toEqual(expected);
        expect(joined.size).toBe(expected.length);
        expect(a.size).toBe(new Set(first).size);
      }),
      { numRuns: 300 },
    );
  });

  it('counts the 32nd bit of a word (the sign bit) like any other', () => {
    const set = new BitSet();
    for (const n of [31, 63, 0]) set.add(n);
    const seen: number[] = [];
    set.forEach((n) => {
      seen.push(n);
    });
    expect(seen).toEqual([0, 31, 63]);
    expect(set.size).toBe(3);
  });

  it('numbers names in the order first given', () => {
    const names = new NameNumbers();
    expect(['bob', 'alice', 'bob'].map((name) => names.numberOf(name))).toEqual([0, 1, 0]);
    expect(names.names).toEqual(['bob', 'alice']);
  });
});
