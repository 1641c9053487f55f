import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDataDir } from '../history/history-fixture.ts';
import { QuantileSketch } from '../metrics/index.ts';
import type { Store } from './open.ts';
import { openStore } from './open.ts';
import type { RollupRow } from './rollups.ts';

const T0 = Date.parse('2025-11-22T17:00:00.000Z');
const MIN = 60_000;

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

function row(minuteStartMs: number, part: Partial<RollupRow> = {}, latencies: number[] = []): RollupRow {
  const latencyMs = new QuantileSketch();
  for (const v of latencies) latencyMs.add(v);
  return {
    minuteStartMs,
    target: 'gpu-1',
    model: 'llama3.2:3b',
    source: 'app',
    requests: latencies.length,
    outcomes: { ok: latencies.length },
    sketches: latencies.length > 0 ? { latencyMs } : {},
    ...part,
  };
}

const all = { fromMs: 0, toMs: Number.MAX_SAFE_INTEGER, source: 'app' as const };

describe('RollupTable', () => {
  it('writes a minute again in place: the second write of the same run replaces the first', () => {
    store.rollups.replaceMinutes(1, [{ minuteStartMs: T0, rows: [row(T0, {}, [100, 200])] }]);
    store.rollups.replaceMinutes(1, [{ minuteStartMs: T0, rows: [row(T0, {}, [100, 200, 300])] }]);
    expect([...store.rollups.readCounts(all)]).toEqual([
      { minuteStartMs: T0, requests: 3, outcomes: { ok: 3 } },
    ]);
    const [only] = [...store.rollups.readSketches(all, 'latencyMs')];
    expect(only?.sketch.count).toBe(3);
    expect(only?.sketch.max).toBe(300);
  });

  it('keeps rows of two runs in the same minute apart (a restart within a minute)', () => {
    store.rollups.replaceMinutes(1, [{ minuteStartMs: T0, rows: [row(T0, {}, [100])] }]);
    store.rollups.replaceMinutes(2, [{ minuteStartMs: T0, rows: [row(T0, {}, [200, 300])] }]);
    const requests = [...store.rollups.readCounts(all)].map((r) => r.requests).sort();
    expect(requests).toEqual([1, 2]);
  });

  it('reads by time range, source, target and model', () => {
    store.rollups.replaceMinutes(1, [
      {
        minuteStartMs: T0,
        rows: [
          row(T0, { requests: 1 }),
          row(T0, { target: 'gpu-2', requests: 2 }),
          row(T0, { model: 'qwen3:8b', requests: 4 }),
          row(T0, { source: 'probe', requests: 8 }),
        ],
      },
      { minuteStartMs: T0 + MIN, rows: [row(T0 + MIN, { requests: 16 })] },
    ]);
    const sum = (filter: Parameters<Store['rollups']['readCounts']>[0]) =>
      [...store.rollups.readCounts(filter)].reduce((n, r) => n + r.requests, 0);
    expect(sum(all)).toBe(1 + 2 + 4 + 16);
    expect(sum({ ...all, source: 'probe' })).toBe(8);
    expect(sum({ ...all, target: 'gpu-1' })).toBe(1 + 4 + 16);
    expect(sum({ ...all, target: 'gpu-1', model: 'qwen3:8b' })).toBe(4);
    expect(sum({ ...all, model: 'llama3.2:3b' })).toBe(1 + 2 + 16);
    expect(sum({ ...all, fromMs: T0 + MIN })).toBe(16);
    expect(sum({ ...all, toMs: T0 + MIN })).toBe(1 + 2 + 4);
  });

  it('prunes the minutes before a time and nothing after', () => {
    store.rollups.replaceMinutes(
      1,
      [0, 1, 2, 3].map((m) => ({ minuteStartMs: T0 + m * MIN, rows: [row(T0 + m * MIN, { requests: 1 })] })),
    );
    expect(store.rollups.pruneBefore(T0 + 2 * MIN)).toBe(2);
    expect([...store.rollups.readCounts(all)].map((r) => r.minuteStartMs)).toEqual([
      T0 + 2 * MIN,
      T0 + 3 * MIN,
    ]);
  });

  it('writes all the minutes given or none (one transaction)', () => {
    const bad = { ...row(T0 + MIN), minuteStartMs: T0 + 2 * MIN };
    expect(() =>
      store.rollups.replaceMinutes(1, [
        { minuteStartMs: T0, rows: [row(T0, { requests: 1 })] },
        { minuteStartMs: T0 + MIN, rows: [bad] },
      ]),
    ).toThrow(RangeError);
    expect([...store.rollups.readCounts(all)]).toEqual([]);
  });

  it('compacts a period into one row per series, exactly, runs and unknown outcomes included', () => {
    const Q = 15 * MIN;
    const values = (m: number) => [100 + m, 2000 + 10 * m, 30 * (m + 1)];
    store.rollups.replaceMinutes(
      1,
      [0, 1, 14, 15].map((m) => ({
        minuteStartMs: T0 + m * MIN,
        rows: [
          row(T0 + m * MIN, {}, values(m)),
          row(T0 + m * MIN, { target: 'gpu-2', requests: 1, outcomes: { queue_full: 1 } }),
        ],
      })),
    );
    store.rollups.replaceMinutes(2, [{ minuteStartMs: T0 + MIN, rows: [row(T0 + MIN, {}, [7])] }]);
    store.db
      .prepare(
        'UPDATE rollups SET outcomes = \'{"ok":3,"from_the_future":2}\', requests = 5 WHERE minute_start = ? AND target = \'gpu-1\' AND run_id = 1',
      )
      .run(T0 + 14 * MIN);
    expect(store.rollups.oldestRowShorterThan(Q)).toBe(T0);

    expect(store.rollups.compactPeriod(T0, Q)).toEqual({ rowsBefore: 7, rowsAfter: 2 });
    expect(store.rollups.compactPeriod(T0, Q)).toEqual({ rowsBefore: 2, rowsAfter: 2 }); // idempotent
    expect(store.rollups.oldestRowShorterThan(Q)).toBe(T0 + Q);

    const gpu1 = { ...all, target: 'gpu-1', toMs: T0 + Q };
    expect([...store.rollups.readCounts(gpu1)]).toEqual([
      { minuteStartMs: T0, requests: 3 + 3 + 1 + 5, outcomes: { ok: 3 + 3 + 1 + 3 } },
    ]);
    expect([...store.rollups.readCounts({ ...gpu1, target: 'gpu-2' })]).toEqual([
      { minuteStartMs: T0, requests: 3, outcomes: { queue_full: 3 } },
    ]);
    const stored = store.db
      .prepare('SELECT outcomes, run_id, span_ms FROM rollups WHERE minute_start = ? AND target = ?')
      .get(T0, 'gpu-1');
    expect(stored).toEqual({ outcomes: '{"ok":10,"from_the_future":2}', run_id: 0, span_ms: Q });
    const [compacted] = [...store.rollups.readSketches(gpu1, 'latencyMs')];
    const direct = new QuantileSketch();
    for (const v of [...values(0), ...values(1), ...values(14), 7]) direct.add(v);
    expect(compacted?.sketch.toData()).toEqual(direct.toData());
  });

  it('reports an unreadable row as STORE_CORRUPT_ROW', () => {
    store.rollups.replaceMinutes(1, [{ minuteStartMs: T0, rows: [row(T0, {}, [100])] }]);
    store.db.prepare("UPDATE rollups SET latency_ms = x'0102', outcomes = '[1]'").run();
    expect(() => [...store.rollups.readSketches(all, 'latencyMs')]).toThrow(/unreadable latency_ms/);
    expect(() => [...store.rollups.readCounts(all)]).toThrow(/unreadable outcomes/);
  });
});
