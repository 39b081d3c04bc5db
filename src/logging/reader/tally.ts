/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[nearestRankIndex(sorted.length, p)] as number;
}

/** Where the p-th percentile of `n` sorted values is (nearest rank, from 0); n > 0. */
export function nearestRankIndex(n: number, p: number): number {
  return Math.min(n, Math.max(1, Math.ceil((p / 100) * n))) - 1;
}

/** A list of numbers that grows, kept in a Float64Array (no boxed numbers, one copy to send). */
export class Numbers {
  private data = new Float64Array(16);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = value;
  }

  pushAll(values: Float64Array): void {
    if (this.length + values.length > this.data.length) this.grow(this.length + values.length);
    this.data.set(values, this.length);
    this.length += values.length;
  }

  /** The numbers, as a view of the list (valid until the next push). */
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }

  /** The numbers, as a copy of their own. */
  copy(): Float64Array {
    return this.data.slice(0, this.length);
  }

  private grow(needed: number): void {
    const data = new Float64Array(Math.max(needed, this.data.length * 2));
    data.set(this.view());
    this.data = data;
  }
}

/** A Tally as plain data: the count of each hundredth of a second, and the other values as they are. */
export interface TallyPartial {
  hundredths: Uint32Array;
  others: Float64Array;
}

/** Values of whole hundredths from 0 up to this many are counted in slots (up to 10,000 s). */
const SLOTS = 1_000_000;

/**
 * Seconds as logs write them (`1.45s`), tallied: a value of whole hundredths of a second, from 0
 * to 10,000 s, is counted in the slot of its hundredths; any other is kept as it is. Percentiles
 * are exact (nearest rank, as `percentile` of the values sorted gives; -0 is read as 0), and a
 * million call durations take a few kilobytes to keep, to send from a thread and to merge.
 */
export class Tally {
  private hundredths = new Uint32Array(0);
  private readonly others = new Numbers();
  /** The other values sorted, once for all the percentiles asked of them (undefined after one more is added). */
  private sortedOthers: Float64Array | undefined;
  length = 0;

  push(value: number): void {
    const slot = Math.round(value * 100);
    // slot / 100 is the double nearest the decimal, as the value read from its text is.
    if (slot >= 0 && slot < SLOTS && slot / 100 === value) {
      if (slot >= this.hundredths.length) this.grow(slot + 1);
      (this.hundredths[slot] as number)++;
    } else {
      this.others.push(value);
      this.sortedOthers = undefined;
    }
    this.length++;
  }

  /** Adds another tally's values (as its partial). */
  add(partial: TallyPartial): void {
    const { hundredths, others } = partial;
    if (hundredths.length > this.hundredths.length) this.grow(hundredths.length);
    let counted = 0;
    for (let slot = 0; slot < hundredths.length; slot++) {
      const n = hundredths[slot] as number;
      if (n !== 0) {
        (this.hundredths[slot] as number) += n;
        counted += n;
      }
    }
    this.others.pushAll(others);
    if (others.length > 0) this.sortedOthers = undefined;
    this.length += counted + others.length;
  }

  toPartial(): TallyPartial {
    return { hundredths: this.hundredths.slice(), others: this.others.copy() };
  }

  percentile(p: number): number {
    if (this.length === 0) return Number.NaN;
    return this.nth(nearestRankIndex(this.length, p));
  }

  max(): number {
    return this.percentile(100);
  }

  /** Adds to counts[i] the values in bucket i, the buckets given by their upper bounds (ascending; a value at a bound is in the next). */
  histogramInto(bounds: number[], counts: number[]): void {
    const bucketOf = (value: number) => {
      const i = bounds.findIndex((bound) => value < bound);
      return i === -1 ? bounds.length - 1 : i;
    };
    for (let slot = 0; slot < this.hundredths.length; slot++) {
      const n = this.hundredths[slot] as number;
      if (n !== 0) (counts[bucketOf(slot / 100)] as number) += n;
    }
    for (const value of this.others.view()) (counts[bucketOf(value)] as number)++;
  }

  /** The k-th smallest value (from 0): the slots and the other values, sorted, walked together. */
  private nth(k: number): number {
    this.sortedOthers ??= this.others.copy().sort();
    const others = this.sortedOthers;
    let seen = 0;
    let o = 0;
    for (let slot = 0; slot < this.hundredths.length; slot++) {
      const n = this.hundredths[slot] as number;
      if (n === 0) continue;
      const value = slot / 100;
      for (; o < others.length && (others[o] as number) < value; o++, seen++) if (seen === k) return (others[o] as number) + 0;
      if (k < seen + n) return value;
      seen += n;
    }
    return (others[o + k - seen] as number) + 0;
  }

  private grow(needed: number): void {
    const grown = new Uint32Array(Math.min(SLOTS, Math.max(needed, this.hundredths.length * 2, 256)));
    grown.set(this.hundredths);
    this.hundredths = grown;
  }
}
