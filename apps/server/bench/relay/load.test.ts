/** The load generator's jobs against a real HTTP server on 127.0.0.1 (in this process: these test the generator, not a server). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallSpec } from './jobs.ts';
import { runClosedLoop, runOpenLoop } from './open-loop.ts';
import { percentile } from './quantiles.ts';
import { holdStreams, releaseStreams, runStreamThroughput, runStreamTtft } from './streams.ts';

let server: Server;
let origin: string;
let openSockets = 0;

const get = (path: string): CallSpec => ({ method: 'GET', path, headers: {} });

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const delayMs = Number(url.searchParams.get('delayMs') ?? 0);
    if (url.pathname === '/ok') {
      setTimeout(() => res.end('{"done":true}'), delayMs);
    } else if (url.pathname === '/busy') {
      res.writeHead(503).end('{"error":"busy"}');
    } else if (url.pathname === '/stream') {
      const lines = Number(url.searchParams.get('lines') ?? 10);
      const gapMs = Number(url.searchParams.get('gapMs') ?? 0);
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      let sent = 0;
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        res.write(`{"response":"t${sent}","done":false}\n`);
        if (++sent >= lines) {
          clearInterval(timer);
          res.end();
        }
      }, gapMs);
      res.on('close', () => clearInterval(timer));
    } else res.writeHead(404).end();
  });
  server.on('connection', (socket) => {
    openSockets++;
    socket.on('close', () => openSockets--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('runOpenLoop', () => {
  it('sends at the rate, spreads over the connections and measures only the window', async () => {
    const result = await runOpenLoop({
      kind: 'open-loop',
      origin,
      call: get('/ok'),
      connections: 4,
      ratePerSec: 200,
      warmupMs: 100,
      measureMs: 500,
    });
    expect(result.errors).toBe(0);
    expect(result.latenciesMs).toHaveLength(100);
    expect(Math.min(...result.latenciesMs)).toBeGreaterThanOrEqual(0);
    expect(result.answeredPerSec).toBeGreaterThan(120);
    expect(result.answeredPerSec).toBeLessThanOrEqual(205);
    await expect.poll(() => openSockets).toBe(0); // every connection closed at the end
  });

  it('charges a target that falls behind for its queue (latency from the scheduled time)', async () => {
    // One connection, 25 ms per answer, one request every 10 ms: each waits longer than the one before.
    const result = await runOpenLoop({
      kind: 'open-loop',
      origin,
      call: get('/ok?delayMs=25'),
      connections: 1,
      ratePerSec: 100,
      warmupMs: 0,
      measureMs: 400,
    });
    expect(result.latenciesMs).toHaveLength(40);
    // The last request waits for ~39 x 25 ms of work scheduled 390 ms: ~600 ms, far above one answer's 25 ms.
    expect(percentile(result.latenciesMs, 0.99)).toBeGreaterThan(300);
    expect(result.answeredPerSec).toBeLessThan(60);
  });

  it('counts answers other than 200 as errors', async () => {
    const result = await runOpenLoop({
      kind: 'open-loop',
      origin,
      call: get('/busy'),
      connections: 2,
      ratePerSec: 100,
      warmupMs: 0,
      measureMs: 200,
    });
    expect(result.errors).toBe(20);
    expect(result.firstError).toBe('status 503');
    expect(result.latenciesMs).toHaveLength(0);
  });
});

describe('runClosedLoop', () => {
  it('keeps every connection busy and counts answers in the window', async () => {
    const result = await runClosedLoop({
      kind: 'closed-loop',
      origin,
      call: get('/ok?delayMs=10'),
      connections: 5,
      warmupMs: 50,
      measureMs: 300,
    });
    expect(result.errors).toBe(0);
    // 5 connections x ~10+ ms per answer: at most ~150 answers in 300 ms, and far more than one connection's 30.
    expect(result.completed).toBeGreaterThan(40);
    expect(result.completed).toBeLessThanOrEqual(160);
    expect(result.completedAll).toBeGreaterThanOrEqual(result.completed);
    expect(result.requestsPerSec).toBeCloseTo(result.completed / 0.3, 6);
  });
});

describe('stream jobs', () => {
  it('counts NDJSON lines of concurrent streams inside the window', async () => {
    const result = await runStreamThroughput({
      kind: 'stream-throughput',
      origin,
      call: get('/stream?lines=20&gapMs=1'),
      connections: 4,
      warmupMs: 50,
      measureMs: 400,
    });
    expect(result.errors).toBe(0);
    expect(result.streamsCompleted).toBeGreaterThan(0);
    expect(result.lines).toBeGreaterThan(100);
    expect(result.linesPerSec).toBeCloseTo(result.lines / 0.4, 6);
    await expect.poll(() => openSockets).toBe(0);
  });

  it('measures time to the first chunk from the scheduled start', async () => {
    const result = await runStreamTtft({
      kind: 'stream-ttft',
      origin,
      call: get('/stream?lines=3&gapMs=30'),
      connections: 4,
      streamsPerSec: 40,
      warmupMs: 0,
      measureMs: 250,
    });
    expect(result.errors).toBe(0);
    expect(result.ttftMs).toHaveLength(10);
    expect(Math.min(...result.ttftMs)).toBeGreaterThanOrEqual(29);
  });

  it('holds streams open until released, then closes them all', async () => {
    const held = await holdStreams({
      kind: 'hold-streams',
      origin,
      call: get('/stream?lines=1000&gapMs=50'),
      streams: 10,
      openPerSec: 200,
      openTimeoutMs: 5_000,
    });
    expect(held).toEqual({ kind: 'hold-streams', open: 10, errors: 0 });
    expect(openSockets).toBe(10);
    const again = {
      kind: 'hold-streams',
      origin,
      call: get('/ok'),
      streams: 1,
      openPerSec: 1,
      openTimeoutMs: 100,
    } as const;
    await expect(holdStreams(again)).rejects.toThrow('already held');
    const released = await releaseStreams();
    expect(released).toEqual({ kind: 'release-streams', endedEarly: 0 });
    await expect.poll(() => openSockets).toBe(0);
  });
});
