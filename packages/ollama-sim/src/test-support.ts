import { type IncomingHttpHeaders, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { afterEach } from 'vitest';
import { startSimulator } from './server.ts';
import type { SimulatorHandle, SimulatorOptions } from './types.ts';

/** A reply read byte by byte, with the moments headers and chunks arrived (ms since the request was sent). */
export interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  chunks: { atMs: number; text: string }[];
  headersAtMs: number;
  endedAtMs: number;
}

export interface RawRequestOptions {
  method?: string;
  body?: string | object;
  headers?: Record<string, string>;
}

/** An HTTP exchange on its own connection; `abort()` destroys the socket like a client giving up. */
export interface RawExchange {
  reply: Promise<RawReply>;
  /** Resolves with the reply's status and headers as soon as they arrive. */
  headers: Promise<{ status: number; headers: IncomingHttpHeaders; atMs: number }>;
  /** Resolves when the body holds at least `count` chunks. */
  chunks(count: number): Promise<void>;
  abort(): number;
  /** The body received so far. */
  received(): string;
  sentAtMs: number;
}

/** Sends one request over a fresh connection (no keep-alive pool). */
export function exchange(baseUrl: string, path: string, options: RawRequestOptions = {}): RawExchange {
  const url = new URL(path, baseUrl);
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const sentAtMs = performance.now();
  const chunkWaiters: { count: number; resolve: () => void }[] = [];
  const chunks: { atMs: number; text: string }[] = [];
  let resolveHeaders: (v: { status: number; headers: IncomingHttpHeaders; atMs: number }) => void = () => {};
  let rejectHeaders: (err: Error) => void = () => {};
  const headers = new Promise<{ status: number; headers: IncomingHttpHeaders; atMs: number }>(
    (resolve, reject) => {
      resolveHeaders = resolve;
      rejectHeaders = reject;
    },
  );
  headers.catch(() => {});
  const req = request(url, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    agent: false,
    headers: {
      ...(body === undefined
        ? {}
        : { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) }),
      ...options.headers,
    },
  });
  const reply = new Promise<RawReply>((resolve, reject) => {
    req.on('error', (err) => {
      rejectHeaders(err);
      reject(err);
    });
    req.on('response', (res) => {
      const headersAtMs = performance.now() - sentAtMs;
      resolveHeaders({ status: res.statusCode ?? 0, headers: res.headers, atMs: headersAtMs });
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        chunks.push({ atMs: performance.now() - sentAtMs, text });
        for (const waiter of chunkWaiters.filter((w) => chunks.length >= w.count)) waiter.resolve();
      });
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: chunks.map((c) => c.text).join(''),
          chunks,
          headersAtMs,
          endedAtMs: performance.now() - sentAtMs,
        }),
      );
    });
  });
  reply.catch(() => {});
  req.end(body);
  return {
    reply,
    headers,
    sentAtMs,
    chunks: (count) =>
      new Promise<void>((resolve) => {
        if (chunks.length >= count) return resolve();
        chunkWaiters.push({ count, resolve });
      }),
    received: () => chunks.map((c) => c.text).join(''),
    abort: () => {
      req.destroy();
      return performance.timeOrigin + performance.now();
    },
  };
}

/** Sends one request and waits for the whole reply. */
export function fetchRaw(baseUrl: string, path: string, options: RawRequestOptions = {}): Promise<RawReply> {
  return exchange(baseUrl, path, options).reply;
}

/** The JSON objects of an NDJSON body. */
export function ndjson(body: string): Record<string, unknown>[] {
  return body
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The `data:` payloads of an SSE body. */
export function sseData(body: string): string[] {
  return body
    .split('\n\n')
    .filter((event) => event.startsWith('data: '))
    .map((event) => event.slice('data: '.length));
}

/** Polls `check` every 5 ms until it holds; fails after `timeoutMs`. */
export async function waitUntil(check: () => boolean, timeoutMs = 2000, what = 'condition'): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * The `start` of a test file: starts a simulator, and closes the one a test started after it (this
 * registers the `afterEach`, so call it at the top of the file).
 */
export function simulatorPerTest(): (options?: SimulatorOptions) => Promise<SimulatorHandle> {
  let sim: SimulatorHandle | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });
  return async (options = {}) => {
    sim = await startSimulator(options);
    return sim;
  };
}
