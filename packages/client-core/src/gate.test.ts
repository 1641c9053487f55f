import { getEventListeners } from 'node:events';
import { describe, expect, test } from 'vitest';
import { isAbortedError } from './errors.ts';
import { type GateLease, TargetGate } from './gate.ts';
import { settledResources } from './testing/resources.ts';

async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

describe('TargetGate', () => {
  test('admits up to maxConcurrent at once, then queues in FIFO order', async () => {
    const gate = new TargetGate({ name: 'a', maxConcurrent: 2, maxQueue: 10 });
    const held = [await gate.acquire(), await gate.acquire()];
    expect(gate.inFlight).toBe(2);
    const order: number[] = [];
    const waiting = [1, 2, 3, 4].map((n) =>
      gate.acquire().then((lease) => {
        order.push(n);
        return lease;
      }),
    );
    expect(gate.queueDepth).toBe(4);
    held[0]!.release();
    held[0]!.release(); // idempotent
    await settle();
    expect(order).toEqual([1]);
    expect(gate.inFlight).toBe(2);
    expect(gate.queueDepth).toBe(3);
    held[1]!.release();
    await settle();
    const leases = await Promise.all(waiting.slice(0, 2));
    for (const l of leases) l.release();
    await settle();
    const rest = await Promise.all(waiting.slice(2));
    expect(order).toEqual([1, 2, 3, 4]);
    for (const l of rest) l.release();
    expect(gate.inFlight).toBe(0);
    expect(gate.queueDepth).toBe(0);
  });

  test('a full queue refuses at once with queue-full', async () => {
    const gate = new TargetGate({ name: 'a', maxConcurrent: 1, maxQueue: 1 });
    const lease = await gate.acquire();
    const waiter = gate.acquire();
    await expect(
      gate.acquire({ context: { method: 'POST', url: 'http://x/api/chat' } }),
    ).rejects.toMatchObject({
      code: 'LOOKOUT_QUEUE_FULL',
      outcome: 'queue_full',
      message: 'queue of a is full: 1 running, 1 waiting: POST http://x/api/chat (phase queue)',
    });
    lease.release();
    (await waiter).release();
  });

  test('maxQueue 0 never queues', async () => {
    const gate = new TargetGate({ name: 'a', maxConcurrent: 1, maxQueue: 0 });
    const lease = await gate.acquire();
    await expect(gate.acquire()).rejects.toMatchObject({ code: 'LOOKOUT_QUEUE_FULL' });
    lease.release();
  });

  test('a waiter times out after queueTimeoutMs and leaves the queue', async () => {
    const gate = new TargetGate({ name: 'a', maxConcurrent: 1, maxQueue: 5, queueTimeoutMs: 150 });
    const lease = await gate.acquire();
    const t0 = performance.now();
    const result = gate.acquire().catch((e: unknown) => e);
    expect(gate.queueDepth).toBe(1);
    const error = await result;
    const waitedMs = performance.now() - t0;
    expect(error).toMatchObject({ code: 'LOOKOUT_QUEUE_TIMEOUT', budgetMs: 150 });
    expect(waitedMs).toBeGreaterThanOrEqual(145);
    expect(waitedMs).toBeLessThan(150 + 250);
    expect(gate.queueDepth).toBe(0);
    lease.release();
    expect(gate.inFlight).toBe(0);
  });

  test('an aborted waiter leaves the queue at once and keeps no listener', async () => {
    const gate = new TargetGate({ name: 'a', maxConcurrent: 1, maxQueue: 5 });
    const lease = await gate.acquire();
    const ac = new AbortController();
    const first = gate.acquire({ signal: ac.signal }).catch((e: unknown) => e);
    const second = gate.acquire();
    expect(gate.queueDepth).toBe(2);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1);
    ac.abort();
    expect(gate.queueDepth).toBe(1); // synchronously
    expect(isAbortedError(await first)).toBe(true);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    lease.release();
    const next = await second;
    expect(gate.inFlight).toBe(1);
    next.release();
  });

  test('a signal given as a function is made only when the caller has to wait, and aborts the wait', async () => {
    const gate = new TargetGate({ name: 'a', maxConcurrent: 1, maxQueue: 5 });
    const made: AbortController[] = [];
    const lazySignal = (): AbortSignal => {
      const ac = new AbortController();
      made.push(ac);
      return ac.signal;
    };
    const lease = await gate.acquire({ signal: lazySignal });
    expect(made).toHaveLength(0); // admitted at once: no signal made
    const waiting = gate.acquire({ signal: lazySignal }).catch((e: unknown) => e);
    expect(made).toHaveLength(1);
    expect(gate.queueDepth).toBe(1);
    made[0]!.abort();
    expect(gate.queueDepth).toBe(0); // synchronously
    expect(isAbortedError(await waiting)).toBe(true);
    expect(getEventListeners(made[0]!.signal, 'abort')).toHaveLength(0);
    lease.release();
    expect(gate.inFlight).toBe(0);
  });

  test('an already aborted signal is refused without queueing', async () => {
    const gate = new TargetGate({ name: 'a', maxConcurrent: 1 });
    await expect(gate.acquire({ signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'LOOKOUT_ABORTED',
    });
    expect(gate.inFlight).toBe(0);
  });

  test('limits change at runtime: more slots admit waiters, a smaller queue refuses new ones', async () => {
    const gate = new TargetGate({ name: 'a', maxConcurrent: 1, maxQueue: 3 });
    const leases: GateLease[] = [await gate.acquire()];
    const waiting = [gate.acquire(), gate.acquire()];
    expect(gate.queueDepth).toBe(2);
    gate.setLimits({ maxConcurrent: 3 });
    expect(gate.inFlight).toBe(3);
    expect(gate.queueDepth).toBe(0);
    leases.push(...(await Promise.all(waiting)));
    gate.setLimits({ maxConcurrent: 1, maxQueue: 0 });
    await expect(gate.acquire()).rejects.toMatchObject({ code: 'LOOKOUT_QUEUE_FULL' });
    for (const l of leases) l.release();
    expect(gate.inFlight).toBe(0);
    expect(gate.limits).toEqual({ maxConcurrent: 1, maxQueue: 0, queueTimeoutMs: 30000 });
  });

  test('reports the queue depth to onQueued and the wait on the lease', async () => {
    const gate = new TargetGate({ name: 'a', maxConcurrent: 1 });
    const lease = await gate.acquire();
    expect(lease.queueWaitMs).toBe(0);
    const depths: number[] = [];
    const a = gate.acquire({ onQueued: (d) => depths.push(d) });
    const b = gate.acquire({ onQueued: (d) => depths.push(d) });
    expect(depths).toEqual([1, 2]);
    setTimeout(() => lease.release(), 50);
    const la = await a;
    expect(la.queueWaitMs).toBeGreaterThanOrEqual(45);
    la.release();
    (await b).release();
  });

  test('validates limits eagerly with the bad value in the message', () => {
    expect(() => new TargetGate({ name: 'a', maxConcurrent: 0 })).toThrow(/maxConcurrent .* got 0/);
    expect(() => new TargetGate({ name: 'a', maxQueue: -1 })).toThrow(/maxQueue/);
    expect(() => new TargetGate({ name: 'a', queueTimeoutMs: Number.NaN })).toThrow(/queueTimeoutMs/);
    expect(() => new TargetGate({ name: 'a', maxConcurrent: Number.POSITIVE_INFINITY })).not.toThrow();
  });

  test('no timer is left once waiters are served, timed out or aborted', async () => {
    const before = (await settledResources()).timers;
    const gate = new TargetGate({ name: 'a', maxConcurrent: 1, queueTimeoutMs: 30_000 });
    const lease = await gate.acquire();
    const ac = new AbortController();
    const aborted = gate.acquire({ signal: ac.signal }).catch(() => undefined);
    const timedOut = gate.acquire({ maxWaitMs: 30 }).catch(() => undefined);
    const served = gate.acquire();
    ac.abort();
    await aborted;
    await timedOut;
    lease.release();
    (await served).release();
    expect((await settledResources()).timers).toBe(before);
  });
});
