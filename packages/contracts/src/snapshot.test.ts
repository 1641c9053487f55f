import { describe, expect, it } from 'vitest';
import { OUTCOMES, TIMEOUT_OUTCOMES } from './outcomes.ts';
import { SnapshotSchema } from './snapshot.ts';
import { QuantilesSchema, TargetStateSchema, WindowSchema } from './stats.ts';
import { sampleSnapshot, sampleTarget, sampleWindow } from './test-fixtures.ts';

describe('SnapshotSchema', () => {
  it('accepts a full snapshot and keeps every field', () => {
    const snapshot = sampleSnapshot();
    const parsed = SnapshotSchema.parse(JSON.parse(JSON.stringify(snapshot)));
    expect(parsed).toEqual(snapshot);
  });

  it('accepts a target without the optional probe fields', () => {
    const { version: _v, lastProbeAt: _p, ...bare } = sampleTarget();
    expect(TargetStateSchema.safeParse({ ...bare, health: 'unknown', loadedModels: [] }).success).toBe(true);
  });

  it('rejects a window that lacks an outcome', () => {
    const window = sampleWindow();
    const { bad_request: _b, ...outcomes } = window.outcomes;
    const result = WindowSchema.safeParse({ ...window, outcomes });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['outcomes', 'bad_request']);
  });

  it('rejects an unknown outcome name', () => {
    const window = sampleWindow();
    expect(
      WindowSchema.safeParse({ ...window, outcomes: { ...window.outcomes, timeout_read: 1 } }).success,
    ).toBe(false);
  });

  it('rejects negative or fractional counts and negative measures', () => {
    expect(WindowSchema.safeParse({ ...sampleWindow(), requests: -1 }).success).toBe(false);
    expect(WindowSchema.safeParse({ ...sampleWindow(), requests: 1.5 }).success).toBe(false);
    expect(QuantilesSchema.safeParse({ count: 1, p50: -1, p90: 1, p95: 1, p99: 1, max: 1 }).success).toBe(
      false,
    );
  });

  it('rejects a missing window and a bad health', () => {
    const snapshot = sampleSnapshot();
    const { '15m': _w, ...windows } = snapshot.fleet.windows;
    expect(SnapshotSchema.safeParse({ ...snapshot, fleet: { ...snapshot.fleet, windows } }).success).toBe(
      false,
    );
    const target = { ...sampleTarget(), health: 'degraded' };
    expect(TargetStateSchema.safeParse(target).success).toBe(false);
  });

  it('rejects a timestamp that is not ISO-8601', () => {
    expect(SnapshotSchema.safeParse({ ...sampleSnapshot(), at: 'yesterday' }).success).toBe(false);
    expect(SnapshotSchema.safeParse({ ...sampleSnapshot(), at: 1732294801000 }).success).toBe(false);
  });

  it('lists twelve outcomes, four of them timeouts', () => {
    expect(OUTCOMES).toHaveLength(12);
    expect(TIMEOUT_OUTCOMES.every((o) => OUTCOMES.includes(o) && o.startsWith('timeout_'))).toBe(true);
    expect(OUTCOMES.filter((o) => o.startsWith('timeout_'))).toEqual([...TIMEOUT_OUTCOMES]);
  });
});
