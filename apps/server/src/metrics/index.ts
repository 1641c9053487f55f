/**
 * Metrics: call events -> sliding windows (1m/5m/15m of 10 s slots) of counts and DDSketches per
 * (target, model, source) -> the dashboard snapshot and the Prometheus exposition.
 */

export type { Measure } from './aggregate.ts';
export { CallAggregate, MEASURES } from './aggregate.ts';
export type { MetricsEngineOptions } from './engine.ts';
export { MetricsEngine } from './engine.ts';
export { escapeLabelValue, renderPrometheus, SUMMARY_QUANTILES } from './prometheus.ts';
export { NO_MODEL, NO_TARGET, OTHER_MODEL } from './series.ts';
export type { SketchData } from './sketch.ts';
export { MAX_INDEXABLE, MIN_INDEXABLE, QuantileSketch, RELATIVE_ACCURACY } from './sketch.ts';
export { SLOT_MS, WINDOW_SLOTS } from './slots.ts';
export type { SeriesSpan } from './span.ts';
export type {
  EngineAnomalies,
  GaugeSource,
  MetricsReader,
  MetricsSink,
  ModelGauges,
  RequestTotals,
  TargetGauges,
  TargetInfoSource,
  TargetProbeInfo,
} from './types.ts';
