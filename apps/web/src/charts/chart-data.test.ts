import type { HistoryResponse, Rule } from '@lookout/contracts';
import { describe, expect, it } from 'vitest';
import { pointOf } from '../core/series-ring.ts';
import { sampleStats } from '../testing/fixtures.ts';
import {
  axisTicks,
  chartSummary,
  historyRows,
  liveRows,
  niceCeil,
  thinRows,
  thresholdsFor,
  ticksNeedSeconds,
  timeTicks,
} from './chart-data.ts';
import { HISTORY_CHARTS, LIVE_CHARTS, liveChartsFor, TARGET_QUEUE_CHART } from './chart-defs.ts';

const latency = LIVE_CHARTS.find((c) => c.id === 'latency')!;
const timeouts = LIVE_CHARTS.find((c) => c.id === 'timeouts')!;

function rule(overrides: Partial<Rule>): Rule {
  return {
    id: 'r1',
    name: 'slow',
    metric: 'latency_p95_ms',
    scope: { target: '*', model: '*' },
    window: '5m',
    op: '>',
    threshold: 1500,
    forSec: 0,
    minSamples: 0,
    severity: 'warning',
    enabled: true,
    notify: [],
    ...overrides,
  };
}

describe('liveRows', () => {
  it('takes each line from the point, and breaks the lines where the feed had a gap', () => {
    const stats = sampleStats();
    const points = [pointOf(stats, 1_000), pointOf(stats, 2_000), pointOf(stats, 20_000)];
    const rows = liveRows(latency, points);
    expect(rows.map((r) => r.t)).toEqual([1_000, 2_000, 2_001, 20_000]);
    expect(rows[0]).toEqual({ t: 1_000, p50: 812.5, p95: 1600.4, p99: 1712 });
    expect(rows[2]).toEqual({ t: 2_001, p50: null, p95: null, p99: null });
  });
});

describe('live charts of a target', () => {
  it('draw the concurrency limit as a step line beside queue depth and in flight', () => {
    const charts = liveChartsFor({ kind: 'target', target: 'gpu-a' });
    expect(charts.map((c) => c.id)).toEqual(LIVE_CHARTS.map((c) => c.id));
    const queue = charts.find((c) => c.id === 'queue')!;
    expect(queue).toBe(TARGET_QUEUE_CHART);
    expect(queue.title).toBe('Queue depth, in flight and limit');
    expect(queue.lines.find((l) => l.key === 'limit')?.shape).toBe('step');
    const stats = sampleStats();
    const rows = liveRows(queue, [pointOf(stats, 1_000, 4), pointOf(stats, 2_000, 3)]);
    expect(rows).toEqual([
      { t: 1_000, queueDepth: 2, inFlight: 3, limit: 4 },
      { t: 2_000, queueDepth: 2, inFlight: 3, limit: 3 },
    ]);
  });

  it('are the plain ones for the fleet and a model (no single limit there)', () => {
    expect(liveChartsFor({ kind: 'fleet' })).toBe(LIVE_CHARTS);
    const model = liveChartsFor({ kind: 'model', target: 'gpu-a', model: 'm' });
    expect(model.find((c) => c.id === 'queue')!.lines.map((l) => l.key)).toEqual(['queueDepth', 'inFlight']);
  });
});

describe('historyRows', () => {
  it('joins one response per line by bucket, counts per minute', () => {
    const chart = HISTORY_CHARTS.find((c) => c.id === 'timeouts')!;
    const response: HistoryResponse = {
      target: '*',
      model: '*',
      source: 'app',
      metric: 'timeouts',
      range: '6h',
      stepMs: 300_000,
      points: [
        { t: '2025-11-22T17:05:00.000Z', value: 10, count: 100 },
        { t: '2025-11-22T17:00:00.000Z', value: 0, count: 80 },
      ],
    };
    const rows = historyRows(chart, new Map([['timeouts', response]]));
    expect(rows).toEqual([
      { t: Date.parse('2025-11-22T17:00:00.000Z'), timeouts: 0 },
      { t: Date.parse('2025-11-22T17:05:00.000Z'), timeouts: 2 },
    ]);
  });
});

describe('thresholdsFor', () => {
  it('draws enabled rules of the chart metrics whose scope covers the chart', () => {
    const rules = [
      rule({ id: 'all' }),
      rule({ id: 'gpu-a', scope: { target: 'gpu-a', model: '*' }, threshold: 900, severity: 'critical' }),
      rule({ id: 'off', enabled: false }),
      rule({ id: 'other-metric', metric: 'queue_depth' }),
      rule({ id: 'model', scope: { target: '*', model: 'qwen3:8b' } }),
    ];
    const ids = (scope: Parameters<typeof thresholdsFor>[2]) =>
      thresholdsFor(latency, rules, scope).map((t) => t.ruleId);
    expect(ids({ kind: 'fleet' })).toEqual(['all']);
    expect(ids({ kind: 'target', target: 'gpu-a' })).toEqual(['all', 'gpu-a']);
    expect(ids({ kind: 'target', target: 'gpu-b' })).toEqual(['all']);
    expect(ids({ kind: 'model', target: 'gpu-b', model: 'qwen3:8b' })).toEqual(['model']);
    expect(thresholdsFor(latency, rules, { kind: 'fleet' })[0]).toMatchObject({
      value: 1500,
      label: 'slow (> 1.50 s)',
    });
  });

  it('draws a timeouts rule over 5 minutes as its per-minute average', () => {
    const [t] = thresholdsFor(timeouts, [rule({ metric: 'timeouts', threshold: 10, name: 'timeouts' })], {
      kind: 'fleet',
    });
    expect(t).toMatchObject({ value: 2, label: 'timeouts (> 10 per 5m)' });
  });
});

describe('chartSummary', () => {
  it('says the latest, lowest and highest value of each line', () => {
    const rows = [
      { t: 1, p50: 100, p95: 200, p99: null },
      { t: 2, p50: 300, p95: 1500, p99: null },
    ];
    expect(chartSummary(latency, rows, '15 minutes')).toBe(
      'Latency over 15 minutes: p50 now 300 ms, lowest 100 ms, highest 300 ms; p95 now 1.50 s, lowest 200 ms, highest 1.50 s; p99: no data.',
    );
  });
});

describe('axisTicks', () => {
  it('divides a round maximum evenly', () => {
    expect(axisTicks(25, true)).toEqual([0, 5, 10, 15, 20, 25]);
    expect(axisTicks(20, true)).toEqual([0, 5, 10, 15, 20]);
    expect(axisTicks(1, true)).toEqual([0, 1]);
    expect(axisTicks(0.02, false)).toEqual([0, 0.005, 0.01, 0.015, 0.02]);
    expect(axisTicks(1000, false)).toEqual([0, 200, 400, 600, 800, 1000]);
  });
});

describe('niceCeil', () => {
  it('rounds an axis maximum up to 1, 2, 2.5 or 5 times a power of ten', () => {
    expect([0.7, 3, 21, 23, 608, 1_000, 1_001, 0.013].map(niceCeil)).toEqual([
      1, 5, 25, 25, 1_000, 1_000, 2_000, 0.02,
    ]);
  });
});

describe('drawing fewer rows', () => {
  it('keeps at most max rows, the newest among them, in order', () => {
    const rows = Array.from({ length: 900 }, (_, i) => i);
    const thin = thinRows(rows, 180);
    expect(thin.length).toBeLessThanOrEqual(180);
    expect(thin.length).toBeGreaterThan(170);
    expect(thin.at(-1)).toBe(899);
    expect([...thin].sort((a, b) => a - b)).toEqual(thin);
    expect(thinRows(rows.slice(0, 50), 180)).toHaveLength(50);
    // Round spacings on round times: 2 minutes of live data get a tick every 30 s.
    const t0 = Date.UTC(2026, 10, 22, 21, 6, 47);
    const ticks = timeTicks([t0, t0 + 120_000]);
    expect(ticks.map((t) => new Date(t).toISOString().slice(11, 19))).toEqual([
      '21:07:00',
      '21:07:30',
      '21:08:00',
      '21:08:30',
    ]);
    expect(ticksNeedSeconds(ticks)).toBe(true);
    // 15 minutes: every 5 minutes, which minutes alone tell apart; 7 days: a day apart.
    const quarter = timeTicks([t0, t0 + 15 * 60_000]);
    expect(quarter.map((t) => new Date(t).toISOString().slice(11, 16))).toEqual(['21:10', '21:15', '21:20']);
    expect(ticksNeedSeconds(quarter)).toBe(false);
    const week = timeTicks([t0, t0 + 7 * 86_400_000]);
    expect(new Set(week.map((t) => t % 86_400_000))).toEqual(new Set([0]));
    expect(week.length).toBeLessThanOrEqual(7);
    expect(timeTicks([5, 5])).toEqual([5]);
  });
});
