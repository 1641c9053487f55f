/**
 * History: the rollup job that writes each minute of the metrics to the store, the pruner that keeps
 * it to the retention, the compactor that merges old minutes into 15-minute rows, and the query
 * behind `GET /api/history`.
 */

export type { CompactResult } from './compactor.ts';
export { COMPACT_SPAN_MS, MINUTE_ROWS_KEPT_MS, RollupCompactor } from './compactor.ts';
export type { MinuteSource } from './minute-rows.ts';
export { MINUTE_MS, minuteRows } from './minute-rows.ts';
export type { RollupPrunerOptions } from './pruner.ts';
export { DEFAULT_PRUNE_EVERY_MS, DEFAULT_RETENTION_MS, RollupPruner } from './pruner.ts';
export type { HistoryRequest } from './query.ts';
export { queryHistory } from './query.ts';
export type { JobTimers, RollupJobError, RollupJobOptions, RollupTickResult } from './rollup-job.ts';
export { RollupJob } from './rollup-job.ts';
