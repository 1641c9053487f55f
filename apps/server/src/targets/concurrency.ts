import { AdaptiveConcurrency, type CallEvent, type LimitChange, type TargetGate } from '@lookout/client-core';
import type { ConcurrencyChange, ConcurrencyMode, TargetConcurrency } from '@lookout/contracts';

/** How the configuration sets a target's limit. */
export type ConcurrencySetting =
  | { readonly mode: 'static'; readonly limit: number }
  | { readonly mode: 'adaptive'; readonly minLimit: number; readonly maxLimit: number };

/** Changes kept for the snapshot (the running adaptive limiter keeps its own, appended). */
const CHANGES_KEPT = 20;

/** A change of the limit, the limiter's or a pin's; `atMs` on the monotonic clock. */
type KeptChange = Pick<LimitChange, 'atMs' | 'from' | 'to'> & { reason: string; detail?: string };

/**
 * Owns a target's `maxConcurrent`: fixed by the configuration, learned by an `AdaptiveConcurrency`, or
 * pinned by an operator (and unpinned back to the configured mode, an adaptive limit resuming from the
 * pinned value).
 */
export class ConcurrencyControl {
  readonly #gate: TargetGate;
  readonly #setting: ConcurrencySetting;
  readonly #now: () => number;
  #adaptive: AdaptiveConcurrency | undefined;
  #pinned: number | undefined;
  /**
   * Changes before the running limiter's, oldest first: pins, unpins and the changes of limiters a pin
   * retired. The running limiter started after the newest of them, so its own changes follow them.
   */
  #history: KeptChange[] = [];
  /** Pins, unpins and the changes of retired limiters, counted as they happen. */
  #changesBefore = 0;

  constructor(gate: TargetGate, setting: ConcurrencySetting, now: () => number = () => performance.now()) {
    this.#gate = gate;
    this.#setting = setting;
    this.#now = now;
    if (setting.mode === 'static') gate.setLimits({ maxConcurrent: setting.limit });
    else this.#adaptive = this.#startAdaptive(undefined);
  }

  get mode(): ConcurrencyMode {
    if (this.#pinned !== undefined) return 'pinned';
    return this.#setting.mode;
  }

  get limit(): number {
    return this.#gate.limits.maxConcurrent;
  }

  /** Every call event of the process (other targets' are ignored by the limiter). */
  onEvent(event: CallEvent): void {
    this.#adaptive?.onEvent(event);
  }

  /** The target restarted or changed its loaded models: an adaptive limit relearns its baseline. */
  targetChanged(reason: string): void {
    this.#adaptive?.reset(reason);
  }

  /** Holds the limit at `limit` until `unpin()`, whatever the configured mode. */
  pin(limit: number): void {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`limit must be a whole number >= 1, got ${limit}`);
    this.#retireAdaptive();
    const from = this.limit;
    this.#pinned = limit;
    this.#gate.setLimits({ maxConcurrent: limit });
    this.#note(from, limit, 'pinned');
  }

  /** Back to the configured mode: the static limit, or learning again from the current limit. */
  unpin(): void {
    if (this.#pinned === undefined) return;
    const from = this.limit;
    this.#pinned = undefined;
    if (this.#setting.mode === 'static') {
      this.#gate.setLimits({ maxConcurrent: this.#setting.limit });
      this.#note(from, this.#setting.limit, 'unpinned');
    } else {
      this.#note(from, from, 'unpinned');
      this.#adaptive = this.#startAdaptive(from);
    }
  }

  /** Every change of the limit since start, a limiter's `initial` one aside (a counter for /metrics). */
  changesTotal(): number {
    return this.#changesBefore + (this.#adaptive?.changesTotal ?? 0);
  }

  /** For the snapshot: times as ISO strings (the limiter's clock is monotonic, `performance.now()`). */
  describe(
    toEpochMs: (monotonicMs: number) => number = (ms) => performance.timeOrigin + ms,
  ): TargetConcurrency {
    const adaptive = this.#adaptive;
    const changes = [...this.#history, ...(adaptive?.changes() ?? [])].slice(-CHANGES_KEPT).map(
      (c): ConcurrencyChange => ({
        at: new Date(toEpochMs(c.atMs)).toISOString(),
        from: c.from,
        to: c.to,
        reason: c.detail === undefined ? c.reason : `${c.reason}: ${c.detail}`,
      }),
    );
    const state: TargetConcurrency = {
      mode: this.mode,
      limit: this.limit,
      baselineMs: adaptive?.baselineMs ?? null,
      lastSampleMs: adaptive?.lastSampleMs ?? null,
      changes,
    };
    if (this.#setting.mode === 'adaptive') {
      state.minLimit = this.#setting.minLimit;
      state.maxLimit = this.#setting.maxLimit;
    }
    return state;
  }

  #startAdaptive(initialLimit: number | undefined): AdaptiveConcurrency {
    if (this.#setting.mode !== 'adaptive') throw new Error('not an adaptive target');
    const { minLimit, maxLimit } = this.#setting;
    return new AdaptiveConcurrency(this.#gate, {
      minLimit,
      maxLimit,
      now: this.#now,
      ...(initialLimit === undefined
        ? {}
        : { initialLimit: Math.min(maxLimit, Math.max(minLimit, initialLimit)) }),
    });
  }

  #retireAdaptive(): void {
    if (!this.#adaptive) return;
    this.#history = [...this.#history, ...this.#adaptive.changes()].slice(-CHANGES_KEPT);
    this.#changesBefore += this.#adaptive.changesTotal;
    this.#adaptive = undefined;
  }

  #note(from: number, to: number, reason: string): void {
    this.#history.push({ atMs: this.#now(), from, to, reason });
    if (this.#history.length > CHANGES_KEPT) this.#history.shift();
    this.#changesBefore++;
  }
}
