/** Each budget fires in its own phase and no other, within a margin of its budget (raw HTTP servers). */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { FailedEvent } from './events.ts';
import { type Blackhole, startBlackhole } from './testing/blackhole.ts';
import { useCallSuite } from './testing/call-suite.ts';
import { chatFrame, finalFrame } from './testing/harness.ts';
import { delay } from './testing/raw-server.ts';
import { expectNear, LATE_MARGIN_MS } from './testing/timing.ts';

const { h, server } = useCallSuite();

function failed(): FailedEvent {
  const f = h.sink.of('failed');
  expect(f).toHaveLength(1);
  return f[0]!;
}

describe('connect timeout', () => {
  let hole: Blackhole;
  beforeEach(async () => {
    hole = await startBlackhole();
  });
  afterEach(async () => {
    await hole.close();
  });

  test('fires in the connect phase when the TCP handshake never completes', async () => {
    const t0 = performance.now();
    const error = await h.run(hole.url, { timeouts: { connectTimeoutMs: 300 } }).catch((e: unknown) => e);
    expectNear(performance.now() - t0, 300);
    expect(error).toMatchObject({ code: 'LOOKOUT_CONNECT_TIMEOUT', phase: 'connect', budgetMs: 300 });
    expect((error as Error).message).toContain(`POST ${hole.url}/api/chat`);
    expect(failed()).toMatchObject({ outcome: 'timeout_connect', afterFirstByte: false, attempts: 1 });
    expect(h.sink.types()).toEqual(['dispatched', 'failed']);
  });
});

describe('first-byte timeout', () => {
  test('fires between request sent and headers for a streaming call', async () => {
    const s = await server(() => {
      /* never answers */
    });
    const t0 = performance.now();
    const error = await h.run(s.url, { timeouts: { firstByteTimeoutMs: 300 } }).catch((e: unknown) => e);
    const errorAt = performance.now();
    expectNear(errorAt - t0, 300);
    expect(error).toMatchObject({ code: 'LOOKOUT_FIRST_BYTE_TIMEOUT', phase: 'first_byte', budgetMs: 300 });
    expect(failed()).toMatchObject({ outcome: 'timeout_first_byte', afterFirstByte: false });
    await expect.poll(() => s.requestCloses.length, { timeout: 1000, interval: 5 }).toBe(1); // the upstream request was closed
    expect(s.requestCloses[0]! - errorAt).toBeLessThan(100);
  });

  test('a slow model load (late headers) does not trip the idle timeout', async () => {
    const s = await server(async (_req, res) => {
      await delay(700); // loading: no headers yet
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      for (let i = 0; i < 5; i++) {
        res.write(chatFrame(`t${i}`));
        await delay(30);
      }
      res.end(finalFrame());
    });
    const res = await h.run(s.url, { timeouts: { idleTimeoutMs: 300, firstByteTimeoutMs: 2000 } });
    const { error } = await h.drain(res);
    expect(error).toBeUndefined();
    expect(h.sink.of('done')).toHaveLength(1);
  });

  test('for a non-streaming call the first-byte budget is the total budget', async () => {
    const s = await server(async (_req, res) => {
      await delay(700);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{"model":"m","message":{"role":"assistant","content":"hi"},"done":true,"eval_count":1}');
    });
    const res = await h.run(s.url, {
      body: { model: 'm', messages: [], stream: false },
      timeouts: { firstByteTimeoutMs: 300, totalTimeoutMs: 3000 },
    });
    const { error } = await h.drain(res);
    expect(error).toBeUndefined();
    expect(h.sink.of('done')[0]?.metrics).toEqual({ evalCount: 1 });
  });

  test('a non-streaming call whose answer outlasts the total budget fails with total timeout', async () => {
    const s = await server(() => {
      /* never answers */
    });
    const t0 = performance.now();
    const error = await h
      .run(s.url, {
        body: { model: 'm', messages: [], stream: false },
        timeouts: { firstByteTimeoutMs: 100, totalTimeoutMs: 400 },
      })
      .catch((e: unknown) => e);
    expectNear(performance.now() - t0, 400);
    expect(error).toMatchObject({ code: 'LOOKOUT_TOTAL_TIMEOUT', phase: 'first_byte', budgetMs: 400 });
    expect(failed().outcome).toBe('timeout_total');
  });
});

describe('idle timeout', () => {
  test('a stall between chunks trips idle and interrupts the blocked read', async () => {
    let lastWriteAt = 0;
    const s = await server(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(chatFrame('a'));
      res.write(chatFrame('b'));
      lastWriteAt = performance.now();
      await delay(5000); // stalls (the test ends long before)
    });
    const res = await h.run(s.url, { timeouts: { idleTimeoutMs: 300, totalTimeoutMs: 10_000 } });
    const { error, bytes } = await h.drain(res);
    const errorAt = performance.now();
    expect(bytes.toString()).toBe(chatFrame('a') + chatFrame('b'));
    expect(error).toMatchObject({ code: 'LOOKOUT_IDLE_TIMEOUT', phase: 'body', budgetMs: 300 });
    expectNear(errorAt - lastWriteAt, 300);
    expect(failed()).toMatchObject({ outcome: 'timeout_idle', afterFirstByte: true });
    await expect.poll(() => s.requestCloses.length, { timeout: 1000, interval: 5 }).toBe(1);
  });

  test('a drip just under the idle limit runs until the total budget ends it', async () => {
    const s = await server(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      for (let i = 0; i < 40 && !res.destroyed; i++) {
        res.write(chatFrame(`t${i}`));
        await delay(200);
      }
      res.end(finalFrame());
    });
    const t0 = performance.now();
    const res = await h.run(s.url, { timeouts: { idleTimeoutMs: 400, totalTimeoutMs: 1300 } });
    const { error, chunks } = await h.drain(res);
    expectNear(performance.now() - t0, 1300);
    expect(chunks).toBeGreaterThanOrEqual(4);
    expect(error).toMatchObject({ code: 'LOOKOUT_TOTAL_TIMEOUT', phase: 'body', budgetMs: 1300 });
    expect(failed()).toMatchObject({ outcome: 'timeout_total', afterFirstByte: true });
  });

  test('a slow reader pauses the upstream without tripping the idle timeout', async () => {
    const big = chatFrame('x'.repeat(1000));
    const s = await server(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      for (let i = 0; i < 2000; i++) {
        if (!res.write(big)) await new Promise((resolve) => res.once('drain', resolve));
      }
      res.end(finalFrame());
    });
    const res = await h.run(s.url, { timeouts: { idleTimeoutMs: 300 } });
    let first = true;
    let total = 0;
    for await (const chunk of res.body) {
      total += chunk.length;
      if (first) {
        first = false;
        await delay(900); // three idle budgets without reading
      }
    }
    expect(total).toBe(big.length * 2000 + finalFrame().length);
    expect(h.sink.of('done')).toHaveLength(1);
  });
});

describe('total timeout', () => {
  test('covers retries: a call never runs past it', async () => {
    const s = await server((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"error":"server busy, please try again.  maximum pending requests exceeded"}');
    });
    const t0 = performance.now();
    const res = await h.run(s.url, {
      retry: { maxRetries: 50, baseDelayMs: 100, maxDelayMs: 100 },
      timeouts: { totalTimeoutMs: 700 },
    });
    // The last attempt whose backoff could not fit is handed through as it is.
    expect(res.status).toBe(503);
    await h.drain(res);
    expect(performance.now() - t0).toBeLessThan(700 + LATE_MARGIN_MS);
    expect(h.sink.of('retry').length).toBeGreaterThanOrEqual(3);
    expect(failed()).toMatchObject({ outcome: 'upstream_busy', status: 503 });
  });
});
