/** The four call budgets, their defaults (DESIGN.md) and eager validation. */

/** Budgets of one call, all in milliseconds. */
export interface Timeouts {
  /** TCP connect to the target. */
  connectTimeoutMs: number;
  /** Request sent -> response headers. Streaming calls only: for a non-stream it is the total budget. */
  firstByteTimeoutMs: number;
  /** Gap between two body chunks. */
  idleTimeoutMs: number;
  /** Whole call from the first dispatch, retries and their queue waits included. */
  totalTimeoutMs: number;
}

/** DESIGN.md defaults: 5 s connect, 120 s first byte, 30 s idle, 10 min total. */
export const DEFAULT_TIMEOUTS: Readonly<Timeouts> = Object.freeze({
  connectTimeoutMs: 5_000,
  firstByteTimeoutMs: 120_000,
  idleTimeoutMs: 30_000,
  totalTimeoutMs: 600_000,
});

const KEYS = ['connectTimeoutMs', 'firstByteTimeoutMs', 'idleTimeoutMs', 'totalTimeoutMs'] as const;

// setTimeout clamps anything above 2^31-1 ms to 1 ms; refuse it instead of firing at once.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Checks a timeout or delay value and names the bad one in the message. */
export function assertDurationMs(name: string, value: unknown, allowZero = false): asserts value is number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    (!allowZero && value === 0) ||
    value > MAX_TIMER_MS
  ) {
    throw new RangeError(
      `${name} must be a number of milliseconds in ${allowZero ? '[0' : '(0'}, ${MAX_TIMER_MS}], got ${String(value)}`,
    );
  }
}

/** Layers partial budgets over a base (later wins) and validates the result. Inputs are not mutated. */
export function resolveTimeouts(...layers: (Partial<Timeouts> | undefined)[]): Timeouts {
  const out: Timeouts = { ...DEFAULT_TIMEOUTS };
  for (const layer of layers) {
    if (layer === undefined) continue;
    for (const key of KEYS) {
      const v = layer[key];
      if (v !== undefined) out[key] = v;
    }
  }
  for (const key of KEYS) assertDurationMs(key, out[key]);
  return out;
}
