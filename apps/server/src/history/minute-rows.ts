import type { Outcome } from '@lookout/contracts';
import { OUTCOMES } from '@lookout/contracts';
import type { Measure, QuantileSketch, SeriesSpan } from '../metrics/index.ts';
import { MEASURES } from '../metrics/index.ts';
import type { RollupRow } from '../store/index.ts';

export const MINUTE_MS = 60_000;

/** What the rollup job reads from the metrics (`MetricsEngine` implements it). */
export interface MinuteSource {
  /** Monotonic milliseconds now. */
  nowMs(): number;
  /** Wall-clock epoch milliseconds of a monotonic time. */
  epochMsOf(monotonicMs: number): number;
  /** Per series, the calls that ended in [fromMs, toMs) of monotonic time. */
  spanAggregates(fromMs: number, toMs: number): SeriesSpan[];
}

/**
 * The rows of monotonic minute `minute` ([minute * 60 s, (minute + 1) * 60 s) on the metrics clock),
 * labelled with the wall-clock minute its start falls in. Within one run the offset between the two
 * clocks is fixed, so consecutive minutes get consecutive labels.
 */
export function minuteRows(
  source: MinuteSource,
  minute: number,
): { minuteStartMs: number; rows: RollupRow[] } {
  const fromMs = minute * MINUTE_MS;
  const minuteStartMs = Math.floor(source.epochMsOf(fromMs) / MINUTE_MS) * MINUTE_MS;
  const rows = source.spanAggregates(fromMs, fromMs + MINUTE_MS).map((span): RollupRow => {
    const { aggregate } = span;
    const outcomes: Partial<Record<Outcome, number>> = {};
    OUTCOMES.forEach((outcome, i) => {
      const n = aggregate.outcomes[i]!;
      if (n > 0) outcomes[outcome] = n;
    });
    const sketches: Partial<Record<Measure, QuantileSketch>> = {};
    MEASURES.forEach((measure, m) => {
      const sketch = aggregate.sketches[m];
      if (sketch && sketch.count > 0) sketches[measure] = sketch;
    });
    return {
      minuteStartMs,
      target: span.target,
      model: span.model,
      source: span.source,
      requests: aggregate.requests,
      outcomes,
      sketches,
    };
  });
  return { minuteStartMs, rows };
}
