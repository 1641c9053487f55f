import { describe, expect, it } from 'vitest';
import { laterSnapshot, sampleSnapshot } from '../testing/fixtures.ts';
import { Ring, SeriesRing } from './series-ring.ts';

describe('Ring', () => {
  it('keeps the newest items up to its capacity, oldest first', () => {
    const ring = new Ring<number>(3);
    for (let i = 1; i <= 5; i++) ring.push(i);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.last()).toBe(5);
    ring.replaceLast(9);
    expect(ring.toArray()).toEqual([3, 4, 9]);
  });
});

describe('SeriesRing', () => {
  it('records one point per snapshot for the fleet, each target and each model', () => {
    const ring = new SeriesRing();
    const s0 = sampleSnapshot();
    ring.push(s0);
    ring.push(laterSnapshot(s0, 1, 7));
    const fleet = ring.series({ kind: 'fleet' });
    expect(fleet.map((p) => p.queueDepth)).toEqual([s0.fleet.queueDepth, 7]);
    expect(fleet[0]).toMatchObject({
      latencyP95Ms: 1600.4,
      ttftP99Ms: 220,
      timeoutsPerMin: 1,
      requestsPerMin: 20,
      tokensPerSecP50: 41.7,
    });
    // 20 requests: 18 ok, 1 idle timeout, 1 upstream error.
    expect(fleet[0]!.errorRate).toBeCloseTo(2 / 20);
    expect(ring.series({ kind: 'target', target: 'gpu-a' })).toHaveLength(2);
    expect(ring.series({ kind: 'model', target: 'gpu-a', model: 'llama3.2:1b' })).toHaveLength(2);
    expect(ring.series({ kind: 'target', target: 'nope' })).toEqual([]);
  });

  it("records each target's concurrency limit, and none for the fleet or a model", () => {
    const ring = new SeriesRing();
    const s0 = sampleSnapshot();
    ring.push(s0);
    const pinned = laterSnapshot(s0, 1, 0);
    ring.push({ ...pinned, targets: [{ ...s0.targets[0]!, maxConcurrent: 3 }, s0.targets[1]!] });
    expect(ring.series({ kind: 'target', target: 'gpu-a' }).map((p) => p.maxConcurrent)).toEqual([4, 3]);
    expect(ring.series({ kind: 'target', target: 'gpu-b' }).map((p) => p.maxConcurrent)).toEqual([4, 4]);
    expect(ring.series({ kind: 'fleet' }).map((p) => p.maxConcurrent)).toEqual([null, null]);
    expect(
      ring.series({ kind: 'model', target: 'gpu-a', model: 'llama3.2:1b' }).map((p) => p.maxConcurrent),
    ).toEqual([null, null]);
  });

  it('keeps only the span, and one point per instant', () => {
    const ring = new SeriesRing({ spanMs: 10_000 });
    const s0 = sampleSnapshot();
    for (let i = 0; i < 30; i++) ring.push(laterSnapshot(s0, i, i));
    ring.push(laterSnapshot(s0, 29, 99)); // a resync snapshot at the same time replaces the point
    const points = ring.series({ kind: 'fleet' });
    expect(points.map((p) => p.queueDepth)).toEqual([20, 21, 22, 23, 24, 25, 26, 27, 28, 99]);
  });

  it('forgets targets that left the fleet once their points aged out', () => {
    const ring = new SeriesRing({ spanMs: 10_000 });
    const s0 = sampleSnapshot();
    ring.push(s0);
    const withoutB = { ...laterSnapshot(s0, 11, 1), targets: s0.targets.slice(0, 1) };
    ring.push(withoutB);
    expect(ring.series({ kind: 'target', target: 'gpu-b' })).toEqual([]);
    expect(ring.series({ kind: 'target', target: 'gpu-a' })).toHaveLength(1);
  });

  it('bumps its version on every push so views redraw', () => {
    const ring = new SeriesRing();
    let calls = 0;
    const unsubscribe = ring.version.subscribe(() => calls++);
    ring.push(sampleSnapshot());
    ring.push(laterSnapshot(sampleSnapshot(), 1, 1));
    unsubscribe();
    expect(calls).toBe(2);
  });
});
