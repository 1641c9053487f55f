/**
 * The limiter against a model of an Ollama target in virtual time (N slots, FIFO queue, 24 closed-loop
 * clients through a real TargetGate). Timings are Ollama-like (prompt 100-300 ms, 50 tokens at 30 ms), so
 * virtual seconds read as real ones: "settles within 60 s" is checked as stated.
 */
import { describe, expect, test } from 'vitest';
import type { CallEvent } from '../events.ts';
import { AdaptiveConcurrency } from './adaptive-concurrency.ts';
import type { AdaptiveConcurrencyOptions } from './options.ts';
import {
  type CallShape,
  closedLoad,
  nativeStream,
  sampleEvery,
  VirtualClock,
  VirtualTarget,
} from './virtual-target.ts';

interface Run {
  clock: VirtualClock;
  target: VirtualTarget;
  limiter: AdaptiveConcurrency;
  /** The limit, every second. */
  limits: { atMs: number; value: number }[];
  /** The gate's queue depth, every second. */
  depths: { atMs: number; value: number }[];
}

interface RunOptions {
  /** Slots from each moment on: [[0, 4], [120_000, 8]]. */
  slots: [atMs: number, slots: number][];
  untilMs: number;
  clients?: number;
  shape?: (random: () => number) => CallShape;
  limiter?: Partial<AdaptiveConcurrencyOptions>;
  /** Runs at the given moments, with the run (to swap models, reset, ...). */
  at?: [atMs: number, action: (run: Run) => void][];
  seed?: number;
}

async function run(options: RunOptions): Promise<Run> {
  const clock = new VirtualClock();
  const target = new VirtualTarget({ clock, slots: options.slots[0]![1] });
  const limiter = new AdaptiveConcurrency(target.gate, {
    minLimit: 1,
    maxLimit: 32,
    now: clock.now,
    ...options.limiter,
  });
  const result: Run = {
    clock,
    target,
    limiter,
    limits: sampleEvery(clock, 0, options.untilMs, 1_000, () => limiter.limit),
    depths: sampleEvery(clock, 0, options.untilMs, 1_000, () => target.gate.queueDepth),
  };
  for (const [atMs, slots] of options.slots) clock.at(atMs, () => target.setSlots(slots));
  for (const [atMs, action] of options.at ?? []) clock.at(atMs, () => action(result));
  const load = closedLoad(target, clock, (e) => limiter.onEvent(e), {
    clients: options.clients ?? 24,
    stopAtMs: options.untilMs,
    shape: options.shape ?? nativeStream(),
    seed: options.seed ?? 7,
  });
  await clock.run(Number.POSITIVE_INFINITY);
  await load;
  expect(target.gate.inFlight).toBe(0);
  expect(target.gate.queueDepth).toBe(0);
  return result;
}

const between = <T extends { atMs: number }>(points: T[], fromMs: number, toMs: number): T[] =>
  points.filter((p) => p.atMs >= fromMs && p.atMs < toMs);

/** Every sampled limit in [fromMs, toMs) is within one of `truth`, and most are `truth` itself. */
function expectSettled(r: Run, truth: number, fromMs: number, toMs: number): void {
  const limits = between(r.limits, fromMs, toMs).map((p) => p.value);
  expect(limits.length).toBeGreaterThan(10);
  const off = limits.filter((l) => Math.abs(l - truth) > 1);
  expect(off, `limits ${limits.join(',')} against ${truth}`).toEqual([]);
  expect(limits.filter((l) => l === truth).length / limits.length).toBeGreaterThanOrEqual(0.5);
}

function meanSlotWaitMs(r: Run, fromMs: number, toMs: number): number {
  const waits = between(r.target.slotWaits, fromMs, toMs).map((w) => w.waitedMs);
  return waits.reduce((a, b) => a + b, 0) / waits.length;
}

/** A call holds a slot for about 1.7 s (prompt 100-300 ms, then 50 tokens at 30 ms). */
const SERVICE_MS = 1_700;

describe('learns the hidden parallelism', () => {
  for (const truth of [1, 2, 4, 8]) {
    test(`settles within ±1 of ${truth} within 60 s; Ollama's queue stays near empty, the gate's holds the backlog`, async () => {
      const r = await run({ slots: [[0, truth]], untilMs: 180_000 });
      expectSettled(r, truth, 60_000, 180_000);
      // With the limit 16 instead, every call would wait (16 - N) / N service times inside Ollama.
      const tooHighWaitMs = ((16 - truth) / truth) * SERVICE_MS;
      const settledWaitMs = meanSlotWaitMs(r, 60_000, 180_000);
      expect(settledWaitMs).toBeLessThan(SERVICE_MS / truth / 3);
      expect(settledWaitMs).toBeLessThan(tooHighWaitMs / 10);
      // 24 clients: whatever Ollama is not running waits in the gate, where it can be seen.
      for (const { value } of between(r.depths, 60_000, 180_000)) {
        expect(value).toBeGreaterThanOrEqual(24 - (truth + 1));
      }
    });
  }

  test('follows the parallelism as it changes at runtime (2, 8, 1, 4), each within 60 s', async () => {
    const PHASE_MS = 150_000;
    const truths = [2, 8, 1, 4];
    const r = await run({
      slots: truths.map((n, i) => [i * PHASE_MS, n]),
      untilMs: truths.length * PHASE_MS,
    });
    for (const [i, truth] of truths.entries()) {
      expectSettled(r, truth, i * PHASE_MS + 60_000, (i + 1) * PHASE_MS);
    }
  });

  test('prompt evaluation times that vary tenfold do not read as waiting (Ollama reports them)', async () => {
    const r = await run({
      slots: [[0, 4]],
      untilMs: 180_000,
      shape: nativeStream({ promptMinMs: 50, promptMaxMs: 1_500 }),
    });
    expectSettled(r, 4, 60_000, 180_000);
  });

  test('whole answers (stream:false) teach it as well as streams', async () => {
    const r = await run({
      slots: [[0, 4]],
      untilMs: 150_000,
      shape: (random) => ({ ...nativeStream()(random), kind: 'native_whole' }),
    });
    expectSettled(r, 4, 60_000, 150_000);
  });

  test('/v1 streams (no durations reported) use the raw time to the first byte', async () => {
    const r = await run({
      slots: [[0, 4]],
      untilMs: 150_000,
      shape: (random) => ({ ...nativeStream()(random), kind: 'openai_stream', promptEvalMs: 150 }),
    });
    expectSettled(r, 4, 60_000, 150_000);
  });

  test('the same events give the same decisions (no randomness, no wall clock)', async () => {
    const a = await run({
      slots: [
        [0, 4],
        [60_000, 2],
      ],
      untilMs: 120_000,
    });
    const b = await run({
      slots: [
        [0, 4],
        [60_000, 2],
      ],
      untilMs: 120_000,
    });
    expect(a.limiter.changes().length).toBeGreaterThan(3);
    expect(b.limiter.changes()).toEqual(a.limiter.changes());
  });
});

describe('grows only when the limit is used', () => {
  test('no events: the limit stays where it is', async () => {
    const clock = new VirtualClock();
    const target = new VirtualTarget({ clock, slots: 8 });
    const limiter = new AdaptiveConcurrency(target.gate, {
      minLimit: 1,
      maxLimit: 32,
      initialLimit: 4,
      now: clock.now,
    });
    clock.at(600_000, () => {});
    await clock.run(Number.POSITIVE_INFINITY);
    expect(limiter.limit).toBe(4);
    expect(target.gate.limits.maxConcurrent).toBe(4);
    expect(limiter.changes().map((c) => c.reason)).toEqual(['initial']);
  });

  test('three clients on eight slots never queue in the gate: the limit does not drift to max', async () => {
    const r = await run({ slots: [[0, 8]], untilMs: 300_000, clients: 3, limiter: { initialLimit: 4 } });
    expect(Math.max(...r.limits.map((p) => p.value))).toBe(4);
    expect(r.limiter.changes().map((c) => c.reason)).toEqual(['initial']);
  });

  test('from 1 with three clients it grows just past the demand, and stops there', async () => {
    const r = await run({ slots: [[0, 8]], untilMs: 300_000, clients: 3 });
    expect(r.limiter.limit).toBeGreaterThanOrEqual(3);
    expect(r.limiter.limit).toBeLessThanOrEqual(4);
  });
});

describe('bounds', () => {
  test('never below minLimit when Ollama runs one at a time, never above maxLimit when it runs eight', async () => {
    const low = await run({ slots: [[0, 1]], untilMs: 120_000, limiter: { minLimit: 3, maxLimit: 5 } });
    expect(low.limits.every((p) => p.value >= 3 && p.value <= 5)).toBe(true);
    expect(low.limiter.limit).toBe(3);
    const high = await run({ slots: [[0, 8]], untilMs: 120_000, limiter: { minLimit: 3, maxLimit: 5 } });
    expect(high.limits.every((p) => p.value >= 3 && p.value <= 5)).toBe(true);
    expect(high.limiter.limit).toBe(5);
  });
});

describe('model swaps and restarts', () => {
  test('reset() relearns: back to the initial limit, baseline forgotten, then settles on the new truth', async () => {
    let slow = false;
    const fast = nativeStream();
    const big = nativeStream({ model: 'llama3.1:70b', promptMinMs: 400, promptMaxMs: 900, tokenMs: 80 });
    const seen: { limit: number; baselineMs: number | undefined; reasons: string[] }[] = [];
    const r = await run({
      slots: [[0, 8]],
      untilMs: 240_000,
      shape: (random) => (slow ? big(random) : fast(random)),
      at: [
        [
          90_000,
          (run) => {
            run.target.setSlots(2);
            slow = true;
            run.limiter.reset('model swapped to llama3.1:70b');
            seen.push({
              limit: run.limiter.limit,
              baselineMs: run.limiter.baselineMs,
              reasons: run.limiter.changes().map((c) => c.reason),
            });
          },
        ],
      ],
    });
    expectSettled(r, 8, 60_000, 90_000);
    expect(seen[0]).toMatchObject({ limit: 1, baselineMs: undefined });
    expect(seen[0]!.reasons.at(-1)).toBe('reset');
    expect(r.limiter.changes().find((c) => c.reason === 'reset')).toMatchObject({
      from: expect.any(Number),
      to: 1,
      detail: 'model swapped to llama3.1:70b',
    });
    expectSettled(r, 2, 150_000, 240_000);
    expect(r.limiter.baselineMs).toBeDefined();
  });

  test('without a reset, a slower model under the same name (same key) is not stuck low: the baseline moves up', async () => {
    // `/v1` streams: no durations, so the slower prompt evaluation shows in the samples as it is.
    let promptEvalMs = 150;
    const r = await run({
      slots: [[0, 4]],
      untilMs: 400_000,
      shape: (random) => ({ ...nativeStream()(random), kind: 'openai_stream', promptEvalMs }),
      limiter: { baselineWindowMs: 60_000 },
      at: [[120_000, () => (promptEvalMs = 600)]],
    });
    expectSettled(r, 4, 60_000, 120_000);
    // Within the window plus a minute of rounds it is back, with a baseline that took the new level in.
    expectSettled(r, 4, 120_000 + 60_000 + 60_000, 400_000);
    expect(r.limiter.baselineMs).toBeGreaterThan(600);
  });

  test('after the target restarts on fewer slots with no reset, it comes down on its own', async () => {
    const r = await run({
      slots: [
        [0, 8],
        [100_000, 2],
      ],
      untilMs: 220_000,
    });
    expectSettled(r, 2, 160_000, 220_000);
  });
});

describe('events it is not concerned with', () => {
  const info = (callId: string, streaming = true) => ({
    callId,
    source: 'app' as const,
    method: 'POST',
    path: '/api/chat',
    endpoint: 'chat' as const,
    model: 'm',
    streaming,
    startedAtMs: 0,
  });

  test('events of other targets change nothing', async () => {
    const clock = new VirtualClock();
    const target = new VirtualTarget({ clock, slots: 1, name: 'other' });
    const mine = new VirtualTarget({ clock, slots: 1, name: 'gpu-1' });
    const limiter = new AdaptiveConcurrency(mine.gate, {
      minLimit: 1,
      maxLimit: 32,
      initialLimit: 2,
      now: clock.now,
    });
    target.gate.setLimits({ maxConcurrent: 16 });
    let events = 0;
    const load = closedLoad(
      target,
      clock,
      (e) => {
        events++;
        limiter.onEvent(e);
      },
      {
        clients: 24,
        stopAtMs: 60_000,
        shape: nativeStream(),
      },
    );
    await clock.run(Number.POSITIVE_INFINITY);
    await load;
    expect(events).toBeGreaterThan(100);
    expect(limiter.limit).toBe(2);
    expect(limiter.lastSampleMs).toBeUndefined();
    expect(limiter.changes().map((c) => c.reason)).toEqual(['initial']);
  });

  test('a call that failed over to another target ends there and is forgotten here', () => {
    const clock = new VirtualClock();
    const mine = new VirtualTarget({ clock, slots: 1 });
    const limiter = new AdaptiveConcurrency(mine.gate, { minLimit: 1, maxLimit: 8, now: clock.now });
    const call = info('c1');
    const events: CallEvent[] = [
      { type: 'dispatched', call, atMs: 0, target: 'gpu-1', attempt: 1 },
      {
        type: 'retry',
        call,
        atMs: 5,
        target: 'gpu-1',
        attempt: 1,
        delayMs: 10,
        code: 'X',
        outcome: 'network_error',
      },
      { type: 'dispatched', call, atMs: 20, target: 'gpu-2', attempt: 2 },
      { type: 'headers', call, atMs: 40, target: 'gpu-2', attempt: 2, status: 200 },
      {
        type: 'done',
        call,
        atMs: 90,
        target: 'gpu-2',
        status: 200,
        attempts: 2,
        metrics: { totalDurationNs: 1 },
      },
    ];
    for (const e of events) limiter.onEvent(e);
    expect(limiter.lastSampleMs).toBeUndefined();
    expect(limiter.limit).toBe(1);
  });
});

describe('overload signals', () => {
  const call = (callId: string) => ({
    callId,
    source: 'app' as const,
    method: 'POST',
    path: '/api/chat',
    endpoint: 'chat' as const,
    model: 'm',
    streaming: true,
    startedAtMs: 0,
  });

  test('a first-byte timeout or a 503 halves the limit once; failures of calls sent before that do not', () => {
    const clock = new VirtualClock();
    const target = new VirtualTarget({ clock, slots: 8 });
    const limiter = new AdaptiveConcurrency(target.gate, {
      minLimit: 1,
      maxLimit: 32,
      initialLimit: 16,
      now: clock.now,
    });
    for (const id of ['a', 'b', 'c']) {
      limiter.onEvent({ type: 'dispatched', call: call(id), atMs: 0, target: 'gpu-1', attempt: 1 });
    }
    clock.nowMs = 1_000;
    const fail = (
      id: string,
      outcome: 'timeout_first_byte' | 'upstream_busy' | 'client_abort' | 'upstream_error',
    ) =>
      limiter.onEvent({
        type: 'failed',
        call: call(id),
        atMs: clock.nowMs,
        target: 'gpu-1',
        outcome,
        code: 'X',
        message: 'x',
        status: undefined,
        attempts: 1,
        afterFirstByte: false,
      });
    fail('a', 'timeout_first_byte');
    expect(limiter.limit).toBe(8);
    expect(limiter.changes().at(-1)).toMatchObject({
      from: 16,
      to: 8,
      reason: 'overload',
      detail: 'timeout_first_byte',
    });
    fail('b', 'upstream_busy'); // sent before the decrease: already answered
    expect(limiter.limit).toBe(8);
    limiter.onEvent({ type: 'dispatched', call: call('d'), atMs: 1_500, target: 'gpu-1', attempt: 1 });
    clock.nowMs = 2_000;
    fail('d', 'upstream_busy');
    expect(limiter.limit).toBe(4);
    limiter.onEvent({ type: 'dispatched', call: call('e'), atMs: 2_500, target: 'gpu-1', attempt: 1 });
    fail('c', 'client_abort');
    fail('e', 'upstream_error');
    expect(limiter.limit).toBe(4);
  });
});

describe('options and history', () => {
  test('the constructor sets the gate to the initial limit; bad options name themselves', () => {
    const clock = new VirtualClock();
    const target = new VirtualTarget({ clock, slots: 1 });
    target.gate.setLimits({ maxConcurrent: 7 });
    const limiter = new AdaptiveConcurrency(target.gate, { minLimit: 2, maxLimit: 6, now: clock.now });
    expect(target.gate.limits.maxConcurrent).toBe(2);
    expect(limiter.changes()).toEqual([{ atMs: 0, from: 7, to: 2, reason: 'initial' }]);
    expect(limiter.phase).toBe('slow_start');
    const make = (o: Partial<AdaptiveConcurrencyOptions>) => () =>
      new AdaptiveConcurrency(target.gate, { minLimit: 1, maxLimit: 4, ...o });
    expect(make({ minLimit: 0 })).toThrow('minLimit must be an integer >= 1, got 0');
    expect(make({ minLimit: 3, maxLimit: 2 })).toThrow('maxLimit must be an integer >= 3, got 2');
    expect(make({ initialLimit: 9 })).toThrow('initialLimit must be an integer in [1, 4], got 9');
    expect(make({ waitingThreshold: 0 })).toThrow('waitingThreshold');
    expect(make({ baselineWindowMs: -1 })).toThrow('baselineWindowMs');
    expect(make({ maxCallsPerRound: 0.5 })).toThrow('maxCallsPerRound');
  });

  test('changes() keeps the last historySize changes, oldest first', async () => {
    const r = await run({ slots: [[0, 2]], untilMs: 200_000, limiter: { historySize: 5 } });
    const changes = r.limiter.changes();
    expect(changes).toHaveLength(5);
    for (let i = 1; i < changes.length; i++) {
      expect(changes[i]!.atMs).toBeGreaterThanOrEqual(changes[i - 1]!.atMs);
      expect(changes[i]!.from).toBe(changes[i - 1]!.to);
    }
    expect(changes.at(-1)!.to).toBe(r.limiter.limit);
  });
});
