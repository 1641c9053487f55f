import { OUTCOMES } from '@lookout/contracts';
import { describe, expect, it } from 'vitest';
import { scriptCall } from './call-script.ts';
import { MetricsEngine } from './engine.ts';

function engineAt(clock: { nowMs: number }) {
  return new MetricsEngine({
    gauges: { targets: () => [] },
    now: () => clock.nowMs,
    toEpochMs: (ms) => 1e12 + ms,
  });
}

describe('MetricsEngine.spanAggregates', () => {
  it('merges the slots of a span per series, whole slots only, and loses slots the 15-minute ring reused', () => {
    const clock = { nowMs: 0 };
    const engine = engineAt(clock);
    const end = (callId: string, atMs: number, source: 'app' | 'probe' = 'app', totalMs = 100) => {
      for (const e of scriptCall({ callId, startedAtMs: atMs - totalMs, totalMs, queueWaitMs: 1, source })) {
        engine.onEvent(e);
      }
    };
    end('a', 5_000);
    end('b', 59_999, 'app', 300);
    end('c', 60_000);
    end('d', 30_000, 'probe');
    const minute0 = engine.spanAggregates(0, 60_000);
    expect(minute0.map((s) => [s.source, s.aggregate.requests])).toEqual([
      ['app', 2],
      ['probe', 1],
    ]);
    const app = minute0[0]!.aggregate;
    expect(app.outcomes[OUTCOMES.indexOf('ok')]).toBe(2);
    expect(app.sketches[0]!.max).toBe(300);
    expect(engine.spanAggregates(60_000, 120_000).map((s) => s.aggregate.requests)).toEqual([1]);
    expect(engine.spanAggregates(120_000, 180_000)).toEqual([]);
    // The caller owns the aggregates: changing one leaves the engine's slots alone.
    app.reset();
    expect(engine.spanAggregates(0, 60_000)[0]!.aggregate.requests).toBe(2);
    // 15 minutes later, slot 0's place in the ring holds slot 90: call "a" is gone, "b" (slot 5) not yet.
    end('e', 15 * 60_000 + 1000);
    expect(engine.spanAggregates(0, 60_000).map((s) => [s.source, s.aggregate.requests])).toEqual([
      ['app', 1],
      ['probe', 1],
    ]);
    expect(engine.epochMsOf(60_000)).toBe(1e12 + 60_000);
    clock.nowMs = 42;
    expect(engine.nowMs()).toBe(42);
  });
});
