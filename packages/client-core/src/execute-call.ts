/**
 * executeCall: the one path every call to Ollama takes. Gate -> attempt -> (retry with backoff,
 * possibly on another target) -> headers handed to the caller -> body observed to its end, with the
 * four budgets enforced and one typed event stream per call ending in exactly one done/failed.
 */
import {
  backoffDelayMs,
  isRetriable,
  parseRetryAfterMs,
  type RetryPolicy,
  resolveRetryPolicy,
} from './backoff.ts';
import { CallEvents } from './call-events.ts';
import { CallResponse } from './call-response.ts';
import type { AttemptFailure, CallTarget, ExecuteCallOptions, UpstreamResponse } from './call-types.ts';
import {
  AbortedError,
  type CallPhase,
  type ErrorContext,
  isLookoutError,
  type LookoutError,
  NetworkError,
  ShutdownError,
  TotalTimeoutError,
} from './errors.ts';
import { UpstreamExchange } from './exchange.ts';
import type { GateLease } from './gate.ts';
import { headerValue, type ResponseHeaders, upstreamRequestHeaders } from './headers.ts';
import { createBodyObserver, framingOf } from './observe/index.ts';

import { httpErrorFor, ResponseBody } from './response-body.ts';
import { sleep } from './sleep.ts';
import { resolveTimeouts } from './timeouts.ts';
import { toLookoutError } from './transport-errors.ts';

export type {
  AttemptFailure,
  CallTarget,
  ExecuteCallOptions,
  PickTarget,
  UpstreamRequest,
  UpstreamResponse,
} from './call-types.ts';

const GENERATION = new Set(['generate', 'chat', 'openai_chat', 'openai_completions']);

/**
 * Runs one call. Resolves when response headers arrive (any status that is not retried, error
 * statuses included: they are the caller's to pass on); rejects with a `LookoutError` before that.
 * @example
 * const res = await executeCall({ info, request: { headers, body }, pickTarget: () => target, pool, signal, sink });
 * for await (const chunk of res.body) downstream.write(chunk);
 */
export function executeCall(options: ExecuteCallOptions): Promise<UpstreamResponse> {
  return startCall(options).response;
}

/** A call under way: its response as `executeCall` gives it, and a way to abort it. */
export interface StartedCall {
  readonly response: Promise<UpstreamResponse>;
  /**
   * Aborts the call as the `signal` option does (an `AbortedError` whose cause is `reason`): before the
   * headers the response rejects with it, after them the body fails with it. Idempotent.
   */
  abort(reason?: unknown): void;
  /**
   * Ends the call because the process is stopping (a `ShutdownError` naming `drainBudgetMs`, counted as
   * `timeout_total`): before the headers the response rejects with it, after them the body fails with it.
   */
  shutDown(drainBudgetMs: number): void;
}

/**
 * `executeCall` with an abort handle instead of an `AbortSignal`, for callers that rarely abort and
 * start many calls (the relay): an AbortSignal costs a V8 map of its own per call in Node 20.
 * @example
 * const call = startCall({ info, request, pickTarget, pool, sink });
 * res.on('close', () => call.abort(new Error('client closed the connection')));
 * const upstream = await call.response;
 */
export function startCall(options: ExecuteCallOptions): StartedCall {
  let run: CallRun;
  try {
    run = new CallRun(options);
  } catch (error) {
    return { response: Promise.reject(error), abort: () => {}, shutDown: () => {} };
  }
  return {
    response: run.run(),
    abort: (reason) => run.abortByCaller(reason),
    shutDown: (drainBudgetMs) => run.shutDown(drainBudgetMs),
  };
}

class CallRun {
  readonly #o: ExecuteCallOptions;
  readonly #policy: RetryPolicy;
  readonly #events: CallEvents;
  /** Why the call was aborted (the caller, the total budget); set once. */
  #abortReason: LookoutError | undefined;
  /** Fires with `#abortReason`, for the waits in the gate and in backoff; made only when one happens. */
  #waitAbort: AbortController | undefined;
  /** The signal of `#waitAbort`, made on first need (the gate calls it only if the call has to wait). */
  readonly #waitSignal = (): AbortSignal => {
    if (this.#waitAbort === undefined) {
      this.#waitAbort = new AbortController();
      if (this.#abortReason !== undefined) this.#waitAbort.abort(this.#abortReason);
    }
    return this.#waitAbort.signal;
  };
  readonly #method: string;
  readonly #path: string;
  #phase: CallPhase = 'queue';
  #attempts = 0;
  #target: CallTarget | undefined;
  #url: string | undefined;
  #lease: GateLease | undefined;
  #queueWaitMs = 0;
  #totalTimer: NodeJS.Timeout | undefined;
  #deadlineAtMs = Number.POSITIVE_INFINITY;
  #handedOver = false;
  #exchange: UpstreamExchange | undefined;

  constructor(options: ExecuteCallOptions) {
    this.#o = options;
    this.#policy = resolveRetryPolicy(options.retry);
    resolveTimeouts(options.timeouts); // validate eagerly
    if (typeof options.pickTarget !== 'function')
      throw new TypeError('executeCall: pickTarget must be a function');
    this.#method = (options.request.method ?? options.info.method).toUpperCase();
    this.#path = options.request.path ?? options.info.path;
    if (!this.#path.startsWith('/'))
      throw new TypeError(`executeCall: path must start with "/", got ${this.#path}`);
    this.#events = new CallEvents(options.info, options.sink, options.onSinkError);
    const signal = options.signal;
    if (signal !== undefined) {
      const onAbort = (): void => this.abortByCaller(signal.reason);
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        this.#events.onEnd(() => signal.removeEventListener('abort', onAbort));
      }
    }
    this.#events.onEnd(() => {
      clearTimeout(this.#totalTimer);
      this.#lease?.release();
      this.#lease = undefined;
    });
  }

  async run(): Promise<UpstreamResponse> {
    const failures: AttemptFailure[] = [];
    try {
      for (;;) {
        const attempt = this.#attempts + 1;
        const target = this.#o.pickTarget(attempt, failures);
        if (target === undefined) {
          throw (
            failures.at(-1)?.error ??
            new NetworkError('NO_TARGET', 'no target to send the call to', this.#context())
          );
        }
        const response = await this.#attempt(attempt, target, failures);
        if (response !== undefined) return response;
      }
    } catch (error) {
      // A bad target URL, a closed pool or a throwing pickTarget end the call like any failure.
      const failure = isLookoutError(error)
        ? error
        : toLookoutError(error, {
            ...this.#context(),
            connectTimeoutMs: 0,
            firstByteTimeoutMs: 0,
            idleTimeoutMs: 0,
          });
      this.#fail(failure);
      throw failure;
    }
  }

  /** One attempt: resolves with the response, or undefined after scheduling a retry; throws to end the call. */
  async #attempt(
    attempt: number,
    target: CallTarget,
    failures: AttemptFailure[],
  ): Promise<UpstreamResponse | undefined> {
    const timeouts = resolveTimeouts(this.#o.timeouts, target.timeouts);
    const base = new URL(target.url);
    const prefix = base.pathname === '/' ? '' : base.pathname.replace(/\/$/, '');
    this.#target = target;
    this.#url = `${base.origin}${prefix}${this.#path}`;
    this.#phase = 'queue';
    this.#exchange = undefined;
    if (this.#abortReason !== undefined) throw this.#abortReason;
    let lease: GateLease;
    try {
      lease = await target.gate.acquire({
        signal: this.#waitSignal, // made only if the call has to wait
        context: this.#context(),
        onQueued: (queueDepth) => this.#events.queued(target.name, queueDepth),
      });
    } catch (error) {
      throw this.#abortReason ?? error;
    }
    this.#lease = lease;
    this.#queueWaitMs += lease.queueWaitMs;
    if (this.#events.terminal !== undefined) {
      lease.release(); // the call ended while the grant was in flight
      throw this.#events.failure ?? new AbortedError(this.#context());
    }
    this.#attempts = attempt;
    if (this.#totalTimer === undefined) this.#startTotal(timeouts.totalTimeoutMs);
    this.#phase = 'connect';
    this.#events.dispatched(target.name, attempt);

    const context = this.#context();
    const exchange = new UpstreamExchange({
      dispatcher: this.#o.pool.dispatcherFor(base.origin, timeouts.connectTimeoutMs),
      method: this.#method,
      path: `${prefix}${this.#path}`,
      headers: upstreamRequestHeaders(this.#o.request.headers, base.host),
      body: this.#o.request.body,
      firstByteTimeoutMs: this.#o.info.streaming ? timeouts.firstByteTimeoutMs : undefined,
      idleTimeoutMs: timeouts.idleTimeoutMs,
      connectTimeoutMs: timeouts.connectTimeoutMs,
      context,
      onBodyFailure: (error) => this.#fail(error),
    });
    this.#exchange = exchange; // #abort closes it from now on
    if (this.#abortReason !== undefined) exchange.abort(this.#abortReason);

    let failure: LookoutError;
    try {
      const head = await exchange.start();
      const retryAfterMs = parseRetryAfterMs(head.headers['retry-after']);
      const retriedStatus = head.status === 503 || head.status === 502 || head.status === 504;
      if (!retriedStatus || !this.#canRetry(attempt, retryAfterMs)) {
        return this.#handOver(exchange, target, head.status, head.headers, retryAfterMs, context);
      }
      failure = httpErrorFor(head.status, undefined, retryAfterMs, { ...context, phase: 'first_byte' });
      exchange.abort(failure);
    } catch (error) {
      failure = error as LookoutError;
    }
    lease.release();
    this.#lease = undefined;
    if (this.#abortReason !== undefined) throw this.#abortReason;
    failures.push({ attempt, target: target.name, error: failure });
    const retryAfterMs = (failure as { retryAfterMs?: number }).retryAfterMs;
    if (!isRetriable(failure) || !this.#canRetry(attempt, retryAfterMs)) throw failure;
    const delayMs = this.#delayMs(attempt, retryAfterMs);
    this.#events.retry(target.name, attempt, delayMs, failure);
    this.#phase = 'backoff';
    await sleep(delayMs, this.#waitSignal());
    return undefined;
  }

  #delayMs(attempt: number, retryAfterMs: number | undefined): number {
    const jittered = backoffDelayMs(attempt, this.#policy);
    return retryAfterMs === undefined ? jittered : Math.max(jittered, retryAfterMs);
  }

  /** Whether another attempt is allowed and its backoff fits in the total budget. */
  #canRetry(attempt: number, retryAfterMs: number | undefined): boolean {
    if (attempt > this.#policy.maxRetries) return false;
    // The worst case of the jitter must fit, so a retry never starts with no time left.
    const worstMs = Math.max(
      retryAfterMs ?? 0,
      Math.min(this.#policy.maxDelayMs, this.#policy.baseDelayMs * 2 ** (attempt - 1)),
    );
    return performance.now() + worstMs < this.#deadlineAtMs;
  }

  #handOver(
    exchange: UpstreamExchange,
    target: CallTarget,
    status: number,
    headers: ResponseHeaders,
    retryAfterMs: number | undefined,
    context: ErrorContext,
  ): UpstreamResponse {
    this.#phase = 'body';
    this.#handedOver = true;
    exchange.handOver();
    const info = this.#o.info;
    this.#events.headers(target.name, this.#attempts, status);
    const framing = framingOf(status, headerValue(headers, 'content-type'));
    const body = new ResponseBody({
      exchange,
      observer: createBodyObserver(framing, info.endpoint, status),
      events: this.#events,
      status,
      retryAfterMs,
      target: target.name,
      attempts: this.#attempts,
      context: { ...context, phase: 'body' },
      reportsFirstToken: info.streaming && GENERATION.has(info.endpoint),
    });
    return new CallResponse(
      {
        status,
        headers,
        target: target.name,
        attempts: this.#attempts,
        framing,
        queueWaitMs: this.#queueWaitMs,
      },
      body,
      this.#events,
      (error) => {
        const reason = error ?? new AbortedError({ ...context, phase: 'body' });
        exchange.abort(reason);
        this.#fail(reason);
      },
    );
  }

  #startTotal(totalMs: number): void {
    this.#deadlineAtMs = performance.now() + totalMs;
    this.#totalTimer = setTimeout(() => {
      this.#abort(new TotalTimeoutError(totalMs, this.#context()));
    }, totalMs);
  }

  /** The caller aborts (its signal fired, or `StartedCall.abort`). */
  abortByCaller(reason: unknown): void {
    this.#abort(new AbortedError({ ...this.#context(), cause: reason }));
  }

  /** The process is stopping and the call outlived the drain (see `StartedCall.shutDown`). */
  shutDown(drainBudgetMs: number): void {
    this.#abort(new ShutdownError(drainBudgetMs, this.#context()));
  }

  /** Ends the call's current wait or attempt with `reason` (once): the exchange in flight is closed. */
  #abort(reason: LookoutError): void {
    if (this.#abortReason !== undefined || this.#events.terminal !== undefined) return;
    this.#abortReason = reason;
    this.#exchange?.abort(reason);
    this.#waitAbort?.abort(reason);
  }

  #context(): ErrorContext {
    let phase = this.#phase;
    if (phase === 'connect' && this.#exchange !== undefined) {
      const p = this.#exchange.phase;
      phase = p === 'connect' || p === 'first_byte' ? p : 'body';
    }
    return {
      method: this.#method,
      url: this.#url ?? this.#path,
      phase,
      target: this.#target?.name,
      attempt: this.#attempts > 0 ? this.#attempts : undefined,
    };
  }

  #fail(error: LookoutError): void {
    this.#events.fail(error, {
      target: this.#target?.name,
      attempts: this.#attempts,
      afterFirstByte: this.#handedOver,
    });
  }
}
