import { HISTORY_RANGE_MS } from '@lookout/contracts';
import type { RollupTable } from '../store/index.ts';

/** Old minute rows are merged into one row per 15 minutes: the 24h and 7d charts' points hold whole ones. */
export const COMPACT_SPAN_MS = 15 * 60_000;
/** Minute rows younger than this stay: the 1h and 6h charts (1- and 5-minute points) read them. */
export const MINUTE_ROWS_KEPT_MS = HISTORY_RANGE_MS['6h'] + 3_600_000;

export interface CompactResult {
  readonly periods: number;
  readonly rowsBefore: number;
  readonly rowsAfter: number;
}

/**
 * Keeps the 7-day history cheap to read: a 7d chart over minute rows decodes 10 080 sketches per
 * series (about 0.1 s per series, on the event loop the relay shares), over 15-minute rows 672.
 */
export class RollupCompactor {
  constructor(
    private readonly rollups: RollupTable,
    /** Bounds one call's work (a day of periods), e.g. on the first start over an older database. */
    private readonly maxPeriodsPerCall = 96,
  ) {}

  /** Compacts the periods that ended before `epochNowMs - MINUTE_ROWS_KEPT_MS`, oldest first. */
  compactDue(epochNowMs: number): CompactResult {
    const cutoffMs = Math.floor((epochNowMs - MINUTE_ROWS_KEPT_MS) / COMPACT_SPAN_MS) * COMPACT_SPAN_MS;
    let periods = 0;
    let rowsBefore = 0;
    let rowsAfter = 0;
    while (periods < this.maxPeriodsPerCall) {
      const oldest = this.rollups.oldestRowShorterThan(COMPACT_SPAN_MS);
      if (oldest === undefined) break;
      const startMs = Math.floor(oldest / COMPACT_SPAN_MS) * COMPACT_SPAN_MS;
      if (startMs + COMPACT_SPAN_MS > cutoffMs) break;
      const done = this.rollups.compactPeriod(startMs, COMPACT_SPAN_MS);
      periods++;
      rowsBefore += done.rowsBefore;
      rowsAfter += done.rowsAfter;
    }
    return { periods, rowsBefore, rowsAfter };
  }
}
