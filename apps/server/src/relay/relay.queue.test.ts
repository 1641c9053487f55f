import { afterEach, describe, expect, it } from 'vitest';
import { type Fleet, startFleet, TEST_ADMIN_TOKEN, waitFor } from '../testing/harness.ts';

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

/** A call the simulator takes ~`ms` to answer (tokens spread over the time). */
function slowChat(relay: string, ms: number, signal?: AbortSignal): Promise<Response> {
  return fetch(`${relay}/api/chat`, {
    method: 'POST',
    headers: { 'x-sim-tokens': '5', 'x-sim-token-interval-ms': String(Math.round(ms / 5)) },
    body: JSON.stringify({
      model: 'llama3.2:1b',
      messages: [{ role: 'user', content: 'hi' }],
      stream: false,
    }),
    ...(signal ? { signal } : {}),
  });
}

async function snapshot(f: Fleet): Promise<{ targets: { queueDepth: number; inFlight: number }[] }> {
  const res = await fetch(`${f.dashboard}/api/snapshot`, {
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
  });
  return res.json() as Promise<{ targets: { queueDepth: number; inFlight: number }[] }>;
}

describe('the gate in front of a target', () => {
  it('never lets more than maxConcurrent calls reach Ollama, and shows the rest as queued', async () => {
    fleet = await startFleet([{ numParallel: 8 }], { maxConcurrent: 2 });
    const f = fleet;
    const calls = Array.from({ length: 10 }, () => slowChat(f.relay, 600));
    const gate = f.lookout.registry.all[0]!.gate;
    await waitFor(() => gate.inFlight === 2 && gate.queueDepth === 8, 3_000, '2 in flight and 8 queued');
    const snap = await snapshot(f);
    expect(snap.targets[0]).toMatchObject({ inFlight: 2, queueDepth: 8 });
    expect(f.sims[0]!.stats().models['llama3.2:1b']!.inFlight).toBeLessThanOrEqual(2);

    const answers = await Promise.all(calls);
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
    const queueMs = answers.map((r) => Number(r.headers.get('x-lookout-queue-ms')));
    expect(Math.max(...queueMs)).toBeGreaterThan(1_000); // the last ones waited for several rounds
    await Promise.all(answers.map((r) => r.text()));
    expect(f.sims[0]!.stats().models['llama3.2:1b']!.maxInFlightSeen).toBe(2);
    const after = await snapshot(f);
    expect(after.targets[0]).toMatchObject({ inFlight: 0, queueDepth: 0 });
  });

  it('answers 503 with Retry-After in Ollama shapes once the queue is full', async () => {
    fleet = await startFleet([{ numParallel: 8 }], { maxConcurrent: 2, maxQueue: 3 });
    const f = fleet;
    const held = Array.from({ length: 5 }, () => slowChat(f.relay, 800));
    const gate = f.lookout.registry.all[0]!.gate;
    await waitFor(() => gate.inFlight === 2 && gate.queueDepth === 3, 3_000, 'a full queue');

    const native = await slowChat(f.relay, 10);
    expect(native.status).toBe(503);
    expect(native.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(native.headers.get('x-lookout-request-id')).toBeTruthy();
    const nativeBody = (await native.json()) as { error: string };
    expect(nativeBody.error).toMatch(/queue of sim0 is full/);

    const openai = await fetch(`${f.relay}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'llama3.2:1b', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(openai.status).toBe(503);
    expect(await openai.json()).toEqual({
      error: {
        message: expect.stringMatching(/queue of sim0 is full/),
        type: 'api_error',
        param: null,
        code: null,
      },
    });
    expect((await Promise.all(held)).map((r) => r.status)).toEqual(Array(5).fill(200));
  });

  it('answers 503 when the queue wait runs out', async () => {
    fleet = await startFleet([{ numParallel: 8 }], { maxConcurrent: 1, queueTimeoutMs: 200 });
    const f = fleet;
    const first = slowChat(f.relay, 1_000);
    const gate = f.lookout.registry.all[0]!.gate;
    await waitFor(() => gate.inFlight === 1, 2_000, 'the first call in flight');
    const started = performance.now();
    const waited = await slowChat(f.relay, 10);
    const tookMs = performance.now() - started;
    expect(waited.status).toBe(503);
    expect(waited.headers.get('retry-after')).toBeTruthy();
    expect(((await waited.json()) as { error: string }).error).toMatch(
      /queue wait at sim0 ran out after 200 ms/,
    );
    expect(tookMs).toBeGreaterThanOrEqual(190);
    expect(tookMs).toBeLessThan(1_000);
    expect((await first).status).toBe(200);
  });

  it('frees the queue place of a client that leaves while waiting', async () => {
    fleet = await startFleet([{ numParallel: 8 }], { maxConcurrent: 1 });
    const f = fleet;
    const first = slowChat(f.relay, 800);
    const gate = f.lookout.registry.all[0]!.gate;
    await waitFor(() => gate.inFlight === 1, 2_000, 'the first call in flight');
    const leaving = new AbortController();
    const waiting = slowChat(f.relay, 10, leaving.signal).catch((e: Error) => e);
    await waitFor(() => gate.queueDepth === 1, 2_000, 'one queued');
    leaving.abort();
    await waitFor(() => gate.queueDepth === 0, 1_000, 'the queue to empty');
    expect(await waiting).toBeInstanceOf(Error);
    expect((await first).status).toBe(200);
    // The waiter never reached the simulator.
    expect(f.sims[0]!.stats().models['llama3.2:1b']!.completed).toBe(1);
  });
});
