import { describe, expect, it } from 'vitest';
import type { CallAggregate } from './aggregate.ts';
import { seeded } from './call-script.ts';
import { SlotRing, WINDOW_SLOTS } from './slots.ts';

/** Sketch contents without the float sum (subtracting floats is not exact; the sum is not reported). */
function contents(aggregate: CallAggregate) {
  return {
    window: aggregate.toWindow(),
    sketches: aggregate.sketches.map((s) => {
      if (!s || s.count === 0) return null;
      const { sum: _sum, ...data } = s.toData();
      return data;
    }),
  };
}

describe('SlotRing', () => {
  it('keeps running windows equal to the merge of the slots they cover, late events included', () => {
    const random = seeded(5);
    const ring = new SlotRing();
    const measures = new Float64Array(4);
    let slot = 0;
    for (let step = 0; step < 3000; step++) {
      // Time moves on by 0..3 slots now and then, sometimes by a long idle gap.
      const r = random();
      if (r < 0.1) slot += 1 + Math.floor(random() * 3);
      else if (r < 0.102) slot += 40 + Math.floor(random() * 100);
      const late = random() < 0.05 ? Math.floor(random() * 100) : 0;
      measures[0] = random() < 0.7 ? 10 + random() ** 2 * 5000 : Number.NaN;
      measures[1] = random() < 0.5 ? random() * 300 : Number.NaN;
      measures[2] = random() < 0.5 ? 0 : random() * 40;
      measures[3] = 5 + random() * 100;
      ring.record(slot - late, Math.floor(random() * 12), measures);
      if (step % 37 !== 0) continue;
      const windows = ring.windows(slot);
      for (const name of ['1m', '5m', '15m'] as const) {
        const fresh = new SlotRing();
        const expected = fresh.windows(slot)[name];
        ring.mergeSlots(expected, slot, 0, WINDOW_SLOTS[name]);
        expect(contents(windows[name]), `${name} at slot ${slot}`).toEqual(contents(expected));
      }
    }
  });

  it('ages a window out one slot at a time as the clock reads it', () => {
    const ring = new SlotRing();
    const measures = [100, Number.NaN, 1, Number.NaN];
    ring.record(10, 0, measures);
    ring.record(11, 0, [300, Number.NaN, 1, Number.NaN]);
    expect(ring.windows(11)['1m'].toWindow().latencyMs?.max).toBe(300);
    expect(ring.windows(15)['1m'].requests).toBe(2);
    expect(ring.windows(16)['1m'].requests).toBe(1);
    expect(ring.windows(16)['1m'].toWindow().latencyMs).toMatchObject({ count: 1, max: 300, p50: 300 });
    expect(ring.windows(17)['1m'].requests).toBe(0);
    expect(ring.windows(17)['1m'].toWindow().latencyMs).toBeNull();
    expect(ring.windows(17)['5m'].toWindow().latencyMs?.count).toBe(2);
  });

  it('rejects a slot older than the ring holds', () => {
    const ring = new SlotRing();
    const measures = [1, Number.NaN, Number.NaN, Number.NaN];
    expect(ring.record(200, 0, measures)).toBe(true);
    expect(ring.record(200 - 90, 0, measures)).toBe(false);
    expect(ring.record(200 - 89, 0, measures)).toBe(true);
    expect(ring.windows(200)['15m'].requests).toBe(2);
  });
});
