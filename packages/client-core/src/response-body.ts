/**
 * The body a caller reads after the headers: an async iterable of the very Buffers undici produced.
 * Each chunk handed over is observed (frames, tokens, errors, final metrics) and reported as events;
 * the end of the body decides the call's terminal event.
 */
import type { CallEvents } from './call-events.ts';
import {
  AbortedError,
  BadRequestError,
  type ErrorContext,
  type LookoutError,
  StreamError,
  UpstreamBusyError,
  UpstreamHttpError,
} from './errors.ts';
import type { UpstreamExchange } from './exchange.ts';
import type { BodyObserver } from './observe/index.ts';

/** What the body needs to know about its call. */
export interface ResponseBodyOptions {
  exchange: UpstreamExchange;
  observer: BodyObserver;
  events: CallEvents;
  status: number;
  retryAfterMs: number | undefined;
  target: string;
  attempts: number;
  context: ErrorContext;
  /** Emit `first_token` for this call (streaming generation endpoints). */
  reportsFirstToken: boolean;
}

/** The failure an error status stands for. */
export function httpErrorFor(
  status: number,
  upstreamMessage: string | undefined,
  retryAfterMs: number | undefined,
  context: ErrorContext,
): LookoutError {
  const details = { status, upstreamMessage, retryAfterMs };
  if (status === 503) return new UpstreamBusyError(details, context);
  if (status === 400) return new BadRequestError(details, context);
  return new UpstreamHttpError(details, context);
}

export class ResponseBody implements AsyncIterableIterator<Buffer> {
  readonly #o: ResponseBodyOptions;
  #firstTokenSeen = false;
  #finished = false;
  #failNext: LookoutError | undefined;

  // Made once per body, not per chunk: a stream's reader usually waits for each chunk.
  readonly #onRead = (chunk: Buffer | null): IteratorResult<Buffer> =>
    chunk === null ? this.#end() : this.#deliver(chunk);
  readonly #onReadError = (error: unknown): never => {
    this.#finished = true;
    throw error;
  };

  constructor(options: ResponseBodyOptions) {
    this.#o = options;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Buffer>> {
    if (this.#finished) return Promise.resolve({ done: true, value: undefined });
    if (this.#failNext !== undefined) {
      this.#finished = true;
      return Promise.reject(this.#failNext);
    }
    let chunk: Buffer | null | undefined;
    try {
      chunk = this.#o.exchange.tryRead();
    } catch (error) {
      this.#finished = true;
      return Promise.reject(error);
    }
    if (chunk === undefined) return this.#o.exchange.read().then(this.#onRead, this.#onReadError);
    try {
      return Promise.resolve(chunk === null ? this.#end() : this.#deliver(chunk));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The reader stopped early: a drained body or a stream whose final frame was handed over counts as
   * done, anything else as an abort (the upstream request is closed at once). */
  return(): Promise<IteratorResult<Buffer>> {
    if (this.#finished || this.#o.events.terminal !== undefined) {
      this.#finished = true;
      return Promise.resolve({ done: true, value: undefined });
    }
    const o = this.#o;
    if (o.exchange.drained) {
      try {
        this.#end();
      } catch {
        // The failure is recorded as the call's terminal event; return() itself does not throw.
      }
      return Promise.resolve({ done: true, value: undefined });
    }
    this.#finished = true;
    const seen = o.observer.finish();
    const streamComplete = o.observer.framing !== 'single' && seen.complete;
    if (o.status < 400 && streamComplete && seen.errorText === undefined && seen.malformed === undefined) {
      o.events.done(o.target, o.status, o.attempts, seen.metrics);
      o.exchange.abort(new AbortedError({ ...o.context, phase: 'body' }));
    } else {
      const error = new AbortedError({ ...o.context, phase: 'body' });
      o.exchange.abort(error);
      this.#fail(error);
    }
    return Promise.resolve({ done: true, value: undefined });
  }

  #deliver(chunk: Buffer): IteratorResult<Buffer> {
    const o = this.#o;
    const tokens = o.observer.observe(chunk);
    if (tokens > 0 && o.reportsFirstToken && !this.#firstTokenSeen) {
      this.#firstTokenSeen = true;
      o.events.firstToken(o.target);
    }
    o.events.emitChunk(o.target, chunk.length, tokens);
    const malformed = o.observer.malformed;
    if (malformed !== undefined && o.status < 400 && this.#failNext === undefined) {
      // The chunk still goes to the caller as it is; the call fails now and the next read throws.
      this.#failNext = new StreamError('malformed_frame', malformed, o.context);
      o.exchange.abort(this.#failNext);
      this.#fail(this.#failNext);
    }
    return { done: false, value: chunk };
  }

  /** The upstream ended and every chunk was handed over. */
  #end(): IteratorResult<Buffer> {
    this.#finished = true;
    const o = this.#o;
    const seen = o.observer.finish();
    if (o.status >= 400) {
      // Handed through byte for byte; the call still counts as failed.
      this.#fail(httpErrorFor(o.status, seen.errorText, o.retryAfterMs, o.context));
      return { done: true, value: undefined };
    }
    if (seen.errorText !== undefined) {
      // The upstream's own error frame reached the caller already: the body ends as the upstream ended it.
      this.#fail(new StreamError('error_frame', seen.errorText, o.context));
      return { done: true, value: undefined };
    }
    if (seen.malformed !== undefined)
      throw this.#failWith(new StreamError('malformed_frame', seen.malformed, o.context));
    if (!seen.complete) throw this.#failWith(new StreamError('missing_done', undefined, o.context));
    o.events.done(o.target, o.status, o.attempts, seen.metrics);
    return { done: true, value: undefined };
  }

  #failWith(error: LookoutError): LookoutError {
    this.#finished = true;
    this.#o.exchange.abort(error);
    this.#fail(error);
    return error;
  }

  #fail(error: LookoutError): void {
    this.#o.events.fail(error, { target: this.#o.target, attempts: this.#o.attempts, afterFirstByte: true });
  }
}
