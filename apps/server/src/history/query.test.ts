import type { HistoryMetric, Outcome } from '@lookout/contracts';
import { HistoryResponseSchema } from '@lookout/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScriptedCall } from '../metrics/call-script.ts';
import { seeded } from '../metrics/call-script.ts';
import { QuantileSketch } from '../metrics/index.ts';
import type { Store } from '../store/index.ts';
import { openStore } from '../store/index.ts';
import { COMPACT_SPAN_MS, MINUTE_ROWS_KEPT_MS, RollupCompactor } from './compactor.ts';
import { EPOCH_MS, fakeEngine, tempDataDir } from './history-fixture.ts';
import { queryHistory } from './query.ts';
import { RollupJob } from './rollup-job.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const TARGETS = ['gpu-1', 'gpu-2'];
const MODELS = ['llama3.2:3b', 'qwen3:8b'];

let data: ReturnType<typeof tempDataDir>;
let store: Store;
beforeEach(() => {
  data = tempDataDir();
  store = openStore(data.dir);
});
afterEach(() => {
  store.close();
  data.remove();
});

interface Played {
  readonly endMs: number;
  readonly target: string;
  readonly model: string;
  readonly outcome: Outcome;
  readonly latencyMs: number | undefined;
  readonly ttftMs: number;
}

/**
 * Plays `minutes` minutes of calls over two targets and two models through an engine, with the rollup
 * job ticking every minute as the server would; returns every call as played.
 */
function playHistory(minutes: number, seed: number, perMinute = 12) {
  const fixture = fakeEngine();
  const { engine, clock, play } = fixture;
  const job = new RollupJob({ metrics: engine, rollups: store.rollups, runId: 1 });
  const random = seeded(seed);
  const played: Played[] = [];
  let id = 0;
  for (let minute = 0; minute < minutes; minute++) {
    for (let i = 0; i < perMinute; i++) {
      const endMs = minute * MIN + Math.floor(random() * MIN);
      const totalMs = 100 + Math.floor(random() ** 2 * 20_000);
      const roll = random();
      const outcome: Outcome =
        roll < 0.05
          ? 'timeout_first_byte'
          : roll < 0.08
            ? 'client_abort'
            : roll < 0.1
              ? 'upstream_error'
              : 'ok';
      const call: ScriptedCall = {
        callId: `h-${++id}`,
        startedAtMs: endMs - totalMs,
        target: TARGETS[Math.floor(random() * 2)]!,
        model: MODELS[Math.floor(random() * 2)]!,
        queueWaitMs: 10,
        ttftMs: 50 + Math.floor(random() * 50),
        totalMs,
        outcome,
      };
      play(call);
      played.push({
        endMs,
        target: call.target!,
        model: call.model!,
        outcome,
        latencyMs: outcome === 'ok' ? totalMs : undefined,
        ttftMs: call.ttftMs!,
      });
    }
    clock.nowMs = (minute + 1) * MIN + 2000;
    expect(job.tick()).toMatchObject({ ok: true });
  }
  return { ...fixture, job, played };
}

function sketchOf(values: readonly number[]): QuantileSketch {
  const sketch = new QuantileSketch();
  for (const v of values) sketch.add(v);
  return sketch;
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;

describe('queryHistory', () => {
  it('merges minute sketches exactly: each 5-minute bucket of a 6h chart equals one sketch of its calls', () => {
    const { played } = playHistory(45, 1);
    const nowMs = EPOCH_MS + 45 * MIN;
    for (const [metric, q] of [
      ['latency_p50_ms', 0.5],
      ['latency_p95_ms', 0.95],
      ['latency_p99_ms', 0.99],
    ] as const) {
      const history = queryHistory(store.rollups, { metric, range: '6h', nowMs });
      expect(HistoryResponseSchema.parse(history)).toEqual(history);
      expect(history.stepMs).toBe(5 * MIN);
      expect(history.points).toHaveLength(72);
      const withData = history.points.filter((p) => p.count > 0);
      expect(withData).toHaveLength(9);
      for (const point of withData) {
        const start = Date.parse(point.t) - EPOCH_MS;
        const values = played
          .filter((c) => c.endMs >= start && c.endMs < start + 5 * MIN && c.latencyMs !== undefined)
          .map((c) => c.latencyMs!);
        const direct = sketchOf(values);
        expect(point.count).toBe(values.length);
        expect(point.value).toBe(round3(direct.quantile(q)));
      }
    }
    // The whole 45 minutes in one bucket of a 7d chart: the sketch of all calls.
    const week = queryHistory(store.rollups, { metric: 'ttft_p99_ms', range: '7d', nowMs });
    expect(week.points).toHaveLength(168);
    const last = week.points.at(-1)!;
    expect(last.t).toBe(new Date(EPOCH_MS).toISOString());
    expect(last.count).toBe(played.length);
    expect(last.value).toBe(round3(sketchOf(played.map((c) => c.ttftMs)).quantile(0.99)));
  });

  it('counts requests, timeouts, outcomes and the error rate per bucket, and filters target and model', () => {
    const { played } = playHistory(20, 2);
    const nowMs = EPOCH_MS + 20 * MIN;
    const inMinute = (point: { t: string }) => {
      const startMs = Date.parse(point.t) - EPOCH_MS;
      return (c: Played) => c.endMs >= startMs && c.endMs < startMs + MIN;
    };
    const check = (metric: HistoryMetric, expected: (calls: Played[]) => number | null, filter = {}) => {
      const history = queryHistory(store.rollups, { metric, range: '1h', nowMs, ...filter });
      expect(history.points).toHaveLength(60);
      for (const point of history.points) {
        const calls = played
          .filter(inMinute(point))
          .filter((c) =>
            Object.entries(filter).every(([k, v]) => v === '*' || c[k as 'target' | 'model'] === v),
          );
        expect(point.count).toBe(calls.length);
        expect(point.value).toBe(expected(calls));
      }
    };
    check('requests', (calls) => calls.length);
    check('timeouts', (calls) => calls.filter((c) => c.outcome === 'timeout_first_byte').length);
    check('outcome:client_abort', (calls) => calls.filter((c) => c.outcome === 'client_abort').length);
    check('error_rate', (calls) =>
      calls.length === 0
        ? null
        : calls.filter((c) => c.outcome !== 'ok' && c.outcome !== 'client_abort').length / calls.length,
    );
    check('requests', (calls) => calls.length, { target: 'gpu-2' });
    check('requests', (calls) => calls.length, { target: 'gpu-1', model: 'qwen3:8b' });
    check('requests', (calls) => calls.length, { target: '*', model: 'llama3.2:3b' });
    const none = queryHistory(store.rollups, { metric: 'requests', range: '1h', nowMs, source: 'probe' });
    expect(none.points.every((p) => p.value === 0 && p.count === 0)).toBe(true);
    const noLatency = queryHistory(store.rollups, {
      metric: 'latency_p95_ms',
      range: '1h',
      nowMs,
      target: 'gpu-9',
    });
    expect(noLatency.points.every((p) => p.value === null && p.count === 0)).toBe(true);
  });

  it('aligns buckets to the step and ends with the bucket holding now', () => {
    playHistory(3, 3);
    const nowMs = EPOCH_MS + 7 * HOUR + 20 * MIN + 5_000;
    const day = queryHistory(store.rollups, { metric: 'requests', range: '24h', nowMs });
    expect(day.stepMs).toBe(15 * MIN);
    expect(day.points).toHaveLength(96);
    expect(day.points.at(-1)!.t).toBe(new Date(EPOCH_MS + 7 * HOUR + 15 * MIN).toISOString());
    expect(day.points[0]!.t).toBe(new Date(EPOCH_MS + 7 * HOUR + 15 * MIN - 95 * 15 * MIN).toISOString());
    expect(day.points.find((p) => p.t === new Date(EPOCH_MS).toISOString())?.value).toBe(36);
    expect(day).toMatchObject({ target: '*', model: '*', source: 'app', metric: 'requests', range: '24h' });
  });

  it('answers 24h and 7d charts the same after old minutes are compacted into 15-minute rows', () => {
    playHistory(50, 5);
    const nowMs = EPOCH_MS + MINUTE_ROWS_KEPT_MS + 50 * MIN;
    const metrics: HistoryMetric[] = [
      'requests',
      'error_rate',
      'latency_p50_ms',
      'latency_p99_ms',
      'ttft_p95_ms',
      'outcome:client_abort',
    ];
    const charts = () =>
      metrics.flatMap((metric) =>
        (['24h', '7d'] as const).flatMap((range) => [
          queryHistory(store.rollups, { metric, range, nowMs }),
          queryHistory(store.rollups, { metric, range, nowMs, target: 'gpu-1', model: 'qwen3:8b' }),
        ]),
      );
    const before = charts();
    expect(before.every((chart) => chart.points.some((p) => p.count > 0))).toBe(true);
    const rowCount = () => (store.db.prepare('SELECT count(*) AS n FROM rollups').get() as { n: number }).n;
    const rowsBefore = rowCount();
    // 50 minutes = 3 whole periods old enough, and the one being filled when the cutoff fell.
    expect(new RollupCompactor(store.rollups).compactDue(nowMs)).toMatchObject({ periods: 3 });
    expect(rowCount()).toBeLessThan(rowsBefore / 5);
    expect(store.rollups.oldestRowShorterThan(COMPACT_SPAN_MS)).toBe(EPOCH_MS + 45 * MIN);
    expect(charts()).toEqual(before);
  });

  it('keeps history across a restart: reopening the store gives the same answer, and a new run adds to it', () => {
    const { job, clock, play } = playHistory(10, 4);
    play({ callId: 'late', startedAtMs: clock.nowMs, totalMs: 500, queueWaitMs: 1, ttftMs: 100 });
    clock.nowMs += 500;
    expect(job.flush()).toMatchObject({ ok: true, minutesWritten: 1 }); // shutdown: the partial minute 10
    const nowMs = EPOCH_MS + 10 * MIN + 30_000;
    const metrics: HistoryMetric[] = [
      'requests',
      'error_rate',
      'latency_p95_ms',
      'ttft_p50_ms',
      'outcome:ok',
    ];
    const before = metrics.map((metric) => queryHistory(store.rollups, { metric, range: '1h', nowMs }));
    expect(before[0]!.points.at(-1)).toMatchObject({ value: 1 });
    store.close();

    store = openStore(data.dir);
    const after = metrics.map((metric) => queryHistory(store.rollups, { metric, range: '1h', nowMs }));
    expect(after).toEqual(before);

    // The new process starts within the same wall-clock minute and counts two calls of its own.
    const next = fakeEngine(EPOCH_MS + 10 * MIN + 40_000);
    const job2 = new RollupJob({ metrics: next.engine, rollups: store.rollups, runId: 2 });
    next.play(
      { callId: 'n1', startedAtMs: 0, totalMs: 1000, queueWaitMs: 1 },
      { callId: 'n2', startedAtMs: 0, totalMs: 2000, queueWaitMs: 1 },
    );
    next.clock.nowMs = MIN + 2000;
    expect(job2.tick()).toMatchObject({ ok: true, rowsWritten: 1 });
    const merged = queryHistory(store.rollups, { metric: 'requests', range: '1h', nowMs: nowMs + MIN });
    expect(merged.points.find((p) => p.t === new Date(EPOCH_MS + 10 * MIN).toISOString())?.value).toBe(3);
  });
});
