import { randomInt } from 'node:crypto';
import type { RollupRow, RollupTable } from '../store/index.ts';
import { RollupCompactor } from './compactor.ts';
import type { MinuteSource } from './minute-rows.ts';
import { MINUTE_MS, minuteRows } from './minute-rows.ts';
import type { RollupPrunerOptions } from './pruner.ts';
import { RollupPruner } from './pruner.ts';

/** Minutes the metrics ring still holds whole (15 minutes of 10 s slots, the current one partial). */
const KEPT_MINUTES = 14;

/** The timer functions the job schedules itself with; tests pass fakes. */
export interface JobTimers {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface RollupJobOptions extends Omit<RollupPrunerOptions, 'rollups'> {
  readonly metrics: MinuteSource;
  readonly rollups: RollupTable;
  /** Wait after a minute ends before writing it, for calls ending right at the boundary (default 2000). */
  readonly graceMs?: number;
  /** Names this process run in the rows it writes (default random). */
  readonly runId?: number;
  readonly timers?: JobTimers;
  /**
   * Between minute ends, also write the current minute so far this often, so a process killed without
   * warning loses at most this much history (default 10000; 0: only at minute ends and `flush()`).
   */
  readonly checkpointMs?: number;
  /** A scheduled tick that failed (disk full, database locked); the next tick retries. */
  readonly onError?: (error: RollupJobError) => void;
}

export interface RollupJobError {
  readonly code: 'ROLLUP_WRITE_FAILED' | 'ROLLUP_PRUNE_FAILED' | 'ROLLUP_COMPACT_FAILED';
  readonly message: string;
  readonly cause: unknown;
}

export type RollupTickResult =
  | {
      readonly ok: true;
      readonly minutesWritten: number;
      readonly rowsWritten: number;
      readonly rowsPruned: number;
      /** 15-minute periods whose minute rows were merged into one row per series. */
      readonly periodsCompacted: number;
    }
  | { readonly ok: false; readonly error: RollupJobError };

const NODE_TIMERS: JobTimers = {
  setTimeout(callback, delayMs) {
    const handle = setTimeout(callback, delayMs);
    handle.unref(); // the listeners keep the process alive, never this job
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Writes the metrics of every completed minute to the `rollups` table, one transaction per tick, for
 * each (target, model, source) that had calls in it; prunes rows past the retention, and merges
 * minute rows older than 7 hours into 15-minute rows. Minutes are
 * monotonic minutes of the metrics clock labelled with their wall-clock minute (see `minuteRows`).
 *
 * Usage: `job.start()` after opening the store; at shutdown `job.stop(); job.flush()` writes the
 * current minute so far, which a later write by the same run would replace.
 */
export class RollupJob {
  readonly runId: number;
  private readonly metrics: MinuteSource;
  private readonly rollups: RollupTable;
  private readonly pruner: RollupPruner;
  private readonly compactor: RollupCompactor;
  private readonly graceMs: number;
  private readonly checkpointMs: number;
  private readonly timers: JobTimers;
  private readonly onError: ((error: RollupJobError) => void) | undefined;
  /** First monotonic minute not yet written whole. */
  private nextMinute: number;
  private handle: unknown;
  private running = false;

  constructor(options: RollupJobOptions) {
    this.metrics = options.metrics;
    this.rollups = options.rollups;
    this.pruner = new RollupPruner(options);
    this.compactor = new RollupCompactor(options.rollups);
    this.graceMs = options.graceMs ?? 2000;
    if (!(this.graceMs >= 0 && this.graceMs < MINUTE_MS)) {
      throw new RangeError(`graceMs must be in [0, ${MINUTE_MS}), got ${this.graceMs}`);
    }
    this.checkpointMs = options.checkpointMs ?? 10_000;
    if (!(this.checkpointMs >= 0))
      throw new RangeError(`checkpointMs must be >= 0, got ${this.checkpointMs}`);
    this.runId = options.runId ?? randomInt(2 ** 47);
    this.timers = options.timers ?? NODE_TIMERS;
    this.onError = options.onError;
    // The engine may have counted calls before the job exists: start from the oldest whole minute it holds.
    this.nextMinute = Math.max(0, minuteOf(this.metrics.nowMs()) - KEPT_MINUTES);
  }

  get retentionMs(): number {
    return this.pruner.retentionMs;
  }

  /** Ticks at every minute's end (+ grace), and checkpoints between them, until `stop()`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
  }

  /**
   * Writes every completed minute not written yet, prunes if an hour has passed since the last prune,
   * and compacts minute rows old enough (see `RollupCompactor`).
   */
  tick(): RollupTickResult {
    const nowMs = this.metrics.nowMs();
    const written = this.write(nowMs, minuteOf(nowMs - this.graceMs) - 1);
    if (!written.ok) return written;
    const epochNowMs = this.metrics.epochMsOf(nowMs);
    let rowsPruned = 0;
    try {
      const pruned = this.pruner.maybePrune(nowMs, epochNowMs);
      if (pruned !== 'not_due') rowsPruned = pruned;
    } catch (cause) {
      return failure('ROLLUP_PRUNE_FAILED', 'pruning old rollups failed', cause);
    }
    try {
      const { periods } = this.compactor.compactDue(epochNowMs);
      return { ...written, rowsPruned, periodsCompacted: periods };
    } catch (cause) {
      return failure('ROLLUP_COMPACT_FAILED', 'compacting old rollups failed', cause);
    }
  }

  /** Writes the completed minutes and the current one so far (for shutdown); the next tick rewrites the latter. */
  flush(): RollupTickResult {
    const nowMs = this.metrics.nowMs();
    const lastComplete = minuteOf(nowMs - this.graceMs) - 1;
    const result = this.write(nowMs, minuteOf(nowMs));
    // Minutes after the last complete one were written partial: write them again later.
    if (result.ok) this.nextMinute = Math.min(this.nextMinute, lastComplete + 1);
    return result;
  }

  /** Writes minutes `nextMinute`..`lastMinute` in one transaction. */
  private write(nowMs: number, lastMinute: number): RollupTickResult {
    this.nextMinute = Math.max(this.nextMinute, minuteOf(nowMs) - KEPT_MINUTES);
    const minutes: { minuteStartMs: number; rows: RollupRow[] }[] = [];
    for (let minute = this.nextMinute; minute <= lastMinute; minute++) {
      minutes.push(minuteRows(this.metrics, minute));
    }
    try {
      const rowsWritten = this.rollups.replaceMinutes(this.runId, minutes);
      this.nextMinute = Math.max(this.nextMinute, lastMinute + 1);
      return { ok: true, minutesWritten: minutes.length, rowsWritten, rowsPruned: 0, periodsCompacted: 0 };
    } catch (cause) {
      return failure('ROLLUP_WRITE_FAILED', `writing ${minutes.length} minute(s) of rollups failed`, cause);
    }
  }

  private schedule(): void {
    const nowMs = this.metrics.nowMs();
    const dueMs = (minuteOf(nowMs - this.graceMs) + 1) * MINUTE_MS + this.graceMs;
    const delayMs = Math.max(0, dueMs - nowMs);
    this.handle = this.timers.setTimeout(
      () => this.onTimer(),
      this.checkpointMs > 0 ? Math.min(delayMs, this.checkpointMs) : delayMs,
    );
  }

  private onTimer(): void {
    this.handle = undefined;
    try {
      let result = this.tick();
      if (result.ok && this.checkpointMs > 0) result = this.flush();
      if (!result.ok) this.onError?.(result.error);
    } finally {
      if (this.running) this.schedule();
    }
  }
}

function minuteOf(monotonicMs: number): number {
  return Math.floor(monotonicMs / MINUTE_MS);
}

function failure(
  code: RollupJobError['code'],
  message: string,
  cause: unknown,
): { ok: false; error: RollupJobError } {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return { ok: false, error: { code, message: `${message}: ${reason}`, cause } };
}
