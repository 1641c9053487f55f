/** Retries: only safe failures, only before headers, exact counts, backoff bounds, failover. */
import { describe, expect, test } from 'vitest';
import type { AttemptFailure } from './execute-call.ts';
import { useCallSuite } from './testing/call-suite.ts';
import { chatFrame, finalFrame } from './testing/harness.ts';
import { startRawServer } from './testing/raw-server.ts';

const { h, server } = useCallSuite();

/** A URL where nothing listens: connect is refused at once. */
async function refusedUrl(): Promise<string> {
  const s = await startRawServer(() => {});
  await s.close();
  return s.url;
}

function ok(res: import('node:http').ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  res.write(chatFrame('hi'));
  res.end(finalFrame());
}

describe('retries', () => {
  test('a refused connect is retried exactly maxRetries times, then fails', async () => {
    const url = await refusedUrl();
    const error = await h
      .run(url, { retry: { maxRetries: 3, baseDelayMs: 20, maxDelayMs: 20 } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'LOOKOUT_NETWORK', reason: 'ECONNREFUSED', phase: 'connect' });
    expect(h.sink.types()).toEqual([
      'dispatched',
      'retry',
      'dispatched',
      'retry',
      'dispatched',
      'retry',
      'dispatched',
      'failed',
    ]);
    expect(h.sink.of('dispatched').map((e) => e.attempt)).toEqual([1, 2, 3, 4]);
    expect(h.sink.of('retry').map((e) => [e.attempt, e.code, e.outcome])).toEqual([
      [1, 'LOOKOUT_NETWORK', 'network_error'],
      [2, 'LOOKOUT_NETWORK', 'network_error'],
      [3, 'LOOKOUT_NETWORK', 'network_error'],
    ]);
    expect(h.sink.of('failed')[0]).toMatchObject({
      outcome: 'network_error',
      attempts: 4,
      afterFirstByte: false,
    });
  });

  test('backoff delays are full-jitter within their doubling caps, and really waited', async () => {
    const url = await refusedUrl();
    const draws = [0.99, 0.99, 0.99, 0.5];
    await h
      .run(url, {
        retry: { maxRetries: 4, baseDelayMs: 60, maxDelayMs: 200, random: () => draws.shift() ?? 0 },
      })
      .catch(() => undefined);
    const retries = h.sink.of('retry');
    expect(retries.map((r) => r.delayMs)).toEqual([59, 118, 198, 100]);
    const dispatched = h.sink.of('dispatched');
    for (let i = 0; i < retries.length; i++) {
      const gap = dispatched[i + 1]!.atMs - retries[i]!.atMs;
      expect(gap).toBeGreaterThanOrEqual(retries[i]!.delayMs - 2);
      expect(gap).toBeLessThan(retries[i]!.delayMs + 250);
    }
  });

  test('503 busy is retried honouring Retry-After, then the answer flows', async () => {
    const s = await server((_req, res, i) => {
      if (i === 0) {
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end('{"error":"server busy, please try again.  maximum pending requests exceeded"}');
      } else ok(res);
    });
    const res = await h.run(s.url, { retry: { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 10 } });
    expect(res.status).toBe(200);
    expect(res.attempts).toBe(2);
    await h.drain(res);
    const [retry] = h.sink.of('retry');
    expect(retry).toMatchObject({ attempt: 1, code: 'LOOKOUT_UPSTREAM_BUSY', outcome: 'upstream_busy' });
    expect(retry!.delayMs).toBeGreaterThanOrEqual(1000);
    expect(h.sink.of('done')[0]).toMatchObject({ attempts: 2, status: 200 });
  });

  test('502 and 504 from an intermediary are retried; 500 and 404 are handed through at once', async () => {
    const statuses = [502, 504];
    const s = await server((_req, res, i) => {
      const status = statuses[i];
      if (status !== undefined) {
        res.writeHead(status);
        res.end('bad gateway');
      } else ok(res);
    });
    const res = await h.run(s.url, { retry: { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 10 } });
    expect(res.attempts).toBe(3);
    await h.drain(res);

    for (const status of [500, 404]) {
      const other = await server((_req, r) => {
        r.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        r.end(`{"error":"status ${status}"}`);
      });
      const r = await h.run(other.url, { retry: { maxRetries: 2, baseDelayMs: 10 } });
      expect(r.status).toBe(status);
      expect(r.attempts).toBe(1);
      await h.drain(r);
      expect(other.requests).toBe(1);
    }
  });

  test('a reset before headers is retried', async () => {
    const s = await server((req, res, i) => {
      if (i === 0) req.socket.destroy();
      else ok(res);
    });
    const res = await h.run(s.url, { retry: { maxRetries: 1, baseDelayMs: 10 } });
    await h.drain(res);
    expect(h.sink.of('retry')[0]).toMatchObject({ code: 'LOOKOUT_NETWORK' });
    expect(h.sink.of('done')).toHaveLength(1);
  });

  test('no retry once the headers are out: a reset mid-body fails the call', async () => {
    const s = await server((req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(chatFrame('a'), () => setTimeout(() => req.socket.destroy(), 50));
    });
    const res = await h.run(s.url, { retry: { maxRetries: 3, baseDelayMs: 10 } });
    const { error, bytes } = await h.drain(res);
    expect(bytes.toString()).toBe(chatFrame('a'));
    expect(error).toMatchObject({ code: 'LOOKOUT_NETWORK', phase: 'body' });
    expect(s.requests).toBe(1);
    expect(h.sink.of('retry')).toHaveLength(0);
    expect(h.sink.of('failed')[0]).toMatchObject({
      outcome: 'network_error',
      afterFirstByte: true,
      attempts: 1,
    });
  });

  test('a first-byte timeout is not retried (the upstream may be working on it)', async () => {
    const s = await server(() => {});
    await h
      .run(s.url, { timeouts: { firstByteTimeoutMs: 150 }, retry: { maxRetries: 3, baseDelayMs: 10 } })
      .catch(() => undefined);
    expect(s.requests).toBe(1);
    expect(h.sink.of('failed')[0]).toMatchObject({ outcome: 'timeout_first_byte', attempts: 1 });
  });

  test('503 on every attempt: the last one is handed through and counts as upstream_busy', async () => {
    const s = await server((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"error":"server busy, please try again.  maximum pending requests exceeded"}');
    });
    const res = await h.run(s.url, { retry: { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 10 } });
    expect(res.status).toBe(503);
    const { bytes } = await h.drain(res);
    expect(JSON.parse(bytes.toString())).toEqual({
      error: 'server busy, please try again.  maximum pending requests exceeded',
    });
    expect(s.requests).toBe(3);
    expect(res.failure).toMatchObject({
      code: 'LOOKOUT_UPSTREAM_BUSY',
      upstreamMessage: 'server busy, please try again.  maximum pending requests exceeded',
    });
    expect(h.sink.of('failed')[0]).toMatchObject({ outcome: 'upstream_busy', status: 503, attempts: 3 });
  });

  test('a Retry-After longer than the remaining budget is not waited for', async () => {
    const s = await server((_req, res) => {
      res.writeHead(503, { 'retry-after': '30' });
      res.end();
    });
    const t0 = performance.now();
    const res = await h.run(s.url, { retry: { maxRetries: 2 }, timeouts: { totalTimeoutMs: 2000 } });
    expect(performance.now() - t0).toBeLessThan(500);
    expect(res.status).toBe(503);
    await h.drain(res);
    expect(s.requests).toBe(1);
  });

  test('failover: each attempt asks pickTarget, which sees the failures so far', async () => {
    const dead = await refusedUrl();
    const live = await server((_req, res) => ok(res));
    const seen: AttemptFailure[][] = [];
    const res = await h.run(live.url, {
      retry: { maxRetries: 2, baseDelayMs: 10 },
      pickTarget: (attempt, failures) => {
        seen.push([...failures]);
        return attempt === 1 ? h.target(dead, 'dead') : h.target(live.url, 'live');
      },
    });
    expect(res.target).toBe('live');
    await h.drain(res);
    expect(seen).toHaveLength(2);
    expect(seen[1]).toMatchObject([{ attempt: 1, target: 'dead', error: { code: 'LOOKOUT_NETWORK' } }]);
    expect(h.sink.of('dispatched').map((e) => e.target)).toEqual(['dead', 'live']);
    expect(h.sink.of('retry')[0]?.target).toBe('dead');
    expect(h.sink.of('done')[0]?.target).toBe('live');
  });

  test('pickTarget returning undefined ends the call with the last failure', async () => {
    const dead = await refusedUrl();
    const error = await h
      .run(dead, {
        retry: { maxRetries: 5, baseDelayMs: 5 },
        pickTarget: (attempt) => (attempt <= 2 ? h.target(dead) : undefined),
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'LOOKOUT_NETWORK', attempt: 2 });
    expect(h.sink.of('dispatched')).toHaveLength(2);
  });
});
