/** The core against ollama-sim over real HTTP: each budget in its own phase, retries, aborts, gate order. */
import { type SimulatorHandle, startSimulator } from '@lookout/ollama-sim';
import { afterEach, describe, expect, test } from 'vitest';
import type { FailedEvent } from './events.ts';
import { TargetGate } from './gate.ts';
import { createHarness, type Harness, terminalsByCall } from './testing/harness.ts';
import { delay } from './testing/raw-server.ts';
import { settledResources } from './testing/resources.ts';
import { expectNear } from './testing/timing.ts';

const MODEL = 'llama3.2:1b';
const chatBody = (extra: Record<string, unknown> = {}) => ({
  model: MODEL,
  messages: [{ role: 'user', content: 'hello' }],
  ...extra,
});

let h: Harness | undefined;
let sim: SimulatorHandle | undefined;

async function setup(
  options: Parameters<typeof startSimulator>[0] = {},
): Promise<{ h: Harness; sim: SimulatorHandle }> {
  h = createHarness();
  sim = await startSimulator({ tokensPerSec: 200, ...options });
  return { h, sim };
}

afterEach(async () => {
  await h?.close();
  await sim?.close();
  if (h) for (const [, terminals] of terminalsByCall(h.sink.events)) expect(terminals).toHaveLength(1);
  h = undefined;
  sim = undefined;
});

function onlyFailure(harness: Harness): FailedEvent {
  const failed = harness.sink.of('failed');
  expect(failed).toHaveLength(1);
  return failed[0]!;
}

describe('against ollama-sim', () => {
  test('a streamed chat: bytes, tokens, first token and the final metrics', async () => {
    const { h, sim } = await setup();
    const res = await h.run(sim.url, { body: chatBody(), headers: { 'x-sim-tokens': '7' } });
    const { bytes, error } = await h.drain(res);
    expect(error).toBeUndefined();
    const lines = bytes
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(8);
    const final = lines.at(-1);
    const done = h.sink.of('done')[0]!;
    expect(done.metrics).toEqual({
      totalDurationNs: final.total_duration,
      loadDurationNs: final.load_duration,
      promptEvalCount: final.prompt_eval_count,
      promptEvalDurationNs: final.prompt_eval_duration,
      evalCount: 7,
      evalDurationNs: final.eval_duration,
      doneReason: 'stop',
    });
    expect(h.sink.of('chunk').reduce((n, c) => n + c.tokens, 0)).toBe(7);
    expect(h.sink.of('first_token')).toHaveLength(1);
  });

  test('a slow model load does not trip the idle timeout; it is first-byte time', async () => {
    const { h, sim } = await setup({ loadTimeMs: 700 });
    const t0 = performance.now();
    const res = await h.run(sim.url, {
      body: chatBody(),
      timeouts: { idleTimeoutMs: 300, firstByteTimeoutMs: 3000 },
    });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(690);
    const { error } = await h.drain(res);
    expect(error).toBeUndefined();
    expect(h.sink.of('done')).toHaveLength(1);
  });

  test('first-byte timeout fires when the first token is late, and the simulator sees the cancel', async () => {
    const { h, sim } = await setup();
    const t0 = performance.now();
    const error = await h
      .run(sim.url, {
        body: chatBody(),
        headers: { 'x-sim-ttft-ms': '3000' },
        timeouts: { firstByteTimeoutMs: 300 },
      })
      .catch((e: unknown) => e);
    expectNear(performance.now() - t0, 300);
    expect(error).toMatchObject({ code: 'LOOKOUT_FIRST_BYTE_TIMEOUT', phase: 'first_byte' });
    expect(onlyFailure(h).outcome).toBe('timeout_first_byte');
    await expect.poll(() => sim.stats().cancellations.length, { timeout: 1000, interval: 5 }).toBe(1);
    expect(sim.stats().models[MODEL]?.inFlight).toBe(0);
  });

  test('a hang fault on a non-streaming call runs into the total budget, not the first-byte one', async () => {
    const { h, sim } = await setup({ faults: [{ kind: 'hang' }] });
    const t0 = performance.now();
    const error = await h
      .run(sim.url, {
        body: chatBody({ stream: false }),
        timeouts: { firstByteTimeoutMs: 100, totalTimeoutMs: 500 },
      })
      .catch((e: unknown) => e);
    expectNear(performance.now() - t0, 500);
    expect(error).toMatchObject({ code: 'LOOKOUT_TOTAL_TIMEOUT', phase: 'first_byte' });
  });

  test('a stall mid-stream trips the idle timeout', async () => {
    const { h, sim } = await setup({ faults: [{ kind: 'stall', afterChunks: 2 }] });
    const res = await h.run(sim.url, { body: chatBody(), timeouts: { idleTimeoutMs: 300 } });
    const { error } = await h.drain(res);
    const last = h.sink.of('chunk').at(-1)!;
    const failed = onlyFailure(h);
    expect(error).toMatchObject({ code: 'LOOKOUT_IDLE_TIMEOUT', phase: 'body' });
    expectNear(failed.atMs - last.atMs, 300);
  });

  test('a slow drip trips the idle timeout', async () => {
    const { h, sim } = await setup({ faults: [{ kind: 'drip', dripIntervalMs: 700 }] });
    const res = await h.run(sim.url, { body: chatBody(), timeouts: { idleTimeoutMs: 300 } });
    const { error } = await h.drain(res);
    expect(error).toMatchObject({ code: 'LOOKOUT_IDLE_TIMEOUT' });
    expect(onlyFailure(h)).toMatchObject({ outcome: 'timeout_idle', afterFirstByte: true });
  });

  test('a drip just under the idle limit trips the total timeout', async () => {
    const { h, sim } = await setup({ faults: [{ kind: 'drip', dripIntervalMs: 200, dripBytes: 4 }] });
    const t0 = performance.now();
    const res = await h.run(sim.url, {
      body: chatBody(),
      timeouts: { idleTimeoutMs: 400, totalTimeoutMs: 1500 },
    });
    const { error } = await h.drain(res);
    expectNear(performance.now() - t0, 1500);
    expect(error).toMatchObject({ code: 'LOOKOUT_TOTAL_TIMEOUT', phase: 'body' });
  });

  test('503 busy is retried exactly as often as it happens', async () => {
    const { h, sim } = await setup({ faults: [{ kind: 'http_503', remaining: 2 }] });
    const res = await h.run(sim.url, { body: chatBody(), retry: { maxRetries: 2, baseDelayMs: 20 } });
    await h.drain(res);
    expect(h.sink.of('retry').map((r) => r.code)).toEqual(['LOOKOUT_UPSTREAM_BUSY', 'LOOKOUT_UPSTREAM_BUSY']);
    expect(h.sink.of('done')[0]?.attempts).toBe(3);
    expect(sim.stats().totalRequests).toBe(3);
  });

  test('refused connections are retried; a reset before headers is retried', async () => {
    const { h, sim } = await setup({ faults: [{ kind: 'refuse', remaining: 1 }] });
    const res = await h.run(sim.url, { body: chatBody(), retry: { maxRetries: 2, baseDelayMs: 20 } });
    await h.drain(res);
    expect(h.sink.of('retry')).toHaveLength(1);
    sim.setFaults([{ kind: 'reset', afterChunks: 0, remaining: 1 }]);
    const res2 = await h.run(sim.url, { body: chatBody(), retry: { maxRetries: 2, baseDelayMs: 20 } });
    await h.drain(res2);
    expect(h.sink.of('retry')).toHaveLength(2);
    expect(h.sink.of('done')).toHaveLength(2);
  });

  test('no retry once the first byte is out: a reset after chunks fails the call', async () => {
    const { h, sim } = await setup({ faults: [{ kind: 'reset', afterChunks: 2 }] });
    const res = await h.run(sim.url, { body: chatBody(), retry: { maxRetries: 3, baseDelayMs: 10 } });
    const { error } = await h.drain(res);
    expect(error).toMatchObject({ code: 'LOOKOUT_NETWORK', phase: 'body' });
    expect(h.sink.of('retry')).toHaveLength(0);
    expect(sim.stats().totalRequests).toBe(1);
  });

  test('an error line mid-stream passes through and fails the call; a malformed line fails it too', async () => {
    const { h, sim } = await setup({
      faults: [{ kind: 'error_line', afterChunks: 2, message: 'runner died', remaining: 1 }],
    });
    const res = await h.run(sim.url, { body: chatBody() });
    const { bytes, error } = await h.drain(res);
    expect(error).toBeUndefined();
    expect(bytes.toString().trim().split('\n').at(-1)).toBe('{"error":"runner died"}');
    expect(onlyFailure(h)).toMatchObject({ outcome: 'upstream_error', code: 'LOOKOUT_STREAM' });
    sim.setFaults([{ kind: 'malformed_line', afterChunks: 1, remaining: 1 }]);
    const res2 = await h.run(sim.url, { body: chatBody() });
    expect((await h.drain(res2)).error).toMatchObject({ code: 'LOOKOUT_STREAM', reason: 'malformed_frame' });
  });

  test('an abort frees the simulator slot within 100 ms', async () => {
    const { h, sim } = await setup({ tokensPerSec: 20 });
    const ac = new AbortController();
    const res = await h.run(sim.url, {
      body: chatBody(),
      signal: ac.signal,
      headers: { 'x-sim-tokens': '100' },
    });
    expect(sim.stats().models[MODEL]?.inFlight).toBe(1);
    let abortedAt = 0;
    let n = 0;
    const { error } = await h.drain({
      ...res,
      body: (async function* () {
        for await (const chunk of res.body) {
          yield chunk;
          if (++n === 2) {
            abortedAt = performance.timeOrigin + performance.now();
            ac.abort();
          }
        }
      })(),
    });
    expect(error).toMatchObject({ code: 'LOOKOUT_ABORTED' });
    await expect.poll(() => sim.stats().cancellations.length, { timeout: 1000, interval: 5 }).toBe(1);
    const [cancel] = sim.stats().cancellations;
    expect(cancel?.phase).toBe('generating');
    expect(cancel!.atMs - abortedAt).toBeLessThan(100);
    expect(sim.stats().models[MODEL]?.inFlight).toBe(0);
  });

  test('gate order is FIFO and the simulator never sees more than the gate allows', async () => {
    const { h, sim } = await setup({ numParallel: 4 });
    const gate = new TargetGate({ name: 'g', maxConcurrent: 1, maxQueue: 10 });
    const ids: string[] = [];
    const calls = [0, 1, 2, 3, 4].map(async () => {
      const res = await h.run(sim.url, { body: chatBody(), gate, headers: { 'x-sim-tokens': '3' } });
      await h.drain(res);
    });
    await Promise.all(calls);
    for (const e of h.sink.events) if (e.type === 'queued') ids.push(e.call.callId);
    const dispatchedOrder = h.sink.of('dispatched').map((e) => e.call.callId);
    expect(ids).toHaveLength(4);
    expect(dispatchedOrder.slice(1)).toEqual(ids); // waiters leave in the order they joined
    expect(sim.stats().models[MODEL]?.maxInFlightSeen).toBe(1);
    expect(gate.inFlight).toBe(0);
  });

  test('other endpoints: non-streamed chat, embed, 404 for an unknown model', async () => {
    const { h, sim } = await setup();
    await h.drain(await h.run(sim.url, { body: chatBody({ stream: false }) }));
    expect(h.sink.of('done')[0]?.metrics.evalCount).toBeGreaterThan(0);
    await h.drain(
      await h.run(sim.url, { path: '/api/embed', body: { model: 'nomic-embed-text', input: ['a', 'b'] } }),
    );
    expect(h.sink.of('done')[1]?.metrics.promptEvalCount).toBeGreaterThan(0);
    const res = await h.run(sim.url, { body: { model: 'nope', messages: [] } });
    expect(res.status).toBe(404);
    await h.drain(res);
    expect(h.sink.of('failed')[0]).toMatchObject({ outcome: 'upstream_error', status: 404 });
  });

  test('nothing is left behind after calls against the simulator', async () => {
    await delay(200);
    const before = await settledResources();
    const { h, sim } = await setup({ faults: [{ kind: 'stall', afterChunks: 1, remaining: 1 }] });
    await h.drain(await h.run(sim.url, { body: chatBody(), timeouts: { idleTimeoutMs: 100 } }));
    await h.drain(await h.run(sim.url, { body: chatBody() }));
    await h.close();
    await sim.close();
    await delay(50);
    expect(await settledResources()).toEqual(before);
  });
});
