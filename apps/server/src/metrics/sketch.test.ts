import { describe, expect, it } from 'vitest';
import { seeded } from './call-script.ts';
import { MAX_INDEXABLE, QuantileSketch, RELATIVE_ACCURACY } from './sketch.ts';

/** The exact value at the rank the sketch estimates: floor(q * (n - 1)) of the sorted values. */
function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

const QS = [0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1];

function expectWithinAccuracy(values: number[], sketch: QuantileSketch): void {
  const sorted = [...values].sort((a, b) => a - b);
  const out: number[] = [];
  sketch.quantilesInto(QS, out);
  QS.forEach((q, i) => {
    const exact = exactQuantile(sorted, q);
    const estimate = out[i]!;
    expect(Math.abs(estimate - exact), `q=${q} exact=${exact} estimate=${estimate}`).toBeLessThanOrEqual(
      RELATIVE_ACCURACY * exact + 1e-9,
    );
    expect(sketch.quantile(q)).toBe(estimate);
  });
}

describe('QuantileSketch', () => {
  const random = seeded(42);
  const distributions: Record<string, () => number> = {
    'log-uniform 1 ms .. 100 s': () => Math.exp(Math.log(1) + random() * Math.log(100_000)),
    'uniform 200..250 ms': () => 200 + random() * 50,
    'long tail (pareto)': () => 50 / (1 - random()) ** 0.8,
    'tokens per second 5..120': () => 5 + random() * 115,
    'with zeros (queue waits)': () => (random() < 0.6 ? 0 : random() * 30_000),
  };

  for (const [name, draw] of Object.entries(distributions)) {
    it(`keeps every quantile within 1% of the exact value: ${name}`, () => {
      const values = Array.from({ length: 20_000 }, draw);
      const sketch = new QuantileSketch();
      for (const v of values) sketch.add(v);
      expectWithinAccuracy(values, sketch);
      expect(sketch.count).toBe(values.length);
      expect(sketch.max).toBe(Math.max(...values));
      expect(sketch.min).toBe(Math.min(...values));
      expect(sketch.sum).toBeCloseTo(
        values.reduce((a, b) => a + b, 0),
        3,
      );
    });
  }

  it('is exact for known small sets at the bucket level (p50 of 1..100 ms)', () => {
    const sketch = new QuantileSketch();
    for (let i = 1; i <= 100; i++) sketch.add(i);
    expect(Math.abs(sketch.quantile(0.5) - 50) / 50).toBeLessThanOrEqual(RELATIVE_ACCURACY);
    expect(Math.abs(sketch.quantile(0.95) - 95) / 95).toBeLessThanOrEqual(RELATIVE_ACCURACY);
    expect(Math.abs(sketch.quantile(0.99) - 99) / 99).toBeLessThanOrEqual(RELATIVE_ACCURACY);
    expect(sketch.quantile(1)).toBe(100);
    expect(sketch.quantile(0)).toBe(1);
  });

  it('merges exactly: the merge of parts equals the sketch of all values', () => {
    const random2 = seeded(7);
    const parts = [0, 1, 2, 3].map((p) =>
      Array.from({ length: 500 + p * 300 }, () => 10 ** (p + random2() * 2)),
    );
    const whole = new QuantileSketch();
    for (const v of parts.flat()) whole.add(v);
    const merged = new QuantileSketch();
    for (const part of parts) {
      const s = new QuantileSketch();
      for (const v of part) s.add(v);
      merged.merge(s);
    }
    const a = whole.toData();
    const b = merged.toData();
    expect({ ...b, sum: 0 }).toEqual({ ...a, sum: 0 });
    expect(b.sum).toBeCloseTo(a.sum, 6);
    expectWithinAccuracy(parts.flat(), merged);
  });

  it('merging an empty sketch changes nothing, and merging into an empty one copies', () => {
    const s = new QuantileSketch();
    for (const v of [3, 30, 300]) s.add(v);
    const before = s.toData();
    s.merge(new QuantileSketch());
    expect(s.toData()).toEqual(before);
    const copy = new QuantileSketch();
    copy.merge(s);
    expect(copy.toData()).toEqual(before);
    expect(s.clone().toData()).toEqual(before);
  });

  it('round-trips through its plain data form', () => {
    const s = new QuantileSketch();
    for (const v of [0, 0.5, 2, 2, 900, 12_345.6]) s.add(v);
    const data = JSON.parse(JSON.stringify(s.toData()));
    const back = QuantileSketch.fromData(data);
    expect(back.toData()).toEqual(s.toData());
    expect(back.quantile(0.9)).toBe(s.quantile(0.9));
    const empty = QuantileSketch.fromData(new QuantileSketch().toData());
    expect(empty.count).toBe(0);
    expect(Number.isNaN(empty.quantile(0.5))).toBe(true);
  });

  it('rejects inconsistent data and a different accuracy', () => {
    const data = new QuantileSketch().toData();
    expect(() => QuantileSketch.fromData({ ...data, count: 3 })).toThrow(/do not add up/);
    expect(() => QuantileSketch.fromData({ ...data, relativeAccuracy: 0.02 })).toThrow(RangeError);
    expect(() => QuantileSketch.fromData({ ...data, count: 1, minKey: 5000, counts: [1] })).toThrow(
      /out of range/,
    );
    expect(() => QuantileSketch.fromData({ ...data, count: 1, minKey: 1.5, counts: [1] })).toThrow(
      /out of range/,
    );
  });

  it('reuses its buffer after reset and stays correct for a new range', () => {
    const s = new QuantileSketch();
    for (let i = 1; i <= 1000; i++) s.add(i);
    const bytes = s.binBytes;
    s.reset();
    expect(s.count).toBe(0);
    expect(Number.isNaN(s.quantile(0.5))).toBe(true);
    const values = [5000, 5100, 5200, 7000];
    for (const v of values) s.add(v);
    expect(s.binBytes).toBe(bytes);
    expectWithinAccuracy(values, s);
  });

  it('counts tiny values as zero, clamps huge ones, and rejects negatives and NaN', () => {
    const s = new QuantileSketch();
    s.add(0);
    s.add(0.0005);
    s.add(1e15);
    s.add(1e15);
    expect(s.zeroCount).toBe(2);
    expect(s.quantile(0)).toBe(0);
    expect(s.quantile(1)).toBe(1e15);
    expect(Math.abs(s.quantile(0.99) - MAX_INDEXABLE) / MAX_INDEXABLE).toBeLessThanOrEqual(RELATIVE_ACCURACY);
    expect(() => s.add(-1)).toThrow(RangeError);
    expect(() => s.add(Number.NaN)).toThrow(RangeError);
    expect(() => s.add(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(s.count).toBe(4);
  });

  it('grows in both directions without losing counts', () => {
    const s = new QuantileSketch();
    const values = [100, 1, 10_000, 0.01, 1_000_000, 50];
    for (const v of values) s.add(v);
    expect(s.toData().counts.reduce((a, b) => a + b, 0)).toBe(values.length);
    expectWithinAccuracy(values, s);
  });
});

describe('QuantileSketch.subtract', () => {
  it('undoes a merge exactly, bucket for bucket', () => {
    const random = seeded(9);
    const a = new QuantileSketch();
    const b = new QuantileSketch();
    for (let i = 0; i < 500; i++) a.add(random() * 100);
    for (let i = 0; i < 300; i++) b.add(1000 + random() * 1e5);
    b.add(0);
    const merged = a.clone();
    merged.merge(b);
    merged.subtract(b);
    merged.setMinMax(a.min, a.max);
    const { sum: s1, ...left } = merged.toData();
    const { sum: s2, ...right } = a.toData();
    expect(left).toEqual(right);
    expect(s1).toBeCloseTo(s2, 6);
    expect(merged.quantile(0.99)).toBe(a.quantile(0.99));
  });

  it('empties when everything is subtracted', () => {
    const a = new QuantileSketch();
    a.add(5);
    a.subtract(a.clone());
    expect(a.count).toBe(0);
    expect(a.toData().counts).toEqual([]);
  });
});
