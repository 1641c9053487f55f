import { type IncomingHttpHeaders, request } from 'node:http';

/** What a client saw of one call, byte for byte. */
export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body arrived whole (false: the connection was cut before the response's end). */
  complete: boolean;
  /** Request sent -> headers, and request sent -> end or cut of the body (ms). */
  headersAfterMs: number;
  tookMs: number;
}

export interface RawCallOptions {
  headers?: Record<string, string>;
  body: string;
}

/** An exchange in progress, on its own connection (no pool: nothing is reused between calls). */
export interface RawCall {
  answer: Promise<RawAnswer>;
  /** Resolves at the response headers. */
  headers: Promise<{ status: number; headers: IncomingHttpHeaders }>;
  /** Resolves once the body holds at least `bytes` bytes. */
  bodyBytes(bytes: number): Promise<void>;
  /** The client gives up: destroys its socket (as a closed tab or a killed process does). */
  abort(): void;
  /** Resolves when the client's connection is closed (the relay closes it after the answer: `Connection: close`). */
  closed: Promise<void>;
}

/**
 * POSTs `body` to `baseUrl + path` on a fresh connection (`Connection: close`) and records what comes
 * back, including whether the body ended properly or the connection was cut.
 */
export function rawCall(baseUrl: string, path: string, options: RawCallOptions): RawCall {
  const sentAtMs = performance.now();
  const pieces: Buffer[] = [];
  let size = 0;
  const sizeWaiters: { bytes: number; resolve: () => void }[] = [];
  let onHeaders: (h: { status: number; headers: IncomingHttpHeaders }) => void = () => {};
  let onHeadersFailed: (error: Error) => void = () => {};
  const headers = new Promise<{ status: number; headers: IncomingHttpHeaders }>((resolve, reject) => {
    onHeaders = resolve;
    onHeadersFailed = reject;
  });
  headers.catch(() => {});

  const req = request(new URL(path, baseUrl), {
    method: 'POST',
    agent: false,
    headers: {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(options.body)),
      ...options.headers,
    },
  });
  const answer = new Promise<RawAnswer>((resolve, reject) => {
    req.on('error', (error) => {
      onHeadersFailed(error);
      reject(error);
    });
    req.on('response', (res) => {
      const headersAfterMs = performance.now() - sentAtMs;
      onHeaders({ status: res.statusCode ?? 0, headers: res.headers });
      res.on('data', (chunk: Buffer) => {
        pieces.push(chunk);
        size += chunk.length;
        for (const waiter of sizeWaiters.filter((w) => size >= w.bytes)) waiter.resolve();
      });
      // 'close' comes after 'end' for a whole body, and alone (with an 'error') for a cut one.
      res.on('error', () => {});
      res.on('close', () => {
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(pieces).toString('utf8'),
          complete: res.complete,
          headersAfterMs,
          tookMs: performance.now() - sentAtMs,
        });
      });
    });
  });
  answer.catch(() => {});
  const closed = new Promise<void>((resolve) => {
    req.on('socket', (socket) => {
      if (socket.closed) resolve();
      else socket.once('close', () => resolve());
    });
  });
  req.end(options.body);
  return {
    answer,
    headers,
    bodyBytes: (bytes) =>
      new Promise<void>((resolve) => {
        if (size >= bytes) resolve();
        else sizeWaiters.push({ bytes, resolve });
      }),
    abort: () => req.destroy(),
    closed,
  };
}
