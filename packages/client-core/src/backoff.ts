/** Retry policy: which failures may be retried, and how long to wait (exponential, full jitter, capped). */
import { isLookoutError, type LookoutError, type NetworkError } from './errors.ts';
import { assertDurationMs } from './timeouts.ts';

/** How a call retries failures that happen before the caller has any byte. */
export interface RetryPolicy {
  /** Retries after the first attempt (0 = none). */
  maxRetries: number;
  /** Cap of the first backoff; each retry doubles the cap. */
  baseDelayMs: number;
  /** Largest jittered backoff (a longer `Retry-After` is still honoured if the total budget allows). */
  maxDelayMs: number;
  /** Source of jitter in [0, 1); injectable for tests. */
  random?: (() => number) | undefined;
}

/** Two retries, as DESIGN.md's `LOOKOUT_MAX_RETRIES`; 250 ms doubling up to 4 s. */
export const DEFAULT_RETRY: Readonly<RetryPolicy> = Object.freeze({
  maxRetries: 2,
  baseDelayMs: 250,
  maxDelayMs: 4_000,
});

/** Layers a partial policy over the defaults and validates it. */
export function resolveRetryPolicy(partial: Partial<RetryPolicy> | undefined): RetryPolicy {
  const policy: RetryPolicy = { ...DEFAULT_RETRY };
  if (partial?.maxRetries !== undefined) policy.maxRetries = partial.maxRetries;
  if (partial?.baseDelayMs !== undefined) policy.baseDelayMs = partial.baseDelayMs;
  if (partial?.maxDelayMs !== undefined) policy.maxDelayMs = partial.maxDelayMs;
  if (partial?.random !== undefined) policy.random = partial.random;
  if (!Number.isInteger(policy.maxRetries) || policy.maxRetries < 0 || policy.maxRetries > 100) {
    throw new RangeError(`retry.maxRetries must be an integer in [0, 100], got ${policy.maxRetries}`);
  }
  assertDurationMs('retry.baseDelayMs', policy.baseDelayMs, true);
  assertDurationMs('retry.maxDelayMs', policy.maxDelayMs, true);
  return policy;
}

/**
 * Full-jitter backoff before retry number `retry` (1 for the first retry):
 * uniform in [0, min(maxDelayMs, baseDelayMs * 2^(retry-1))).
 */
export function backoffDelayMs(retry: number, policy: RetryPolicy): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor((policy.random ?? Math.random)() * cap);
}

/** `Retry-After` as milliseconds from now: delta-seconds or an HTTP date; undefined when absent or bad. */
export function parseRetryAfterMs(
  value: string | string[] | undefined,
  nowEpochMs = Date.now(),
): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowEpochMs);
}

/**
 * Whether a failure before the caller got any byte may be retried: connect failures (timeout,
 * refused, DNS), resets and early closes before headers, 503 busy, and 502/504 from an intermediary.
 * A first-byte timeout is not retried: the upstream may be working on the request.
 */
export function isRetriable(error: unknown): error is LookoutError {
  if (!isLookoutError(error)) return false;
  switch (error.code) {
    case 'LOOKOUT_CONNECT_TIMEOUT':
    case 'LOOKOUT_UPSTREAM_BUSY':
      return true;
    case 'LOOKOUT_NETWORK': {
      const reason = (error as NetworkError).reason;
      return reason !== 'POOL_CLOSED' && reason !== 'NO_TARGET';
    }
    case 'LOOKOUT_UPSTREAM_HTTP':
      return (error as { status?: number }).status === 502 || (error as { status?: number }).status === 504;
    default:
      return false;
  }
}
