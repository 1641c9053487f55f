/**
 * TargetGate: the queue Ollama does not show. Per target, a concurrency limit and a bounded FIFO
 * queue with a maximum wait. Hand-written because the queue's exact depth, the per-waiter timeout
 * and the immediate exit of an aborted waiter are the whole point (p-queue exposes none of them
 * per item), and the interface has to stay small enough for a shared (Redis) implementation.
 */
import {
  AbortedError,
  type ErrorContext,
  isLookoutError,
  QueueFullError,
  QueueTimeoutError,
} from './errors.ts';
import { assertDurationMs } from './timeouts.ts';

/** Limits of a gate. `maxConcurrent` may be `Infinity` (no limit). */
export interface GateLimits {
  maxConcurrent: number;
  /** Calls allowed to wait; 0 refuses at once when all slots are busy. */
  maxQueue: number;
  /** Longest wait in the queue. */
  queueTimeoutMs: number;
}

/** DESIGN.md defaults: 4 in flight, 64 waiting, 30 s wait. */
export const DEFAULT_GATE_LIMITS: Readonly<GateLimits> = Object.freeze({
  maxConcurrent: 4,
  maxQueue: 64,
  queueTimeoutMs: 30_000,
});

/** Options of one `acquire`. */
export interface AcquireOptions {
  /** Leaves the queue at once when it fires; the promise rejects with the reason when it is a
   * LookoutError, else with an `AbortedError`. A function is called only if the caller has to wait
   * (an AbortSignal costs a V8 map of its own in Node 20: callers that rarely wait make it lazily). */
  signal?: AbortSignal | (() => AbortSignal) | undefined;
  /** Caps the wait below the gate's `queueTimeoutMs` (used when a call's total budget is shorter). */
  maxWaitMs?: number | undefined;
  /** Called synchronously when the caller has to wait, with the queue depth right after joining. */
  onQueued?: ((queueDepth: number) => void) | undefined;
  /** Names the request in error messages. */
  context?: ErrorContext | undefined;
}

/** A held slot. `release()` is idempotent. */
export interface GateLease {
  release(): void;
  /** How long the caller waited for the slot. */
  readonly queueWaitMs: number;
}

/**
 * What the core needs from a gate. The in-process `TargetGate` implements it; a shared one
 * (several relay replicas) can replace it without touching the relay.
 */
export interface CallGate {
  readonly name: string;
  acquire(options?: AcquireOptions): Promise<GateLease>;
  /** Calls waiting right now. */
  readonly queueDepth: number;
  /** Calls holding a slot right now. */
  readonly inFlight: number;
  readonly limits: Readonly<GateLimits>;
}

interface Waiter {
  prev: Waiter | undefined;
  next: Waiter | undefined;
  enqueuedAtMs: number;
  resolve: (lease: GateLease) => void;
  reject: (error: unknown) => void;
  cleanup: () => void;
}

function validateLimits(limits: GateLimits, gateName: string): void {
  const { maxConcurrent, maxQueue } = limits;
  if (
    !(maxConcurrent === Number.POSITIVE_INFINITY || (Number.isInteger(maxConcurrent) && maxConcurrent >= 1))
  ) {
    throw new RangeError(
      `gate ${gateName}: maxConcurrent must be an integer >= 1 or Infinity, got ${maxConcurrent}`,
    );
  }
  if (!(Number.isInteger(maxQueue) && maxQueue >= 0)) {
    throw new RangeError(`gate ${gateName}: maxQueue must be an integer >= 0, got ${maxQueue}`);
  }
  assertDurationMs(`gate ${gateName}: queueTimeoutMs`, limits.queueTimeoutMs);
}

/** In-process gate of one target. */
export class TargetGate implements CallGate {
  readonly name: string;
  #limits: GateLimits;
  #inFlight = 0;
  #depth = 0;
  #head: Waiter | undefined;
  #tail: Waiter | undefined;

  constructor(options: { name: string } & Partial<GateLimits>) {
    this.name = options.name;
    const limits: GateLimits = { ...DEFAULT_GATE_LIMITS };
    if (options.maxConcurrent !== undefined) limits.maxConcurrent = options.maxConcurrent;
    if (options.maxQueue !== undefined) limits.maxQueue = options.maxQueue;
    if (options.queueTimeoutMs !== undefined) limits.queueTimeoutMs = options.queueTimeoutMs;
    validateLimits(limits, this.name);
    this.#limits = limits;
  }

  get queueDepth(): number {
    return this.#depth;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get limits(): Readonly<GateLimits> {
    return { ...this.#limits };
  }

  /**
   * Changes limits at runtime. A higher `maxConcurrent` admits waiters at once; a lower one lets
   * running calls finish. A lower `maxQueue` refuses new waiters but keeps those already queued;
   * a new `queueTimeoutMs` applies to calls that join after the change.
   */
  setLimits(partial: Partial<GateLimits>): void {
    const next: GateLimits = { ...this.#limits };
    if (partial.maxConcurrent !== undefined) next.maxConcurrent = partial.maxConcurrent;
    if (partial.maxQueue !== undefined) next.maxQueue = partial.maxQueue;
    if (partial.queueTimeoutMs !== undefined) next.queueTimeoutMs = partial.queueTimeoutMs;
    validateLimits(next, this.name);
    this.#limits = next;
    this.#drain();
  }

  acquire(options: AcquireOptions = {}): Promise<GateLease> {
    const { context } = options;
    const given = options.signal;
    if (typeof given !== 'function' && given?.aborted) return Promise.reject(abortReason(given, context));
    if (this.#inFlight < this.#limits.maxConcurrent && this.#depth === 0) {
      this.#inFlight++;
      return Promise.resolve(this.#lease(0));
    }
    if (this.#depth >= this.#limits.maxQueue) {
      return Promise.reject(new QueueFullError(this.name, this.#inFlight, this.#depth, context));
    }
    const waitMs = Math.min(this.#limits.queueTimeoutMs, options.maxWaitMs ?? Number.POSITIVE_INFINITY);
    const signal = typeof given === 'function' ? given() : given;
    if (signal?.aborted) return Promise.reject(abortReason(signal, context));
    return new Promise<GateLease>((resolve, reject) => {
      const waiter: Waiter = {
        prev: this.#tail,
        next: undefined,
        enqueuedAtMs: performance.now(),
        resolve,
        reject,
        cleanup: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      const leave = (error: unknown): void => {
        this.#unlink(waiter);
        waiter.cleanup();
        reject(error);
      };
      const onAbort = (): void => leave(abortReason(signal!, context));
      const timer = setTimeout(
        () => leave(new QueueTimeoutError(this.name, Math.max(0, Math.round(waitMs)), context)),
        Math.max(0, waitMs),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      if (this.#tail) this.#tail.next = waiter;
      else this.#head = waiter;
      this.#tail = waiter;
      this.#depth++;
      options.onQueued?.(this.#depth);
    });
  }

  #lease(queueWaitMs: number): GateLease {
    let held = true;
    return {
      queueWaitMs,
      release: () => {
        if (!held) return;
        held = false;
        this.#inFlight--;
        this.#drain();
      },
    };
  }

  #drain(): void {
    while (this.#head && this.#inFlight < this.#limits.maxConcurrent) {
      const waiter = this.#head;
      this.#unlink(waiter);
      waiter.cleanup();
      this.#inFlight++;
      waiter.resolve(this.#lease(performance.now() - waiter.enqueuedAtMs));
    }
  }

  #unlink(w: Waiter): void {
    if (w.prev) w.prev.next = w.next;
    else if (this.#head === w) this.#head = w.next;
    else return; // not in the queue any more
    if (w.next) w.next.prev = w.prev;
    else this.#tail = w.prev;
    w.prev = undefined;
    w.next = undefined;
    this.#depth--;
  }
}

function abortReason(signal: AbortSignal, context: ErrorContext | undefined): unknown {
  const reason: unknown = signal.reason;
  if (isLookoutError(reason)) return reason;
  return new AbortedError({ phase: 'queue', ...context, cause: reason });
}
