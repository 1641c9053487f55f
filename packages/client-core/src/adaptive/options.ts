/** Options of the adaptive concurrency limit, their defaults, and eager validation. */

/** Options of {@link AdaptiveConcurrency}. Only the bounds are required. */
export interface AdaptiveConcurrencyOptions {
  /** Lowest limit, >= 1. */
  minLimit: number;
  /** Highest limit, >= minLimit. */
  maxLimit: number;
  /**
   * Limit at the start and after `reset()`. Default `minLimit`: the first calls then find free slots,
   * so the no-load baseline is learned clean, and slow start doubles the limit from there.
   */
  initialLimit?: number;
  /** Monotonic milliseconds (same time base as the events' `atMs`). Default `performance.now`. */
  now?: () => number;
  /**
   * Calls estimated to wait inside Ollama (Little's law over a round: in flight x mean wait / mean
   * time at the target) from which a round counts as waiting and the limit comes down. Default 0.3:
   * one call waiting all the time (the limit one above the truth) reads as 0.7 to 1, network jitter on
   * a clean round as a few hundredths.
   */
  waitingThreshold?: number;
  /**
   * A round follows the first calls dispatched under the current limit to their end, one limit's
   * worth by default (so the calls waited on span a whole cycle of the slots, not a lucky gap);
   * this caps how many. Default: no cap.
   */
  maxCallsPerRound?: number;
  /**
   * Clean rounds at the limit to wait, after the limit came down, before probing one above it again.
   * Each probe in a row that finds waiting again doubles it, up to `maxProbeAfterRounds`. Default 2.
   */
  probeAfterRounds?: number;
  /**
   * Cap of that doubling. Default 8: a settled limit probes one above about every 9 rounds (a round
   * lasts about two call durations), and a target that gained slots is found within that.
   */
  maxProbeAfterRounds?: number;
  /** How long a sample stays in the baseline's windowed minimum (so the baseline can move up). Default 60 000. */
  baselineWindowMs?: number;
  /** Limit changes kept for `changes()`. Default 20. */
  historySize?: number;
}

/** Options with every default filled in. */
export interface ResolvedAdaptiveOptions {
  minLimit: number;
  maxLimit: number;
  initialLimit: number;
  now: () => number;
  waitingThreshold: number;
  maxCallsPerRound: number;
  probeAfterRounds: number;
  maxProbeAfterRounds: number;
  baselineWindowMs: number;
  historySize: number;
}

export const ADAPTIVE_DEFAULTS = Object.freeze({
  waitingThreshold: 0.3,
  maxCallsPerRound: Number.POSITIVE_INFINITY,
  probeAfterRounds: 2,
  maxProbeAfterRounds: 8,
  baselineWindowMs: 60_000,
  historySize: 20,
});

function assertInteger(name: string, value: unknown, min: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RangeError(`adaptive concurrency: ${name} must be an integer >= ${min}, got ${String(value)}`);
  }
}

function assertPositive(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`adaptive concurrency: ${name} must be a finite number > 0, got ${String(value)}`);
  }
}

/** Fills in defaults and checks every value; the message names the bad one. The input is not mutated. */
export function resolveAdaptiveOptions(options: AdaptiveConcurrencyOptions): ResolvedAdaptiveOptions {
  const { minLimit, maxLimit } = options;
  assertInteger('minLimit', minLimit, 1);
  assertInteger('maxLimit', maxLimit, minLimit);
  const initialLimit = options.initialLimit ?? minLimit;
  if (!Number.isInteger(initialLimit) || initialLimit < minLimit || initialLimit > maxLimit) {
    throw new RangeError(
      `adaptive concurrency: initialLimit must be an integer in [${minLimit}, ${maxLimit}], got ${String(initialLimit)}`,
    );
  }
  const resolved: ResolvedAdaptiveOptions = {
    minLimit,
    maxLimit,
    initialLimit,
    now: options.now ?? (() => performance.now()),
    waitingThreshold: options.waitingThreshold ?? ADAPTIVE_DEFAULTS.waitingThreshold,
    maxCallsPerRound: options.maxCallsPerRound ?? ADAPTIVE_DEFAULTS.maxCallsPerRound,
    probeAfterRounds: options.probeAfterRounds ?? ADAPTIVE_DEFAULTS.probeAfterRounds,
    maxProbeAfterRounds: options.maxProbeAfterRounds ?? ADAPTIVE_DEFAULTS.maxProbeAfterRounds,
    baselineWindowMs: options.baselineWindowMs ?? ADAPTIVE_DEFAULTS.baselineWindowMs,
    historySize: options.historySize ?? ADAPTIVE_DEFAULTS.historySize,
  };
  if (typeof resolved.now !== 'function') throw new TypeError('adaptive concurrency: now must be a function');
  assertPositive('waitingThreshold', resolved.waitingThreshold);
  if (resolved.maxCallsPerRound !== Number.POSITIVE_INFINITY) {
    assertInteger('maxCallsPerRound', resolved.maxCallsPerRound, 1);
  }
  assertInteger('probeAfterRounds', resolved.probeAfterRounds, 0);
  assertInteger('maxProbeAfterRounds', resolved.maxProbeAfterRounds, resolved.probeAfterRounds);
  assertPositive('baselineWindowMs', resolved.baselineWindowMs);
  assertInteger('historySize', resolved.historySize, 1);
  return resolved;
}
