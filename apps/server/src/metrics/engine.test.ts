import type { Outcome, Window } from '@lookout/contracts';
import { SnapshotSchema } from '@lookout/contracts';
import { describe, expect, it } from 'vitest';
import type { CallEvent } from './call-events.ts';
import type { ScriptedCall } from './call-script.ts';
import { scriptCall, seeded } from './call-script.ts';
import { MetricsEngine } from './engine.ts';
import type { TargetGauges } from './types.ts';

const EPOCH_MS = Date.parse('2025-11-22T17:00:00.000Z');

/** An engine on a fake clock, with two configured targets. */
function setup(
  options: { maxOpenCallAgeMs?: number; maxModelsPerTarget?: number; gauges?: TargetGauges[] } = {},
) {
  const clock = { nowMs: 0 };
  const gauges: TargetGauges[] = options.gauges ?? [
    { name: 'gpu-1', url: 'http://127.0.0.1:11434', queueDepth: 0, inFlight: 0, maxConcurrent: 4 },
    { name: 'gpu-2', url: 'http://127.0.0.1:11435', queueDepth: 0, inFlight: 0, maxConcurrent: 4 },
  ];
  const engine = new MetricsEngine({
    gauges: { targets: () => gauges },
    now: () => clock.nowMs,
    toEpochMs: (ms) => EPOCH_MS + ms,
    ...(options.maxOpenCallAgeMs === undefined ? {} : { maxOpenCallAgeMs: options.maxOpenCallAgeMs }),
    ...(options.maxModelsPerTarget === undefined ? {} : { maxModelsPerTarget: options.maxModelsPerTarget }),
  });
  const play = (...calls: ScriptedCall[]) => {
    for (const call of calls) for (const event of scriptCall(call)) engine.onEvent(event);
  };
  return { engine, clock, play };
}

/** The exact value at the rank the sketch estimates. */
function exact(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

function expectNear(estimate: number | undefined, exactValue: number): void {
  expect(estimate).toBeDefined();
  expect(Math.abs(estimate! - exactValue)).toBeLessThanOrEqual(exactValue * 0.01 + 0.001);
}

let nextId = 0;
const id = () => `call-${++nextId}`;

describe('MetricsEngine: measures', () => {
  it('derives latency, ttft, queue wait and tokens/s of one call as DESIGN.md defines them', () => {
    const { engine, play } = setup();
    play({
      callId: id(),
      startedAtMs: 1000,
      model: 'llama3.2:3b',
      queueWaitMs: 250,
      ttftMs: 400,
      totalMs: 2000,
      chunks: 5,
      evalCount: 50,
      evalDurationNs: 1_000_000_000,
    });
    const window = engine.buildSnapshot(5000).targets[0]!.models['llama3.2:3b']!.windows['1m'];
    expect(window.requests).toBe(1);
    expect(window.latencyMs).toEqual({ count: 1, p50: 2000, p90: 2000, p95: 2000, p99: 2000, max: 2000 });
    expect(window.ttftMs?.p50).toBe(400);
    expect(window.queueWaitMs?.p50).toBe(250);
    expect(window.tokensPerSec?.p50).toBe(50);
  });

  it('keeps latency to ok calls, but ttft and queue wait for every call that reached them', () => {
    const { engine, play } = setup();
    play(
      {
        callId: id(),
        startedAtMs: 0,
        model: 'm',
        queueWaitMs: 10,
        ttftMs: 100,
        totalMs: 900,
        outcome: 'timeout_idle',
      },
      {
        callId: id(),
        startedAtMs: 0,
        model: 'm',
        queueWaitMs: 20,
        totalMs: 30_000,
        outcome: 'timeout_first_byte',
      },
      { callId: id(), startedAtMs: 0, model: 'm', totalMs: 5, outcome: 'bad_request' },
    );
    const window = engine.buildSnapshot(31_000).fleet.windows['1m'];
    expect(window.requests).toBe(3);
    expect(window.latencyMs).toBeNull();
    expect(window.ttftMs?.count).toBe(1);
    expect(window.queueWaitMs?.count).toBe(2);
    expect(window.tokensPerSec).toBeNull();
    expect(window.timeouts).toBe(2);
  });

  it('skips tokens/s when the final chunk has no eval metrics or a zero duration', () => {
    const { engine, play } = setup();
    play(
      { callId: id(), startedAtMs: 0, model: 'm', queueWaitMs: 0, totalMs: 10 },
      {
        callId: id(),
        startedAtMs: 0,
        model: 'm',
        queueWaitMs: 0,
        totalMs: 10,
        evalCount: 5,
        evalDurationNs: 0,
      },
    );
    expect(engine.buildSnapshot(100).fleet.windows['1m'].tokensPerSec).toBeNull();
  });

  it('reports p50/p95/p99 within 1% of the exact values over many calls', () => {
    const { engine, play } = setup();
    const random = seeded(3);
    const latencies: number[] = [];
    const ttfts: number[] = [];
    const speeds: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const totalMs = 50 + random() ** 3 * 20_000;
      const ttftMs = 10 + random() * totalMs * 0.2;
      const evalCount = 1 + Math.floor(random() * 400);
      const evalDurationNs = (totalMs - ttftMs) * 1e6;
      latencies.push(totalMs);
      ttfts.push(ttftMs);
      speeds.push((evalCount / evalDurationNs) * 1e9);
      play({
        callId: id(),
        startedAtMs: 1000,
        model: 'm',
        queueWaitMs: 1,
        ttftMs,
        totalMs,
        evalCount,
        evalDurationNs,
      });
    }
    const window = engine.buildSnapshot(25_000).fleet.windows['1m'];
    expect(window.latencyMs?.count).toBe(5000);
    for (const [quantiles, values] of [
      [window.latencyMs, latencies],
      [window.ttftMs, ttfts],
      [window.tokensPerSec, speeds],
    ] as const) {
      expectNear(quantiles?.p50, exact(values, 0.5));
      expectNear(quantiles?.p90, exact(values, 0.9));
      expectNear(quantiles?.p95, exact(values, 0.95));
      expectNear(quantiles?.p99, exact(values, 0.99));
      expect(quantiles?.max).toBeCloseTo(Math.max(...values), 3);
    }
  });
});

describe('MetricsEngine: counts and windows', () => {
  it('counts every outcome exactly and sums the timeouts', () => {
    const { engine, play } = setup();
    const mix: [Outcome, number][] = [
      ['ok', 40],
      ['timeout_connect', 3],
      ['timeout_first_byte', 2],
      ['timeout_idle', 1],
      ['timeout_total', 4],
      ['queue_full', 5],
      ['queue_timeout', 6],
      ['upstream_busy', 7],
      ['upstream_error', 8],
      ['network_error', 9],
      ['client_abort', 10],
      ['bad_request', 11],
    ];
    for (const [outcome, n] of mix) {
      for (let i = 0; i < n; i++) {
        const dispatched = !['queue_full', 'queue_timeout', 'bad_request'].includes(outcome);
        play({
          callId: id(),
          startedAtMs: 100,
          model: 'm',
          outcome,
          totalMs: 50,
          ...(dispatched ? { queueWaitMs: 1 } : {}),
        });
      }
    }
    const window = engine.buildSnapshot(1000).fleet.windows['15m'];
    expect(window.requests).toBe(106);
    expect(window.outcomes).toEqual(Object.fromEntries(mix));
    expect(window.timeouts).toBe(10);
    expect(window.latencyMs?.count).toBe(40);
  });

  it('counts a call in the slot of its terminal event, and ages windows out slot by slot', () => {
    const { engine, play } = setup();
    // Starts in slot 0, ends at 12 s: slot 1.
    play({ callId: id(), startedAtMs: 2000, model: 'm', queueWaitMs: 1, totalMs: 10_000 });
    const requests = (nowMs: number) => {
      const w = engine.buildSnapshot(nowMs).fleet.windows;
      return [w['1m'].requests, w['5m'].requests, w['15m'].requests];
    };
    expect(requests(9_999)).toEqual([0, 0, 0]);
    expect(requests(12_000)).toEqual([1, 1, 1]);
    expect(requests(69_999)).toEqual([1, 1, 1]);
    expect(requests(70_000)).toEqual([0, 1, 1]);
    expect(requests(309_999)).toEqual([0, 1, 1]);
    expect(requests(310_000)).toEqual([0, 0, 1]);
    expect(requests(909_999)).toEqual([0, 0, 1]);
    expect(requests(910_000)).toEqual([0, 0, 0]);
  });

  it('reuses a slot when time comes round to it, dropping what it held', () => {
    const { engine, play } = setup();
    play({ callId: id(), startedAtMs: 0, model: 'm', queueWaitMs: 1, totalMs: 100 });
    // 90 slots later the ring slot of t=0 is reused for t=900 s.
    play({
      callId: id(),
      startedAtMs: 900_000,
      model: 'm',
      queueWaitMs: 1,
      totalMs: 200,
      outcome: 'upstream_error',
    });
    const window = engine.buildSnapshot(900_500).fleet.windows['15m'];
    expect(window.requests).toBe(1);
    expect(window.outcomes.upstream_error).toBe(1);
    expect(window.latencyMs).toBeNull();
    // Totals since start keep both.
    expect(engine.requestTotals().reduce((n, t) => n + t.requests, 0)).toBe(2);
  });

  it('counts events older than the 15-minute ring in totals only, as late', () => {
    const { engine, play } = setup();
    play({ callId: id(), startedAtMs: 1_000_000, model: 'm', queueWaitMs: 1, totalMs: 100 });
    play({ callId: id(), startedAtMs: 0, model: 'm', queueWaitMs: 1, totalMs: 100 });
    expect(engine.anomalies().lateEvents).toBe(1);
    expect(engine.buildSnapshot(1_000_200).fleet.windows['15m'].requests).toBe(1);
    expect(engine.requestTotals()[0]?.requests).toBe(2);
  });
});

describe('MetricsEngine: merges', () => {
  function mixedCalls(): ScriptedCall[] {
    const random = seeded(11);
    const calls: ScriptedCall[] = [];
    const outcomes: Outcome[] = ['ok', 'ok', 'ok', 'timeout_idle', 'upstream_error'];
    for (let i = 0; i < 600; i++) {
      const target = random() < 0.5 ? 'gpu-1' : 'gpu-2';
      const model = ['llama3.2:3b', 'qwen3:8b', undefined][Math.floor(random() * 3)];
      const startedAtMs = Math.floor(random() * 800_000);
      const totalMs = 20 + random() * 8000;
      const outcome = outcomes[Math.floor(random() * outcomes.length)]!;
      calls.push({
        callId: id(),
        startedAtMs,
        target,
        ...(model === undefined ? {} : { model }),
        outcome,
        queueWaitMs: random() * 50,
        ttftMs: 5 + random() * 15,
        totalMs,
        evalCount: 10,
        evalDurationNs: totalMs * 1e6,
      });
    }
    return calls;
  }

  const windowsOf = (w: { windows: Record<string, Window> }) => w.windows;

  it('target stats equal one series holding all the target’s calls, models included', () => {
    const calls = mixedCalls();
    const nowMs = 810_000;
    const split = setup();
    split.play(...calls);
    const snapshot = split.engine.buildSnapshot(nowMs);
    for (const name of ['gpu-1', 'gpu-2']) {
      const merged = setup();
      merged.play(
        ...calls.filter((c) => c.target === name).map((c) => ({ ...c, target: 'gpu-1', model: 'all' })),
      );
      const target = snapshot.targets.find((t) => t.name === name)!;
      expect(windowsOf(target.stats)).toEqual(
        windowsOf(merged.engine.buildSnapshot(nowMs).targets[0]!.models.all!),
      );
    }
  });

  it('model stats equal one target holding only that model’s calls', () => {
    const calls = mixedCalls();
    const nowMs = 810_000;
    const split = setup();
    split.play(...calls);
    const gpu1 = split.engine.buildSnapshot(nowMs).targets[0]!;
    expect(Object.keys(gpu1.models).sort()).toEqual(['llama3.2:3b', 'qwen3:8b']);
    const only = setup();
    only.play(...calls.filter((c) => c.target === 'gpu-1' && c.model === 'qwen3:8b'));
    expect(windowsOf(gpu1.models['qwen3:8b']!)).toEqual(
      windowsOf(only.engine.buildSnapshot(nowMs).targets[0]!.stats),
    );
  });

  it('fleet stats equal one target and one model holding every call', () => {
    const calls = mixedCalls();
    const nowMs = 810_000;
    const split = setup();
    split.play(...calls);
    const merged = setup();
    merged.play(...calls.map((c) => ({ ...c, target: 'gpu-1', model: 'all' })));
    const fleet = split.engine.buildSnapshot(nowMs).fleet;
    expect(windowsOf(fleet)).toEqual(windowsOf(merged.engine.buildSnapshot(nowMs).targets[0]!.models.all!));
    expect(fleet.windows['15m'].requests).toBe(
      calls.filter((c) => c.startedAtMs + c.totalMs >= 810_000 - 900_000).length,
    );
  });

  it('counts calls that reached no target in the fleet only', () => {
    const { engine, play } = setup();
    play({ callId: id(), startedAtMs: 0, model: 'm', totalMs: 1, outcome: 'bad_request' });
    const snapshot = engine.buildSnapshot(100);
    expect(snapshot.fleet.windows['1m'].outcomes.bad_request).toBe(1);
    expect(snapshot.targets.every((t) => t.stats.windows['1m'].requests === 0)).toBe(true);
  });
});

describe('MetricsEngine: per-call state and outcomes', () => {
  it('holds state only while calls are open', () => {
    const { engine } = setup();
    const specs = Array.from({ length: 50 }, (_, i) => ({
      callId: id(),
      startedAtMs: i * 10,
      model: 'm',
      queueWaitMs: 5,
      ttftMs: 20,
      totalMs: 100,
      chunks: 3,
    }));
    const scripts = specs.map(scriptCall);
    // Play every call but its terminal event, then the terminal events.
    for (const events of scripts) for (const e of events.slice(0, -1)) engine.onEvent(e);
    expect(engine.openCalls).toBe(50);
    for (const events of scripts) engine.onEvent(events.at(-1)!);
    expect(engine.openCalls).toBe(0);
    expect(engine.buildSnapshot(1000).fleet.windows['1m'].requests).toBe(50);
  });

  it('counts one outcome per call: retries do not count, a second terminal event is ignored', () => {
    const { engine } = setup();
    const events = scriptCall({
      callId: 'retried',
      startedAtMs: 0,
      model: 'm',
      queueWaitMs: 5,
      totalMs: 900,
    });
    const dispatched = events.find((e) => e.type === 'dispatched')!;
    const retry: CallEvent = {
      type: 'retry',
      call: dispatched.call,
      atMs: 100,
      target: 'gpu-1',
      attempt: 1,
      delayMs: 50,
      code: 'ECONNREFUSED',
      outcome: 'timeout_connect',
    };
    const [queued, ...rest] = events;
    for (const e of [queued!, dispatched, retry, ...rest]) engine.onEvent(e);
    const terminal = events.at(-1)!;
    engine.onEvent(terminal);
    engine.onEvent({
      ...terminal,
      type: 'failed',
      outcome: 'client_abort',
      code: 'X',
      message: '',
      status: undefined,
      afterFirstByte: true,
      target: 'gpu-1',
      attempts: 1,
    } as CallEvent);
    const window = engine.buildSnapshot(1000).fleet.windows['1m'];
    expect(window.requests).toBe(1);
    expect(window.outcomes.ok).toBe(1);
    expect(window.outcomes.timeout_connect).toBe(0);
    expect(window.outcomes.client_abort).toBe(0);
    expect(engine.anomalies().duplicateTerminals).toBe(2);
    expect(engine.openCalls).toBe(0);
  });

  it('does not reopen a closed call on a stray late event', () => {
    const { engine } = setup();
    const events = scriptCall({
      callId: 'closed',
      startedAtMs: 0,
      model: 'm',
      queueWaitMs: 1,
      ttftMs: 2,
      totalMs: 10,
    });
    for (const e of events) engine.onEvent(e);
    engine.onEvent(events.find((e) => e.type === 'first_token')!);
    expect(engine.openCalls).toBe(0);
  });

  it('drops calls open longer than maxOpenCallAgeMs, counting them as abandoned', () => {
    const { engine, clock } = setup({ maxOpenCallAgeMs: 60_000 });
    const events = scriptCall({ callId: 'stuck', startedAtMs: 0, model: 'm', queueWaitMs: 1, totalMs: 10 });
    engine.onEvent(events[0]!);
    expect(engine.openCalls).toBe(1);
    clock.nowMs = 59_000;
    engine.buildSnapshot();
    expect(engine.openCalls).toBe(1);
    clock.nowMs = 61_000;
    engine.buildSnapshot();
    expect(engine.openCalls).toBe(0);
    expect(engine.anomalies().abandonedCalls).toBe(1);
  });

  it('never throws to the emitter, and counts what it could not handle', () => {
    const { engine } = setup();
    const broken = { type: 'done', atMs: 1, target: 'gpu-1', metrics: {} } as unknown as CallEvent;
    expect(() => engine.onEvent(broken)).not.toThrow();
    expect(() => engine.onEvent(null as unknown as CallEvent)).not.toThrow();
    expect(engine.anomalies().internalErrors).toBe(2);
  });
});

describe('MetricsEngine: sources', () => {
  it('keeps probes and test prompts out of the snapshot, but counts them by source', () => {
    const { engine, play } = setup();
    play(
      { callId: id(), startedAtMs: 0, model: 'm', queueWaitMs: 1, totalMs: 5000 },
      { callId: id(), startedAtMs: 0, model: 'm', queueWaitMs: 1, totalMs: 10, source: 'probe' },
      {
        callId: id(),
        startedAtMs: 0,
        model: 'm',
        queueWaitMs: 1,
        totalMs: 20,
        source: 'test_prompt',
        outcome: 'timeout_idle',
      },
    );
    const snapshot = engine.buildSnapshot(6000);
    expect(snapshot.fleet.windows['1m'].requests).toBe(1);
    expect(snapshot.fleet.windows['1m'].latencyMs?.max).toBe(5000);
    expect(snapshot.fleet.windows['1m'].timeouts).toBe(0);
    const bySource = Object.fromEntries(engine.requestTotals().map((t) => [t.source, t]));
    expect(bySource.app?.outcomes.ok).toBe(1);
    expect(bySource.probe?.outcomes.ok).toBe(1);
    expect(bySource.test_prompt?.outcomes.timeout_idle).toBe(1);
    expect(bySource.test_prompt?.requests).toBe(1);
  });

  it('caps the models per target, folding the rest into "(other)"', () => {
    const { engine, play } = setup({ maxModelsPerTarget: 2 });
    for (const model of ['a', 'b', 'c', 'd', 'a']) {
      play({ callId: id(), startedAtMs: 0, model, queueWaitMs: 1, totalMs: 10 });
    }
    const models = engine.buildSnapshot(100).targets[0]!.models;
    expect(Object.keys(models).sort()).toEqual(['(other)', 'a', 'b']);
    expect(models['(other)']!.windows['1m'].requests).toBe(2);
    expect(models.a!.windows['1m'].requests).toBe(2);
  });
});

describe('MetricsEngine: snapshot', () => {
  it('builds a snapshot the contract schema accepts, passing gauges and probe info through', () => {
    const gauges: TargetGauges[] = [
      {
        name: 'gpu-1',
        url: 'http://127.0.0.1:11434',
        queueDepth: 3,
        inFlight: 4,
        maxConcurrent: 4,
        models: {
          'llama3.2:3b': { queueDepth: 3, inFlight: 2 },
          'idle:1b': { queueDepth: 0, inFlight: 0 },
          'cold:7b': { queueDepth: 0, inFlight: 2 },
        },
      },
      { name: 'gpu-2', url: 'http://127.0.0.1:11435', queueDepth: 1, inFlight: 0, maxConcurrent: 2 },
    ];
    const clock = { nowMs: 30_000 };
    const engine = new MetricsEngine({
      gauges: { targets: () => gauges },
      targetInfo: {
        info: (name) =>
          name === 'gpu-1'
            ? {
                health: 'up',
                version: '0.12.3',
                lastProbeAt: '2025-11-22T17:00:25.000Z',
                loadedModels: [
                  {
                    name: 'llama3.2:3b',
                    sizeBytes: 3e9,
                    sizeVramBytes: 2.9e9,
                    expiresAt: '2025-11-22T17:05:00.000Z',
                  },
                ],
              }
            : undefined,
      },
      now: () => clock.nowMs,
      toEpochMs: (ms) => EPOCH_MS + ms,
    });
    for (const e of scriptCall({
      callId: id(),
      startedAtMs: 1000,
      target: 'gpu-1',
      model: 'llama3.2:3b',
      queueWaitMs: 3,
      ttftMs: 80,
      totalMs: 900,
      evalCount: 20,
      evalDurationNs: 8e8,
    })) {
      engine.onEvent(e);
    }
    const snapshot = engine.buildSnapshot();
    expect(SnapshotSchema.parse(JSON.parse(JSON.stringify(snapshot)))).toEqual(snapshot);
    expect(snapshot.at).toBe('2025-11-22T17:00:30.000Z');
    const [gpu1, gpu2] = snapshot.targets;
    expect(gpu1).toMatchObject({
      name: 'gpu-1',
      health: 'up',
      version: '0.12.3',
      queueDepth: 3,
      inFlight: 4,
      maxConcurrent: 4,
    });
    expect(gpu1!.loadedModels).toHaveLength(1);
    expect(Object.keys(gpu1!.models).sort()).toEqual(['cold:7b', 'llama3.2:3b']);
    expect(gpu1!.models['llama3.2:3b']).toMatchObject({ queueDepth: 3, inFlight: 2 });
    expect(gpu1!.models['cold:7b']!.windows['15m'].requests).toBe(0);
    expect(gpu2).toMatchObject({ name: 'gpu-2', health: 'unknown', loadedModels: [], queueDepth: 1 });
    expect(gpu2).not.toHaveProperty('version');
    expect(snapshot.fleet).toMatchObject({ queueDepth: 4, inFlight: 4 });
    expect(snapshot.fleet.windows['1m'].tokensPerSec?.p50).toBe(25);
  });

  it('passes alert states through', () => {
    const { engine } = setup();
    const alert = {
      ruleId: 'r1',
      ruleName: 'down',
      metric: 'target_down',
      severity: 'critical',
      scope: { target: 'gpu-2', model: '*' },
      state: 'firing',
      value: 1,
      threshold: 0.5,
      since: '2025-11-22T16:59:00.000Z',
    } as const;
    const snapshot = engine.buildSnapshot(0, [alert]);
    expect(snapshot.alerts).toEqual([alert]);
    expect(SnapshotSchema.safeParse(snapshot).success).toBe(true);
  });
});
