/**
 * One HTTP attempt on undici's dispatcher API: resolves at the response headers, then hands body
 * chunks (the Buffers undici produced, untouched) to one reader with backpressure. It owns the
 * first-byte and idle timers: the first-byte timer runs from the moment the request goes out on a
 * connected socket to the headers; the idle timer runs between chunks while the reader keeps up
 * (it is stopped while the body is paused because the reader is slow, which is not the upstream's fault).
 */
import type { Dispatcher } from 'undici';
import { type ErrorContext, FirstByteTimeoutError, IdleTimeoutError, type LookoutError } from './errors.ts';
import type { ResponseHeaders } from './headers.ts';
import { toLookoutError } from './transport-errors.ts';

/** Status line and headers of a response. */
export interface ResponseHead {
  status: number;
  headers: ResponseHeaders;
}

/** Options of one attempt. */
export interface ExchangeOptions {
  dispatcher: Dispatcher;
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body: Uint8Array | undefined;
  /** Undefined for a non-streaming call: its headers come with the whole answer, the total budget rules. */
  firstByteTimeoutMs: number | undefined;
  idleTimeoutMs: number;
  connectTimeoutMs: number;
  /** Names the request in errors (method, URL, target, attempt). */
  context: ErrorContext;
  /** Called once if the body fails after it was handed over (idle timeout, reset, abort). */
  onBodyFailure: (error: LookoutError) => void;
}

// Pause the upstream when this much is buffered and unread; resume below half of it.
const HIGH_WATER_BYTES = 64 * 1024;

type Phase = 'connect' | 'first_byte' | 'body' | 'ended' | 'failed';

interface Reader {
  resolve: (chunk: Buffer | null) => void;
  reject: (error: LookoutError) => void;
}

export class UpstreamExchange implements Dispatcher.DispatchHandler {
  readonly #o: ExchangeOptions;
  #phase: Phase = 'connect';
  #controller: Dispatcher.DispatchController | undefined;
  #pendingAbort: LookoutError | undefined;
  #firstByteTimer: NodeJS.Timeout | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #head: { resolve: (head: ResponseHead) => void; reject: (e: LookoutError) => void } | undefined;
  #chunks: Buffer[] = [];
  #chunkIndex = 0;
  #bufferedBytes = 0;
  #paused = false;
  #reader: Reader | undefined;
  #error: LookoutError | undefined;
  #handedOver = false;

  constructor(options: ExchangeOptions) {
    this.#o = options;
  }

  /** Where the attempt is: connect (until a socket carries it), first_byte, body, ended or failed. */
  get phase(): Phase {
    return this.#phase;
  }

  /** Sends the request; resolves at the headers, rejects with a `LookoutError` before them. */
  start(): Promise<ResponseHead> {
    const o = this.#o;
    return new Promise<ResponseHead>((resolve, reject) => {
      this.#head = { resolve, reject };
      try {
        o.dispatcher.dispatch(
          {
            path: o.path,
            method: o.method as Dispatcher.HttpMethod,
            headers: o.headers,
            body: o.body ?? null,
            headersTimeout: 0,
            bodyTimeout: 0,
          },
          this,
        );
      } catch (error) {
        this.#fail(this.#normalize(error));
      }
    });
  }

  /** Ends the attempt with `reason`: closes the upstream request (socket) at once. Idempotent. */
  abort(reason: LookoutError): void {
    if (this.#phase === 'failed') return;
    const controller = this.#controller;
    if (controller !== undefined) {
      if (!controller.aborted && this.#phase !== 'ended') controller.abort(reason);
    } else {
      // Not on a socket yet: undici aborts it when it gets one (a pending connect dies at its budget).
      this.#pendingAbort = reason;
    }
    this.#fail(reason);
  }

  /** From now on a body failure is reported through `onBodyFailure` (before, the attempt is only discarded). */
  handOver(): void {
    this.#handedOver = true;
  }

  /** The upstream ended and every chunk was read. */
  get drained(): boolean {
    return this.#phase === 'ended' && this.#chunkIndex === this.#chunks.length;
  }

  /** The next chunk if one is buffered, `null` at the end, `undefined` when the reader must wait. Throws after a failure. */
  tryRead(): Buffer | null | undefined {
    if (this.#error !== undefined) throw this.#error;
    if (this.#chunkIndex < this.#chunks.length) return this.#shift();
    return this.#phase === 'ended' ? null : undefined;
  }

  /** Waits for the next chunk (`null` at the end). One reader at a time. */
  read(): Promise<Buffer | null> {
    try {
      const now = this.tryRead();
      if (now !== undefined) return Promise.resolve(now);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#reader !== undefined) return Promise.reject(new TypeError('the body has one reader at a time'));
    return new Promise<Buffer | null>((resolve, reject) => {
      this.#reader = { resolve, reject };
    });
  }

  // --- undici handler -------------------------------------------------------------------------

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#pendingAbort !== undefined) {
      controller.abort(this.#pendingAbort);
      return;
    }
    if (this.#phase !== 'connect' && this.#phase !== 'first_byte') return;
    this.#phase = 'first_byte';
    clearTimeout(this.#firstByteTimer);
    const budget = this.#o.firstByteTimeoutMs;
    if (budget !== undefined) {
      this.#firstByteTimer = setTimeout(() => {
        this.abort(new FirstByteTimeoutError(budget, { ...this.#o.context, phase: 'first_byte' }));
      }, budget);
    }
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: ResponseHeaders,
  ): void {
    if (this.#phase !== 'first_byte' || statusCode < 200) return;
    this.#controller = controller;
    clearTimeout(this.#firstByteTimer);
    this.#firstByteTimer = undefined;
    this.#phase = 'body';
    this.#armIdle();
    const head = this.#head;
    this.#head = undefined;
    head?.resolve({ status: statusCode, headers });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#phase !== 'body') return;
    this.#idleTimer?.refresh();
    const reader = this.#reader;
    if (reader !== undefined && this.#chunkIndex === this.#chunks.length) {
      this.#reader = undefined;
      reader.resolve(chunk);
      return;
    }
    this.#chunks.push(chunk);
    this.#bufferedBytes += chunk.length;
    if (this.#bufferedBytes > HIGH_WATER_BYTES && !this.#paused) {
      this.#paused = true;
      controller.pause();
      clearTimeout(this.#idleTimer);
      this.#idleTimer = undefined;
    }
  }

  onResponseEnd(): void {
    if (this.#phase !== 'body') return;
    this.#phase = 'ended';
    this.#clearTimers();
    const reader = this.#reader;
    if (reader !== undefined && this.#chunkIndex === this.#chunks.length) {
      this.#reader = undefined;
      reader.resolve(null);
    }
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#fail(this.#normalize(error));
  }

  // --- internals ------------------------------------------------------------------------------

  #shift(): Buffer {
    const chunk = this.#chunks[this.#chunkIndex]!;
    this.#chunks[this.#chunkIndex] = undefined as unknown as Buffer; // let it be collected
    this.#chunkIndex++;
    if (this.#chunkIndex === this.#chunks.length) {
      this.#chunks = [];
      this.#chunkIndex = 0;
    }
    this.#bufferedBytes -= chunk.length;
    if (this.#paused && this.#bufferedBytes <= HIGH_WATER_BYTES / 2 && this.#phase === 'body') {
      this.#paused = false;
      this.#armIdle();
      this.#controller?.resume();
    }
    return chunk;
  }

  #armIdle(): void {
    const budget = this.#o.idleTimeoutMs;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      this.abort(new IdleTimeoutError(budget, { ...this.#o.context, phase: 'body' }));
    }, budget);
  }

  #clearTimers(): void {
    clearTimeout(this.#firstByteTimer);
    clearTimeout(this.#idleTimer);
    this.#firstByteTimer = undefined;
    this.#idleTimer = undefined;
  }

  #normalize(error: unknown): LookoutError {
    const phase =
      this.#phase === 'connect' ? 'connect' : this.#phase === 'first_byte' ? 'first_byte' : 'body';
    return toLookoutError(error, {
      ...this.#o.context,
      phase,
      connectTimeoutMs: this.#o.connectTimeoutMs,
      firstByteTimeoutMs: this.#o.firstByteTimeoutMs ?? 0,
      idleTimeoutMs: this.#o.idleTimeoutMs,
    });
  }

  #fail(error: LookoutError): void {
    if (this.#phase === 'failed') return;
    const report = this.#handedOver;
    this.#phase = 'failed';
    this.#error = error;
    this.#clearTimers();
    this.#chunks = [];
    this.#chunkIndex = 0;
    this.#bufferedBytes = 0;
    const head = this.#head;
    this.#head = undefined;
    head?.reject(error);
    const reader = this.#reader;
    this.#reader = undefined;
    reader?.reject(error);
    if (report) this.#o.onBodyFailure(error);
  }
}
