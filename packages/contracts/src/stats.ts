import { z } from 'zod';
import { OutcomeSchema } from './outcomes.ts';
import { IsoTimeSchema } from './time.ts';

const count = z.number().int().nonnegative();
const measure = z.number().nonnegative();

/** The sliding windows every Stats carries, in the order the dashboard shows them. */
export const WINDOW_NAMES = ['1m', '5m', '15m'] as const;
export const WindowNameSchema = z.enum(WINDOW_NAMES);
export type WindowName = z.infer<typeof WindowNameSchema>;

/** Percentiles of one measure over a window; values within 1% of the exact ones, `max` exact. */
export const QuantilesSchema = z.object({
  count: count,
  p50: measure,
  p90: measure,
  p95: measure,
  p99: measure,
  max: measure,
});
export type Quantiles = z.infer<typeof QuantilesSchema>;

/** Calls that ended within one window (a call counts where its terminal event happened). */
export const WindowSchema = z.object({
  requests: count,
  /** Every outcome is present, zero when none. */
  outcomes: z.record(OutcomeSchema, count),
  /** Sum of the `timeout_*` outcomes. */
  timeouts: count,
  /** Received -> last byte, over `ok` calls; null when there were none. */
  latencyMs: QuantilesSchema.nullable(),
  /** Received -> first content chunk (generation endpoints only). */
  ttftMs: QuantilesSchema.nullable(),
  /** Received -> first dispatch to a target. */
  queueWaitMs: QuantilesSchema.nullable(),
  /** `eval_count / eval_duration` of the final chunk. */
  tokensPerSec: QuantilesSchema.nullable(),
});
export type Window = z.infer<typeof WindowSchema>;

/** Gauges now, and windows of application traffic (probes and test prompts are counted apart). */
export const StatsSchema = z.object({
  queueDepth: count,
  inFlight: count,
  windows: z.object({ '1m': WindowSchema, '5m': WindowSchema, '15m': WindowSchema }),
});
export type Stats = z.infer<typeof StatsSchema>;

export const TargetHealthSchema = z.enum(['up', 'down', 'unknown']);
export type TargetHealth = z.infer<typeof TargetHealthSchema>;

/** A model resident on a target, as `/api/ps` reports it. */
export const LoadedModelSchema = z.object({
  name: z.string(),
  sizeBytes: count,
  sizeVramBytes: count,
  expiresAt: IsoTimeSchema,
});
export type LoadedModel = z.infer<typeof LoadedModelSchema>;

/** The last probe failure of a target, as an error value. */
export const ProbeErrorSchema = z.object({ code: z.string(), message: z.string() });
export type ProbeError = z.infer<typeof ProbeErrorSchema>;

/** How a target's concurrency limit is set: from the configuration, learned, or pinned by hand. */
export const ConcurrencyModeSchema = z.enum(['static', 'adaptive', 'pinned']);
export type ConcurrencyMode = z.infer<typeof ConcurrencyModeSchema>;

/** One change of a target's concurrency limit. */
export const ConcurrencyChangeSchema = z.object({
  at: IsoTimeSchema,
  from: count,
  to: count,
  /** What moved it: `grow`, `waiting` (time inside the target rose), `reset`, `pinned`, `unpinned`, ... */
  reason: z.string(),
});
export type ConcurrencyChange = z.infer<typeof ConcurrencyChangeSchema>;

/** A target's concurrency limit and, when adaptive, what it was learned from. */
export const TargetConcurrencySchema = z.object({
  mode: ConcurrencyModeSchema,
  limit: z.number().int().min(1),
  /** Bounds of the adaptive limit (also shown while pinned, for going back). */
  minLimit: z.number().int().min(1).optional(),
  maxLimit: z.number().int().min(1).optional(),
  /**
   * The learned no-load wait: time at the target (dispatch to first byte, or to the end of a one-piece
   * answer) not explained by the work Ollama reports (load, prompt eval, generation); null until learned
   * or when not adaptive. Waiting inside Ollama shows as samples above it.
   */
  baselineMs: measure.nullable(),
  /** The latest such sample. */
  lastSampleMs: measure.nullable(),
  /** Recent changes, oldest first. */
  changes: z.array(ConcurrencyChangeSchema),
});
export type TargetConcurrency = z.infer<typeof TargetConcurrencySchema>;

export const TargetStateSchema = z.object({
  name: z.string().min(1),
  url: z.string(),
  health: TargetHealthSchema,
  version: z.string().optional(),
  lastProbeAt: IsoTimeSchema.optional(),
  lastError: ProbeErrorSchema.optional(),
  loadedModels: z.array(LoadedModelSchema),
  queueDepth: count,
  inFlight: count,
  maxConcurrent: count,
  /** How `maxConcurrent` is set; absent from producers that do not know. */
  concurrency: TargetConcurrencySchema.optional(),
  /** All application calls that ended on this target, with or without a model. */
  stats: StatsSchema,
  /** Per requested model; calls without a model field only count in `stats`. */
  models: z.record(z.string(), StatsSchema),
});
export type TargetState = z.infer<typeof TargetStateSchema>;
