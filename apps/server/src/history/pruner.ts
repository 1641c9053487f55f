import type { RollupTable } from '../store/index.ts';

export const DEFAULT_RETENTION_MS = 7 * 86_400_000;
export const DEFAULT_PRUNE_EVERY_MS = 3_600_000;

export interface RollupPrunerOptions {
  readonly rollups: RollupTable;
  /** Rows of minutes older than this are deleted (default 7 days). */
  readonly retentionMs?: number;
  /** Least time between two prunes (default 1 hour). */
  readonly pruneEveryMs?: number;
}

/** Deletes rollups past the retention, at most once per `pruneEveryMs`. */
export class RollupPruner {
  readonly retentionMs: number;
  private readonly pruneEveryMs: number;
  private lastPruneAtMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: RollupPrunerOptions) {
    this.retentionMs = positive('retentionMs', options.retentionMs ?? DEFAULT_RETENTION_MS);
    this.pruneEveryMs = positive('pruneEveryMs', options.pruneEveryMs ?? DEFAULT_PRUNE_EVERY_MS);
  }

  /**
   * Prunes when due at monotonic `nowMs` (wall clock `epochNowMs`): returns rows deleted, or
   * `'not_due'`. A failed prune throws and is retried on the next call.
   */
  maybePrune(nowMs: number, epochNowMs: number): number | 'not_due' {
    if (nowMs - this.lastPruneAtMs < this.pruneEveryMs) return 'not_due';
    const deleted = this.options.rollups.pruneBefore(epochNowMs - this.retentionMs);
    this.lastPruneAtMs = nowMs;
    return deleted;
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`${name} must be a positive number of ms, got ${value}`);
  return value;
}
