/**
 * A DDSketch (Masson, Rim, Lee, VLDB 2019) for non-negative values: logarithmic buckets with a fixed
 * 1% relative accuracy, counts in a dense array over the occupied key range. Merging two sketches adds
 * bucket counts, so merges across windows, models and targets are exact (the result is the sketch of
 * all the values), and so is subtracting a part merged in before (the sliding windows use that).
 *
 * Written here rather than taken from @datadog/sketches-js 2.1.1: its serialisation needs protobufjs,
 * which it does not declare, `fromProto` drops sum, min and max, and `merge` ignores negative values;
 * the sketch itself is small, and this one keeps counts in a typed array sized to what it holds and
 * can subtract.
 */

/** Every quantile is within this fraction of the exact value at its rank. */
export const RELATIVE_ACCURACY = 0.01;
/** Values at or below this count as zero (1 µs for milliseconds). */
export const MIN_INDEXABLE = 1e-3;
/** Values above this are clamped to it (about 31 years in milliseconds); keeps the key range bounded. */
export const MAX_INDEXABLE = 1e12;

const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const INV_LN_GAMMA = 1 / Math.log(GAMMA);
const LN_GAMMA = Math.log(GAMMA);
/** A bucket (gamma^(k-1), gamma^k] is represented by 2 gamma^k / (gamma + 1): error <= RELATIVE_ACCURACY. */
const VALUE_FACTOR = 2 / (1 + GAMMA);
const INITIAL_BINS = 16;
const EMPTY = new Uint32Array(0);

/** The key of values counted as zero (below any real key). */
export const ZERO_KEY = -0x40000000;

/**
 * The bucket key of `value` for `addKeyed`, the same for every sketch (they share one mapping); throws
 * RangeError for NaN, infinities and negatives. Keys stay within +-1800; `| 0` also turns -0 into 0.
 */
export function bucketKey(value: number): number {
  if (!(value >= 0) || value === Number.POSITIVE_INFINITY) {
    throw new RangeError(`sketch values must be finite and >= 0, got ${value}`);
  }
  if (value <= MIN_INDEXABLE) return ZERO_KEY;
  return Math.ceil(Math.log(Math.min(value, MAX_INDEXABLE)) * INV_LN_GAMMA) | 0;
}

function bucketValue(key: number): number {
  return Math.exp(key * LN_GAMMA) * VALUE_FACTOR;
}

/** The plain-data form of a sketch, for storage or sharing between processes. */
export interface SketchData {
  readonly relativeAccuracy: number;
  readonly count: number;
  readonly zeroCount: number;
  readonly sum: number;
  readonly min: number | null;
  readonly max: number | null;
  /** Key of `counts[0]`. */
  readonly minKey: number;
  readonly counts: readonly number[];
}

export class QuantileSketch {
  /** Number of values added (including zeros). */
  count = 0;
  zeroCount = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  private bins: Uint32Array = EMPTY;
  /** Key of `bins[0]`. */
  private offset = 0;
  /** Occupied key range; empty when minKey > maxKey. */
  private minKey = Number.MAX_SAFE_INTEGER;
  private maxKey = Number.MIN_SAFE_INTEGER;

  /** Adds one value; it must be finite and >= 0 (throws RangeError otherwise). */
  add(value: number): void {
    this.addKeyed(value, bucketKey(value));
  }

  /**
   * Adds `value` whose key `bucketKey(value)` the caller computed already (one logarithm for several
   * sketches of the same value).
   */
  addKeyed(value: number, key: number): void {
    this.count += 1;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (key === ZERO_KEY) {
      this.zeroCount += 1;
      return;
    }
    if (key < this.offset || key >= this.offset + this.bins.length) this.extend(key, key);
    this.bins[key - this.offset]! += 1;
    if (key < this.minKey) this.minKey = key;
    if (key > this.maxKey) this.maxKey = key;
  }

  /** Adds every value of `other` to this sketch. */
  merge(other: QuantileSketch): void {
    if (other.count === 0) return;
    this.count += other.count;
    this.zeroCount += other.zeroCount;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    if (other.minKey > other.maxKey) return;
    if (other.minKey < this.offset || other.maxKey >= this.offset + this.bins.length) {
      this.extend(other.minKey, other.maxKey);
    }
    const from = other.bins;
    const shift = other.offset - this.offset;
    const bins = this.bins;
    for (let i = other.minKey - other.offset, end = other.maxKey - other.offset; i <= end; i++) {
      const c = from[i]!;
      if (c !== 0) bins[i + shift]! += c;
    }
    if (other.minKey < this.minKey) this.minKey = other.minKey;
    if (other.maxKey > this.maxKey) this.maxKey = other.maxKey;
  }

  /**
   * The value at quantile `q` (0..1), within 1% of the exact value at rank floor(q * (count - 1)); exactly
   * the min at 0 and the max at 1; NaN when empty.
   */
  quantile(q: number): number {
    const out = [Number.NaN];
    this.quantilesInto([q], out);
    return out[0]!;
  }

  /**
   * Several quantiles in one pass; `qs` must be ascending. Results are clamped to [min, max], which keeps
   * them within the error bound and never shows a p99 above the max.
   */
  quantilesInto(qs: readonly number[], out: number[]): void {
    if (this.count === 0) {
      for (let j = 0; j < qs.length; j++) out[j] = Number.NaN;
      return;
    }
    let j = 0;
    for (; j < qs.length && qs[j]! <= 0; j++) out[j] = this.min;
    let cumulative = this.zeroCount;
    for (; j < qs.length && qs[j]! * (this.count - 1) < cumulative; j++) out[j] = this.clamp(0);
    for (let key = this.minKey; key <= this.maxKey && j < qs.length; key++) {
      cumulative += this.bins[key - this.offset]!;
      while (j < qs.length && qs[j]! < 1 && qs[j]! * (this.count - 1) < cumulative) {
        out[j] = this.clamp(bucketValue(key));
        j++;
      }
    }
    for (; j < qs.length; j++) out[j] = this.max;
  }

  /**
   * Removes the values of `other`, which must have been merged (or added) into this sketch before.
   * Bucket counts are integers, so this is exact. `min` and `max` cannot be undone from counts: they
   * stay as bounds until `setMinMax` sets them (from the parts that remain).
   */
  subtract(other: QuantileSketch): void {
    if (other.count === 0) return;
    if (other.count >= this.count) {
      this.reset();
      return;
    }
    this.count -= other.count;
    this.zeroCount -= other.zeroCount;
    this.sum -= other.sum;
    if (other.minKey > other.maxKey) return;
    const from = other.bins;
    const shift = other.offset - this.offset;
    const bins = this.bins;
    for (let i = other.minKey - other.offset, end = other.maxKey - other.offset; i <= end; i++) {
      const c = from[i]!;
      if (c !== 0) bins[i + shift]! -= c;
    }
    while (this.minKey <= this.maxKey && bins[this.minKey - this.offset] === 0) this.minKey++;
    while (this.maxKey >= this.minKey && bins[this.maxKey - this.offset] === 0) this.maxKey--;
    if (this.minKey > this.maxKey) {
      this.minKey = Number.MAX_SAFE_INTEGER;
      this.maxKey = Number.MIN_SAFE_INTEGER;
    }
  }

  /** Sets the exact extremes after `subtract`, e.g. the min and max over the parts still merged in. */
  setMinMax(min: number, max: number): void {
    this.min = min;
    this.max = max;
  }

  /** Empties the sketch, keeping its buffer for reuse. */
  reset(): void {
    if (this.minKey <= this.maxKey)
      this.bins.fill(0, this.minKey - this.offset, this.maxKey - this.offset + 1);
    this.minKey = Number.MAX_SAFE_INTEGER;
    this.maxKey = Number.MIN_SAFE_INTEGER;
    this.count = 0;
    this.zeroCount = 0;
    this.sum = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = Number.NEGATIVE_INFINITY;
  }

  clone(): QuantileSketch {
    const copy = new QuantileSketch();
    copy.merge(this);
    return copy;
  }

  toData(): SketchData {
    const empty = this.minKey > this.maxKey;
    return {
      relativeAccuracy: RELATIVE_ACCURACY,
      count: this.count,
      zeroCount: this.zeroCount,
      sum: this.sum,
      min: this.count === 0 ? null : this.min,
      max: this.count === 0 ? null : this.max,
      minKey: empty ? 0 : this.minKey,
      counts: empty
        ? []
        : Array.from(this.bins.subarray(this.minKey - this.offset, this.maxKey - this.offset + 1)),
    };
  }

  /** Rebuilds a sketch from `toData()`; throws RangeError when the data is inconsistent. */
  static fromData(data: SketchData): QuantileSketch {
    if (data.relativeAccuracy !== RELATIVE_ACCURACY) {
      throw new RangeError(`sketch accuracy ${data.relativeAccuracy} cannot merge with ${RELATIVE_ACCURACY}`);
    }
    const binned = data.counts.reduce((a, b) => a + b, 0);
    if (binned + data.zeroCount !== data.count || data.counts.some((c) => !Number.isInteger(c) || c < 0)) {
      throw new RangeError('sketch data counts do not add up');
    }
    const lowest = bucketKey(MIN_INDEXABLE * GAMMA);
    const highest = bucketKey(MAX_INDEXABLE);
    if (
      !Number.isInteger(data.minKey) ||
      data.minKey < lowest ||
      data.minKey + data.counts.length - 1 > highest
    ) {
      throw new RangeError(`sketch data keys out of range [${lowest}, ${highest}]`);
    }
    const sketch = new QuantileSketch();
    sketch.count = data.count;
    sketch.zeroCount = data.zeroCount;
    sketch.sum = data.sum;
    sketch.min = data.min ?? Number.POSITIVE_INFINITY;
    sketch.max = data.max ?? Number.NEGATIVE_INFINITY;
    let first = -1;
    let last = -1;
    data.counts.forEach((c, i) => {
      if (c === 0) return;
      if (first < 0) first = i;
      last = i;
    });
    if (first < 0) return sketch;
    sketch.bins = Uint32Array.from(data.counts.slice(first, last + 1));
    sketch.offset = data.minKey + first;
    sketch.minKey = sketch.offset;
    sketch.maxKey = data.minKey + last;
    return sketch;
  }

  /** Bytes held by the bucket array (for memory accounting). */
  get binBytes(): number {
    return this.bins.byteLength;
  }

  private clamp(value: number): number {
    return Math.max(this.min, Math.min(value, this.max));
  }

  /** Grows the bucket array to cover [lo, hi] and what it holds, with room on the side it grew. */
  private extend(lo: number, hi: number): void {
    const occupied = this.minKey <= this.maxKey;
    const newLo = occupied ? Math.min(lo, this.minKey) : lo;
    const newHi = occupied ? Math.max(hi, this.maxKey) : hi;
    const needed = newHi - newLo + 1;
    if (!occupied && this.bins.length >= needed) {
      // Empty but allocated (after reset): recentre the existing buffer.
      this.offset = newLo - ((this.bins.length - needed) >> 1);
      return;
    }
    // Room to grow: values in one stream cluster, so half again (at least 16 bins) saves most regrowths.
    const length = needed + Math.max(INITIAL_BINS, needed >> 1);
    const slack = length - needed;
    const bins = new Uint32Array(length);
    const grewDown = occupied && newLo < this.minKey;
    const grewUp = occupied && newHi > this.maxKey;
    const below = grewDown && !grewUp ? slack : grewUp && !grewDown ? 0 : slack >> 1;
    const offset = newLo - below;
    if (occupied) {
      bins.set(
        this.bins.subarray(this.minKey - this.offset, this.maxKey - this.offset + 1),
        this.minKey - offset,
      );
    }
    this.bins = bins;
    this.offset = offset;
  }
}
