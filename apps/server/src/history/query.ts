import type {
  HistoryMetric,
  HistoryPoint,
  HistoryRange,
  HistoryResponse,
  HistorySource,
  Outcome,
} from '@lookout/contracts';
import {
  CLIENT_SIDE_OUTCOMES,
  HISTORY_RANGE_MS,
  HISTORY_STEP_MS,
  TIMEOUT_OUTCOMES,
} from '@lookout/contracts';
import type { Measure, QuantileSketch } from '../metrics/index.ts';
import type { RollupCounts, RollupFilter, RollupTable } from '../store/index.ts';

export interface HistoryRequest {
  /** A target name, or `'*'` (default) for all of them, calls that reached none included. */
  readonly target?: string;
  /** A model name, or `'*'` (default) for all of them, calls without a model included. */
  readonly model?: string;
  /** Default `'app'`: application traffic, as the dashboard's live numbers. */
  readonly source?: HistorySource;
  readonly metric: HistoryMetric;
  readonly range: HistoryRange;
  /** Wall-clock epoch milliseconds the range ends at. */
  readonly nowMs: number;
}

type MetricPlan =
  | { readonly kind: 'count'; readonly value: (row: RollupCounts) => number }
  | { readonly kind: 'error_rate' }
  | { readonly kind: 'quantile'; readonly measure: Measure; readonly q: number };

const quantile = (measure: Measure, q: number): MetricPlan => ({ kind: 'quantile', measure, q });
const sumOf =
  (outcomes: readonly Outcome[]) =>
  (row: RollupCounts): number => {
    let n = 0;
    for (const o of outcomes) n += row.outcomes[o] ?? 0;
    return n;
  };

function planOf(metric: HistoryMetric): MetricPlan {
  switch (metric) {
    case 'requests':
      return { kind: 'count', value: (row) => row.requests };
    case 'timeouts':
      return { kind: 'count', value: sumOf(TIMEOUT_OUTCOMES) };
    case 'error_rate':
      return { kind: 'error_rate' };
    case 'latency_p50_ms':
      return quantile('latencyMs', 0.5);
    case 'latency_p95_ms':
      return quantile('latencyMs', 0.95);
    case 'latency_p99_ms':
      return quantile('latencyMs', 0.99);
    case 'ttft_p50_ms':
      return quantile('ttftMs', 0.5);
    case 'ttft_p95_ms':
      return quantile('ttftMs', 0.95);
    case 'ttft_p99_ms':
      return quantile('ttftMs', 0.99);
    case 'queue_wait_p95_ms':
      return quantile('queueWaitMs', 0.95);
    case 'tokens_per_sec_p50':
      return quantile('tokensPerSec', 0.5);
    default:
      return { kind: 'count', value: sumOf([metric.slice('outcome:'.length) as Outcome]) };
  }
}

const notErrors = sumOf(['ok', ...CLIENT_SIDE_OUTCOMES]);

/**
 * The points of one chart: every bucket of `range` (step from `HISTORY_STEP_MS`, aligned to multiples
 * of it, the last one holding `nowMs`), oldest first. Quantiles merge the minute sketches of a bucket,
 * so they are those of all its calls (within the sketch's 1%).
 */
export function queryHistory(rollups: RollupTable, request: HistoryRequest): HistoryResponse {
  const stepMs = HISTORY_STEP_MS[request.range];
  const buckets = HISTORY_RANGE_MS[request.range] / stepMs;
  const lastStartMs = Math.floor(request.nowMs / stepMs) * stepMs;
  const firstStartMs = lastStartMs - (buckets - 1) * stepMs;
  const target = request.target ?? '*';
  const model = request.model ?? '*';
  const source = request.source ?? 'app';
  const filter: RollupFilter = {
    fromMs: firstStartMs,
    toMs: lastStartMs + stepMs,
    source,
    target: target === '*' ? undefined : target,
    model: model === '*' ? undefined : model,
  };
  const bucketOf = (minuteStartMs: number) => Math.floor((minuteStartMs - firstStartMs) / stepMs);
  const plan = planOf(request.metric);
  const values: (number | null)[] = [];
  const counts: number[] = new Array(buckets).fill(0);

  if (plan.kind === 'quantile') {
    const sketches: (QuantileSketch | undefined)[] = new Array(buckets);
    for (const row of rollups.readSketches(filter, plan.measure)) {
      const b = bucketOf(row.minuteStartMs);
      const sketch = sketches[b];
      if (sketch) sketch.merge(row.sketch);
      else sketches[b] = row.sketch;
    }
    for (let b = 0; b < buckets; b++) {
      const sketch = sketches[b];
      counts[b] = sketch?.count ?? 0;
      values.push(sketch && sketch.count > 0 ? round3(sketch.quantile(plan.q)) : null);
    }
  } else {
    const sums: number[] = new Array(buckets).fill(0);
    for (const row of rollups.readCounts(filter)) {
      const b = bucketOf(row.minuteStartMs);
      counts[b]! += row.requests;
      sums[b]! += plan.kind === 'count' ? plan.value(row) : row.requests - notErrors(row);
    }
    for (let b = 0; b < buckets; b++) {
      if (plan.kind === 'count') values.push(sums[b]!);
      else values.push(counts[b]! > 0 ? sums[b]! / counts[b]! : null);
    }
  }

  const points: HistoryPoint[] = values.map((value, b) => ({
    t: new Date(firstStartMs + b * stepMs).toISOString(),
    value,
    count: counts[b]!,
  }));
  return { target, model, source, metric: request.metric, range: request.range, stepMs, points };
}

/** Rounds to 1/1000 of the unit, as the snapshot does: far below the sketch's 1% error. */
function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
