import { describe, expect, it } from 'vitest';
import { seeded } from '../metrics/call-script.ts';
import { QuantileSketch } from '../metrics/index.ts';
import { decodeSketch, encodeSketch } from './sketch-blob.ts';

const QS = [0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1];

function sketchOf(values: readonly number[]): QuantileSketch {
  const sketch = new QuantileSketch();
  for (const v of values) sketch.add(v);
  return sketch;
}

describe('sketch BLOBs', () => {
  it('round-trip a sketch exactly: data, quantiles, and merges', () => {
    const random = seeded(7);
    const values = Array.from({ length: 5000 }, (_, i) => (i % 50 === 0 ? 0 : 5 + random() ** 3 * 60_000));
    const sketch = sketchOf(values);
    const decoded = decodeSketch(encodeSketch(sketch));
    expect(decoded.toData()).toEqual(sketch.toData());
    for (const q of QS) expect(decoded.quantile(q)).toBe(sketch.quantile(q));
    const merged = decodeSketch(encodeSketch(sketchOf(values.slice(0, 2000))));
    merged.merge(decodeSketch(encodeSketch(sketchOf(values.slice(2000)))));
    for (const q of QS) expect(merged.quantile(q)).toBe(sketch.quantile(q));
  });

  it('round-trips edge cases: one value, only zeros, sub-1 values (negative keys), counts past one byte', () => {
    const cases = [[42], [0, 0, 0], [0.002, 0.5, 0.9], Array.from({ length: 1000 }, () => 250)];
    for (const values of cases) {
      const sketch = sketchOf(values);
      expect(decodeSketch(encodeSketch(sketch)).toData()).toEqual(sketch.toData());
    }
  });

  it('stays small: a minute of clustered latencies takes under 200 bytes', () => {
    const random = seeded(3);
    const sketch = sketchOf(Array.from({ length: 600 }, () => 800 + random() * 400));
    expect(encodeSketch(sketch).length).toBeLessThan(200);
  });

  it('rejects damaged bytes with a RangeError', () => {
    const blob = encodeSketch(sketchOf([1, 2, 3, 400]));
    expect(() => decodeSketch(blob.subarray(0, blob.length - 1))).toThrow(RangeError);
    expect(() => decodeSketch(Buffer.concat([blob, Buffer.from([0])]))).toThrow(/trailing/);
    const wrongFormat = Buffer.from(blob);
    wrongFormat[0] = 9;
    expect(() => decodeSketch(wrongFormat)).toThrow(/format 9/);
    const wrongCount = Buffer.from(blob);
    wrongCount[9] = 77; // the count varint, right after the format byte and the accuracy
    expect(() => decodeSketch(wrongCount)).toThrow(/add up/);
  });
});
