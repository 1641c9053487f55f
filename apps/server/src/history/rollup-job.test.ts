import type { Outcome } from '@lookout/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ScriptedCall } from '../metrics/call-script.ts';
import { seeded } from '../metrics/call-script.ts';
import type { Store } from '../store/index.ts';
import { openStore } from '../store/index.ts';
import { EPOCH_MS, fakeEngine, tempDataDir } from './history-fixture.ts';
import type { JobTimers } from './rollup-job.ts';
import { RollupJob } from './rollup-job.ts';

const MIN = 60_000;
const all = { fromMs: 0, toMs: Number.MAX_SAFE_INTEGER, source: 'app' as const };

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

let nextId = 0;
/** `n` calls ending at spread-out times in [fromMs, toMs), seeded latencies and a few failures. */
function calls(
  n: number,
  fromMs: number,
  toMs: number,
  seed: number,
  part: Partial<ScriptedCall> = {},
): ScriptedCall[] {
  const random = seeded(seed);
  return Array.from({ length: n }, (_, i): ScriptedCall => {
    const totalMs = 200 + Math.floor(random() * 3000);
    const end = fromMs + Math.floor(((toMs - fromMs) * i) / n);
    const outcome: Outcome = i % 9 === 4 ? 'timeout_idle' : i % 13 === 7 ? 'upstream_error' : 'ok';
    return {
      callId: `c-${++nextId}`,
      startedAtMs: end - totalMs,
      model: 'llama3.2:3b',
      queueWaitMs: Math.floor(random() * 100),
      ttftMs: 120 + Math.floor(random() * 80),
      totalMs,
      outcome,
      evalCount: 40 + Math.floor(random() * 200),
      evalDurationNs: 1e9,
      ...part,
    };
  });
}

/** Timers under the test's control: `fire()` runs what is due. */
function manualTimers() {
  const pending: { callback: () => void; delayMs: number; id: number }[] = [];
  let ids = 0;
  const timers: JobTimers = {
    setTimeout(callback, delayMs) {
      pending.push({ callback, delayMs, id: ++ids });
      return ids;
    },
    clearTimeout(handle) {
      const i = pending.findIndex((p) => p.id === handle);
      if (i >= 0) pending.splice(i, 1);
    },
  };
  return { timers, pending, fire: () => pending.shift()?.callback() };
}

describe('RollupJob', () => {
  it('writes each completed minute with exact counts and the sketches the engine has for the same calls', () => {
    const { engine, clock, play } = fakeEngine();
    const job = new RollupJob({ metrics: engine, rollups: store.rollups, runId: 1 });
    play(...calls(300, 0, MIN, 1), ...calls(40, 0, MIN, 2, { target: 'gpu-2', model: 'qwen3:8b' }));
    play(...calls(50, 0, MIN, 3, { source: 'probe' }));
    // The engine's own 1m window over the same 6 slots (application calls), read as the minute ends.
    const fleet = engine.buildSnapshot(MIN - 1).fleet.windows['1m'];

    clock.nowMs = MIN + 1999; // within the grace: not yet
    expect(job.tick()).toMatchObject({ ok: true, minutesWritten: 0 });
    clock.nowMs = MIN + 2000;
    expect(job.tick()).toMatchObject({ ok: true, minutesWritten: 1, rowsWritten: 3 });

    const rows = [...store.rollups.readCounts(all)];
    expect(rows.every((r) => r.minuteStartMs === EPOCH_MS)).toBe(true);
    expect(rows.reduce((n, r) => n + r.requests, 0)).toBe(fleet.requests);
    const outcomes: Record<string, number> = {};
    for (const r of rows)
      for (const [o, n] of Object.entries(r.outcomes)) outcomes[o] = (outcomes[o] ?? 0) + n;
    expect(outcomes).toEqual(Object.fromEntries(Object.entries(fleet.outcomes).filter(([, n]) => n > 0)));
    expect([...store.rollups.readCounts({ ...all, source: 'probe' })]).toMatchObject([{ requests: 50 }]);

    for (const [measure, quantiles] of [
      ['latencyMs', fleet.latencyMs],
      ['ttftMs', fleet.ttftMs],
      ['queueWaitMs', fleet.queueWaitMs],
      ['tokensPerSec', fleet.tokensPerSec],
    ] as const) {
      const merged = [...store.rollups.readSketches(all, measure)].map((r) => r.sketch);
      const sketch = merged[0]!;
      for (const other of merged.slice(1)) sketch.merge(other);
      expect(quantiles).not.toBeNull();
      expect(sketch.count).toBe(quantiles!.count);
      expect(round3(sketch.quantile(0.5))).toBe(quantiles!.p50);
      expect(round3(sketch.quantile(0.95))).toBe(quantiles!.p95);
      expect(round3(sketch.quantile(0.99))).toBe(quantiles!.p99);
      expect(round3(sketch.max)).toBe(quantiles!.max);
    }
  });

  it('writes a minute once per tick and catches up on minutes a late tick missed', () => {
    const { engine, clock, play } = fakeEngine();
    const job = new RollupJob({ metrics: engine, rollups: store.rollups, runId: 1 });
    play(...calls(10, 0, 4 * MIN, 5));
    clock.nowMs = 4 * MIN + 5000;
    expect(job.tick()).toMatchObject({ ok: true, minutesWritten: 4, rowsWritten: 4 });
    expect(job.tick()).toMatchObject({ ok: true, minutesWritten: 0 });
    const perMinute = [...store.rollups.readCounts(all)].map((r) => [
      (r.minuteStartMs - EPOCH_MS) / MIN,
      r.requests,
    ]);
    expect(perMinute).toEqual([
      [0, 3],
      [1, 2],
      [2, 3],
      [3, 2],
    ]);
  });

  it('flushes the partial minute at shutdown, and a later write of that minute replaces it', () => {
    const { engine, clock, play } = fakeEngine();
    const job = new RollupJob({ metrics: engine, rollups: store.rollups, runId: 1 });
    play(...calls(20, 0, 30_000, 6));
    clock.nowMs = 30_000;
    expect(job.flush()).toMatchObject({ ok: true, minutesWritten: 1, rowsWritten: 1 });
    expect([...store.rollups.readCounts(all)].map((r) => r.requests)).toEqual([20]);
    play(...calls(15, 30_000, MIN, 7));
    clock.nowMs = MIN + 2000;
    expect(job.tick()).toMatchObject({ ok: true, minutesWritten: 1 });
    expect([...store.rollups.readCounts(all)].map((r) => r.requests)).toEqual([35]);
  });

  it('labels minutes with consecutive wall-clock minutes when the clocks are not minute-aligned', () => {
    const { engine, clock, play } = fakeEngine(EPOCH_MS + 37_123.4);
    const job = new RollupJob({ metrics: engine, rollups: store.rollups, runId: 1 });
    play(...calls(30, 0, 3 * MIN, 8));
    clock.nowMs = 3 * MIN + 2000;
    job.tick();
    const starts = [...store.rollups.readCounts(all)].map((r) => r.minuteStartMs - EPOCH_MS);
    expect(starts).toEqual([0, MIN, 2 * MIN]);
  });

  it('only writes minutes still whole in the 15-minute ring after a long pause', () => {
    const { engine, clock, play } = fakeEngine();
    const job = new RollupJob({ metrics: engine, rollups: store.rollups, runId: 1 });
    play(...calls(40, 0, 20 * MIN, 9));
    clock.nowMs = 20 * MIN + 2000;
    expect(job.tick()).toMatchObject({ ok: true, minutesWritten: 14 });
    const minutes = [...store.rollups.readCounts(all)].map((r) => (r.minuteStartMs - EPOCH_MS) / MIN);
    expect(minutes).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  });

  it('schedules itself at each minute end plus the grace, and stop() clears the timer', () => {
    const { engine, clock, play } = fakeEngine();
    const manual = manualTimers();
    const job = new RollupJob({
      metrics: engine,
      rollups: store.rollups,
      runId: 1,
      timers: manual.timers,
      checkpointMs: 0,
    });
    clock.nowMs = 10_000;
    job.start();
    job.start(); // once only
    expect(manual.pending.map((p) => p.delayMs)).toEqual([MIN + 2000 - 10_000]);
    play(...calls(5, 10_000, MIN, 10));
    clock.nowMs = MIN + 2000;
    manual.fire();
    expect([...store.rollups.readCounts(all)].map((r) => r.requests)).toEqual([5]);
    expect(manual.pending.map((p) => p.delayMs)).toEqual([MIN]);
    job.stop();
    expect(manual.pending).toEqual([]);
  });

  it('checkpoints the minute in progress between minute ends, replacing the previous checkpoint', () => {
    const { engine, clock, play } = fakeEngine();
    const manual = manualTimers();
    const job = new RollupJob({
      metrics: engine,
      rollups: store.rollups,
      runId: 1,
      timers: manual.timers,
      checkpointMs: 10_000,
    });
    clock.nowMs = 5000;
    job.start();
    expect(manual.pending.map((p) => p.delayMs)).toEqual([10_000]);
    play(...calls(4, 5000, 15_000, 21));
    clock.nowMs = 15_000;
    manual.fire();
    expect([...store.rollups.readCounts(all)].map((r) => r.requests)).toEqual([4]);
    play(...calls(3, 15_000, 25_000, 22));
    clock.nowMs = 25_000;
    manual.fire();
    // The same minute again, with all 7 calls: the checkpoint replaced, not added to.
    expect([...store.rollups.readCounts(all)].map((r) => r.requests)).toEqual([7]);
    // Near the minute's end, the next timer is the minute end (+ grace), not a full checkpoint away.
    clock.nowMs = MIN - 1000;
    manual.fire();
    expect(manual.pending.map((p) => p.delayMs)).toEqual([3000]);
    job.stop();
  });

  it('on the default timers, keeps one timer while running and none after stop()', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { engine, clock, play } = fakeEngine();
      const job = new RollupJob({ metrics: engine, rollups: store.rollups, runId: 1 });
      job.start();
      expect(vi.getTimerCount()).toBe(1);
      play(...calls(3, 0, MIN, 13));
      clock.nowMs = MIN + 2000;
      vi.advanceTimersByTime(MIN + 2000);
      expect([...store.rollups.readCounts(all)].map((r) => r.requests)).toEqual([3]);
      expect(vi.getTimerCount()).toBe(1);
      job.stop();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('reports a failed write to onError and writes the minute on the next tick', () => {
    const { engine, clock, play } = fakeEngine();
    const errors: string[] = [];
    const manual = manualTimers();
    const busy = openStore(data.dir, { busyTimeoutMs: 0 });
    const job = new RollupJob({
      metrics: engine,
      rollups: busy.rollups,
      runId: 1,
      timers: manual.timers,
      onError: (e) => errors.push(`${e.code}: ${e.message}`),
    });
    try {
      play(...calls(8, 0, MIN, 11));
      job.start();
      store.db.exec('BEGIN IMMEDIATE'); // another writer holds the lock
      clock.nowMs = MIN + 2000;
      manual.fire();
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(
        /^ROLLUP_WRITE_FAILED: writing 1 minute\(s\) of rollups failed: database is locked/,
      );
      store.db.exec('COMMIT');
      clock.nowMs = 2 * MIN + 2000;
      manual.fire();
      expect(errors).toHaveLength(1);
      expect([...store.rollups.readCounts(all)].map((r) => r.requests)).toEqual([8]);
    } finally {
      job.stop();
      busy.close();
    }
  });

  it('compacts minute rows older than 7 hours as it ticks', () => {
    const { engine, clock } = fakeEngine();
    const minuteAgo = (minutes: number) => {
      const minuteStartMs = EPOCH_MS - minutes * MIN;
      const row = {
        minuteStartMs,
        target: 'gpu-1',
        model: 'm',
        source: 'app' as const,
        requests: 2,
        outcomes: { ok: 2 },
        sketches: {},
      };
      return { minuteStartMs, rows: [row] };
    };
    // 8 h ago: a whole 15-minute period; 6 h ago: still read by the 6h chart, kept as minutes.
    store.rollups.replaceMinutes(9, [480, 479, 466, 360, 359].map(minuteAgo));
    const job = new RollupJob({ metrics: engine, rollups: store.rollups, runId: 1 });
    clock.nowMs = 2000;
    expect(job.tick()).toMatchObject({ ok: true, periodsCompacted: 1 });
    const rows = [...store.rollups.readCounts(all)].map((r) => [
      (r.minuteStartMs - EPOCH_MS) / MIN,
      r.requests,
    ]);
    expect(rows).toEqual([
      [-480, 6],
      [-360, 2],
      [-359, 2],
    ]);
    expect(job.tick()).toMatchObject({ ok: true, periodsCompacted: 0 });
  });

  it('prunes rows past the retention at most once per pruneEveryMs', () => {
    const { engine, clock, play } = fakeEngine();
    const day = 86_400_000;
    const old = (minutesAgo: number) => ({
      minuteStartMs: EPOCH_MS - minutesAgo * MIN,
      rows: [
        {
          minuteStartMs: EPOCH_MS - minutesAgo * MIN,
          target: 'gpu-1',
          model: 'm',
          source: 'app' as const,
          requests: 1,
          outcomes: { ok: 1 },
          sketches: {},
        },
      ],
    });
    store.rollups.replaceMinutes(9, [old(7 * 24 * 60 + 5), old(7 * 24 * 60 - 5), old(60)]);
    const job = new RollupJob({ metrics: engine, rollups: store.rollups, runId: 1 });
    expect(job.retentionMs).toBe(7 * day);
    clock.nowMs = 0;
    expect(job.tick()).toMatchObject({ ok: true, rowsPruned: 1 });
    play(...calls(1, 0, 1000, 12));
    clock.nowMs = 10 * MIN; // the minute of 7 days minus 5 minutes is now past the retention, but not due
    expect(job.tick()).toMatchObject({ ok: true, minutesWritten: 9, rowsWritten: 1, rowsPruned: 0 });
    clock.nowMs = 60 * MIN;
    expect(job.tick()).toMatchObject({ ok: true, rowsPruned: 1 });
    expect([...store.rollups.readCounts(all)].map((r) => (r.minuteStartMs - EPOCH_MS) / MIN)).toEqual([
      -60, 0,
    ]);
    expect(() => new RollupJob({ metrics: engine, rollups: store.rollups, retentionMs: 0 })).toThrow(
      /retentionMs/,
    );
  });
});

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
