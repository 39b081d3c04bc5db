/**
 * Sets of names (the players and games of an hour) kept as bits over numbered names: a log of a
 * week names thousands of games in each of its hundred and more hours, and a set of strings per
 * hour was most of what a stats thread sent and most of what the merge did.
 */

/** Names numbered in the order first given. */
export class NameNumbers {
  private readonly numbers = new Map<string, number>();
  readonly names: string[] = [];

  numberOf(name: string): number {
    let n = this.numbers.get(name);
    if (n === undefined) {
      n = this.names.length;
      this.names.push(name);
      this.numbers.set(name, n);
    }
    return n;
  }
}

/** A set of small whole numbers, one bit each. */
export class BitSet {
  constructor(private words: Uint32Array = new Uint32Array(4)) {}

  add(n: number): void {
    const word = n >>> 5;
    if (word >= this.words.length) this.grow(word + 1);
    (this.words[word] as number) |= 1 << (n & 31);
  }

  /** Adds every number of `other`. */
  addAll(other: BitSet): void {
    const { words } = other;
    if (words.length > this.words.length) this.grow(words.length);
    for (let i = 0; i < words.length; i++) (this.words[i] as number) |= words[i] as number;
  }

  get size(): number {
    let count = 0;
    for (let i = 0; i < this.words.length; i++) count += bitsIn(this.words[i] as number);
    return count;
  }

  /** Calls `visit` with each number of the set, in order. */
  forEach(visit: (n: number) => void): void {
    for (let i = 0; i < this.words.length; i++) {
      for (let word = this.words[i] as number; word !== 0; word &= word - 1) visit(i * 32 + 31 - Math.clz32(word & -word));
    }
  }

  /** The set as plain data (a copy of its words). */
  toWords(): Uint32Array {
    return this.words.slice();
  }

  private grow(needed: number): void {
    const grown = new Uint32Array(Math.max(needed, this.words.length * 2));
    grown.set(this.words);
    this.words = grown;
  }
}

function bitsIn(word: number): number {
  let w = word - ((word >>> 1) & 0x55555555);
  w = (w & 0x33333333) + ((w >>> 2) & 0x33333333);
  return Math.imul((w + (w >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
