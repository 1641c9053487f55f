/** How reconnect delays grow. */
export interface BackoffPolicy {
  /** No reconnect comes sooner than this, so a server that closes at once is not hammered. */
  readonly minMs: number;
  /** The ceiling of the first retry; it doubles with each failed attempt. */
  readonly baseMs: number;
  /** The ceiling never grows past this. */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { minMs: 250, baseMs: 1_000, maxMs: 30_000 };

/**
 * The delay before reconnect attempt `attempt` (0 for the first retry): exponential backoff with full
 * jitter, so dashboards cut off together (a server restart) do not come back in lockstep.
 * Example: attempt 3 with the defaults waits between 250 ms and 8 s.
 */
export function backoffDelayMs(
  attempt: number,
  random: () => number = Math.random,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  const spread = Math.max(0, ceiling - policy.minMs);
  return Math.round(policy.minMs + random() * spread);
}
