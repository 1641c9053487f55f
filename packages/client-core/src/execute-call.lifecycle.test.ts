/** Aborts, the gate around calls, and what a call leaves behind (nothing). */
import { randomUUID } from 'node:crypto';
import { getEventListeners } from 'node:events';
import { describe, expect, test } from 'vitest';
import { createCallInfo } from './classify.ts';
import { executeCall, startCall } from './execute-call.ts';
import { TargetGate } from './gate.ts';
import { type Blackhole, startBlackhole } from './testing/blackhole.ts';
import { useCallSuite } from './testing/call-suite.ts';
import { chatFrame, finalFrame } from './testing/harness.ts';
import { delay, type RawHandler } from './testing/raw-server.ts';
import { settledResources } from './testing/resources.ts';

const { h, server, closeServers } = useCallSuite();

/** Streams a frame every 20 ms, up to 200 of them, then the final frame. */
function dripping(): RawHandler {
  return async (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    for (let i = 0; i < 200 && !res.destroyed; i++) {
      res.write(chatFrame(`t${i}`));
      await delay(20);
    }
    res.end(finalFrame());
  };
}

describe('abort', () => {
  test('aborting mid-stream closes the upstream request within 100 ms and fails with client_abort', async () => {
    const s = await server(dripping());
    const ac = new AbortController();
    const res = await h.run(s.url, { signal: ac.signal });
    let abortedAt = 0;
    let n = 0;
    let error: unknown;
    try {
      for await (const _ of res.body) {
        if (++n === 3) {
          abortedAt = performance.now();
          ac.abort();
        }
      }
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'LOOKOUT_ABORTED', outcome: 'client_abort' });
    await expect.poll(() => s.requestCloses.length, { timeout: 1000, interval: 5 }).toBe(1);
    expect(s.requestCloses[0]! - abortedAt).toBeLessThan(100);
    expect(h.sink.of('failed')[0]).toMatchObject({ outcome: 'client_abort', afterFirstByte: true });
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  test('aborting while waiting for headers rejects at once and closes the upstream request', async () => {
    const s = await server(() => {});
    const ac = new AbortController();
    const pending = h.run(s.url, { signal: ac.signal }).catch((e: unknown) => e);
    await delay(150);
    const abortedAt = performance.now();
    ac.abort(new Error('client went away'));
    const error = await pending;
    expect(performance.now() - abortedAt).toBeLessThan(50);
    expect(error).toMatchObject({ code: 'LOOKOUT_ABORTED', phase: 'first_byte' });
    expect((error as Error).cause).toBeInstanceOf(Error);
    await expect.poll(() => s.requestCloses.length, { timeout: 1000, interval: 5 }).toBe(1);
    expect(s.requestCloses[0]! - abortedAt).toBeLessThan(100);
  });

  test('an already aborted signal never reaches the upstream', async () => {
    const s = await server(() => {});
    const error = await h.run(s.url, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'LOOKOUT_ABORTED' });
    expect(s.requests).toBe(0);
    expect(h.sink.types()).toEqual(['failed']);
  });

  test('aborting during connect fails at once', async () => {
    const hole: Blackhole = await startBlackhole();
    try {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      const t0 = performance.now();
      const error = await h
        .run(hole.url, { signal: ac.signal, timeouts: { connectTimeoutMs: 400 } })
        .catch((e: unknown) => e);
      expect(performance.now() - t0).toBeLessThan(300);
      expect(error).toMatchObject({ code: 'LOOKOUT_ABORTED', phase: 'connect' });
      await delay(450); // the pending connect dies at its own budget
    } finally {
      await hole.close();
    }
  });

  test('aborting during backoff ends the call without another attempt', async () => {
    const s = await server((_req, res) => {
      res.writeHead(503);
      res.end();
    });
    const ac = new AbortController();
    const pending = h.run(s.url, {
      signal: ac.signal,
      retry: { maxRetries: 3, baseDelayMs: 2000, random: () => 0.5 },
    });
    await delay(200);
    ac.abort();
    await expect(pending).rejects.toMatchObject({ code: 'LOOKOUT_ABORTED', phase: 'backoff' });
    expect(s.requests).toBe(1);
  });

  test('breaking out of the body early closes the upstream and counts as client_abort', async () => {
    const s = await server(dripping());
    const res = await h.run(s.url);
    let n = 0;
    for await (const _ of res.body) if (++n === 2) break;
    await expect.poll(() => s.requestCloses.length, { timeout: 1000, interval: 5 }).toBe(1);
    expect(h.sink.of('failed')[0]).toMatchObject({ outcome: 'client_abort' });
  });

  test('breaking out after the final frame counts as done', async () => {
    const s = await server(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(chatFrame('a') + finalFrame());
      await delay(300); // keeps the response open after the final frame
      res.end();
    });
    const res = await h.run(s.url);
    for await (const chunk of res.body) if (chunk.toString().includes('"done":true')) break;
    expect((await res.settled).type).toBe('done');
  });
});

describe('gate', () => {
  test('a call waits in the gate (queued), holds its slot until its body ends, and frees it', async () => {
    const gate = new TargetGate({ name: 'g', maxConcurrent: 1, maxQueue: 4 });
    const s = await server(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(chatFrame('a'));
      await delay(100);
      res.end(finalFrame());
    });
    const first = await h.run(s.url, { gate });
    expect(gate.inFlight).toBe(1);
    const second = h.run(s.url, { gate });
    await delay(20);
    expect(gate.queueDepth).toBe(1);
    expect(h.sink.of('queued')).toMatchObject([{ target: 't', queueDepth: 1 }]);
    await h.drain(first);
    const res2 = await second;
    expect(gate.queueDepth).toBe(0);
    expect(gate.inFlight).toBe(1);
    await h.drain(res2);
    expect(gate.inFlight).toBe(0);
    expect(res2.queueWaitMs).toBeGreaterThan(50);
  });

  test('queue full: the call fails at once, never dispatched', async () => {
    const gate = new TargetGate({ name: 'g', maxConcurrent: 1, maxQueue: 0 });
    const s = await server(dripping());
    const first = await h.run(s.url, { gate });
    const error = await h.run(s.url, { gate }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'LOOKOUT_QUEUE_FULL' });
    const failed = h.sink.of('failed');
    expect(failed).toMatchObject([{ outcome: 'queue_full', attempts: 0 }]);
    expect(h.sink.of('dispatched')).toHaveLength(1);
    first.cancel();
    expect(gate.inFlight).toBe(0);
  });

  test('queue timeout fails with queue_timeout', async () => {
    const gate = new TargetGate({ name: 'g', maxConcurrent: 1, maxQueue: 1, queueTimeoutMs: 150 });
    const s = await server(dripping());
    const first = await h.run(s.url, { gate });
    const error = await h.run(s.url, { gate }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'LOOKOUT_QUEUE_TIMEOUT', budgetMs: 150 });
    first.cancel();
  });
});

describe('startCall', () => {
  function start(url: string, gate: TargetGate) {
    const body = new TextEncoder().encode(JSON.stringify({ model: 'm', messages: [] }));
    const info = createCallInfo({
      method: 'POST',
      path: '/api/chat',
      body,
      source: 'app',
      callId: randomUUID(),
    });
    return startCall({
      info,
      request: { headers: { 'content-type': 'application/json' }, body },
      pickTarget: () => ({ name: 't', url, gate }),
      pool: h.pool,
      sink: h.sink,
      retry: { maxRetries: 0 },
    });
  }

  test('abort() while the call waits in the gate frees its place at once and fails with client_abort', async () => {
    const gate = new TargetGate({ name: 'g', maxConcurrent: 1, maxQueue: 4 });
    const s = await server(dripping());
    const first = start(s.url, gate);
    const res1 = await first.response;
    const second = start(s.url, gate);
    const pending = second.response.catch((e: unknown) => e);
    await delay(20);
    expect(gate.queueDepth).toBe(1);
    second.abort(new Error('client went away'));
    expect(gate.queueDepth).toBe(0); // synchronously
    expect(await pending).toMatchObject({ code: 'LOOKOUT_ABORTED', outcome: 'client_abort', phase: 'queue' });
    expect(s.requests).toBe(1);
    res1.cancel();
    expect(gate.inFlight).toBe(0);
  });

  test('abort() mid-stream closes the upstream request and fails the body with client_abort', async () => {
    const s = await server(dripping());
    const call = start(s.url, h.gate);
    const res = await call.response;
    let n = 0;
    let error: unknown;
    try {
      for await (const _ of res.body) if (++n === 3) call.abort();
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'LOOKOUT_ABORTED', outcome: 'client_abort' });
    await expect.poll(() => s.requestCloses.length, { timeout: 1000, interval: 5 }).toBe(1);
    expect(h.sink.of('failed')[0]).toMatchObject({ outcome: 'client_abort', afterFirstByte: true });
    call.abort(); // idempotent
    expect(h.sink.of('failed')).toHaveLength(1);
  });
});

describe('leaks', () => {
  test('no timer, socket or listener is left once calls of every kind have ended and the pool is closed', async () => {
    await delay(300); // let what earlier tests closed finish closing
    const before = await settledResources();
    const ok = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.end(chatFrame('a') + finalFrame());
    });
    const stall = await server(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(chatFrame('a'));
    });
    const silent = await server(() => {});
    const drip = await server(dripping());
    const signals: AbortSignal[] = [];
    const signal = () => {
      const ac = new AbortController();
      signals.push(ac.signal);
      return ac;
    };

    await h.drain(await h.run(ok.url, { signal: signal().signal }));
    await h.drain(await h.run(stall.url, { signal: signal().signal, timeouts: { idleTimeoutMs: 100 } }));
    await h
      .run(silent.url, { signal: signal().signal, timeouts: { firstByteTimeoutMs: 100 } })
      .catch(() => undefined);
    const aborter = signal();
    const dripping_ = await h.run(drip.url, { signal: aborter.signal });
    setTimeout(() => aborter.abort(), 60);
    await h.drain(dripping_);
    await h
      .run(ok.url, { signal: signal().signal, method: 'GET', path: '/api/tags' })
      .then((r) => h.drain(r));

    expect(h.sink.terminals()).toHaveLength(5);
    for (const s of signals) expect(getEventListeners(s, 'abort')).toHaveLength(0);
    await delay(60); // the test servers' own drip loop notices the closed request
    expect((await settledResources()).timers).toBe(before.timers);
    // Keep-alive sockets stay pooled between calls, and only there.
    await h.close();
    await closeServers();
    await delay(50);
    expect(await settledResources()).toEqual(before);
  });
});

describe('odd inputs', () => {
  test('a sink that throws does not break the call; its errors go to onSinkError', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.end(chatFrame('a') + finalFrame());
    });
    const sinkErrors: string[] = [];
    const info = createCallInfo({ method: 'GET', path: '/api/chat', source: 'app', callId: 'x' });
    const res = await executeCall({
      info,
      request: {},
      pickTarget: () => h.target(s.url),
      pool: h.pool,
      sink: {
        onEvent: (e) => {
          throw new Error(`sink broke on ${e.type}`);
        },
      },
      onSinkError: (error) => sinkErrors.push((error as Error).message),
    });
    await h.drain(res);
    expect((await res.settled).type).toBe('done');
    expect(sinkErrors).toContain('sink broke on done');
  });

  test('a bad target URL fails as a bad request; a closed pool as a network error', async () => {
    const bad = await h.run('not a url').catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'LOOKOUT_BAD_REQUEST', outcome: 'bad_request' });
    const s = await server((_req, res) => {
      res.end('{}');
    });
    await h.pool.close();
    const closed = await h.run(s.url, { method: 'GET', path: '/api/tags' }).catch((e: unknown) => e);
    expect(closed).toMatchObject({ code: 'LOOKOUT_NETWORK', reason: 'POOL_CLOSED' });
    expect(h.gate.inFlight).toBe(0);
  });

  test('options are validated eagerly with the bad value named', async () => {
    await expect(h.run('http://127.0.0.1:1', { timeouts: { idleTimeoutMs: -1 } })).rejects.toThrow(
      /idleTimeoutMs must be .* got -1/,
    );
    await expect(h.run('http://127.0.0.1:1', { retry: { maxRetries: 1.5 } })).rejects.toThrow(/maxRetries/);
  });
});
