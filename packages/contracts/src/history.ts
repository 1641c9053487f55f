import { z } from 'zod';
import { shown } from './errors.ts';
import { OUTCOMES } from './outcomes.ts';
import { IsoTimeSchema } from './time.ts';

/** How far back a history chart reaches. */
export const HISTORY_RANGES = ['1h', '6h', '24h', '7d'] as const;
export type HistoryRange = (typeof HISTORY_RANGES)[number];

export const HISTORY_RANGE_MS: Readonly<Record<HistoryRange, number>> = {
  '1h': 3_600_000,
  '6h': 21_600_000,
  '24h': 86_400_000,
  '7d': 604_800_000,
};

/** Width of one point per range: 60, 72, 96 and 168 points. Buckets start on multiples of the step (UTC). */
export const HISTORY_STEP_MS: Readonly<Record<HistoryRange, number>> = {
  '1h': 60_000,
  '6h': 300_000,
  '24h': 900_000,
  '7d': 3_600_000,
};

/** Who made the calls: applications (through the relay), the probes, or test prompts. */
export const HISTORY_SOURCES = ['app', 'probe', 'test_prompt'] as const;
export type HistorySource = (typeof HISTORY_SOURCES)[number];

/**
 * Outcomes the client caused (it went away, or sent a bad request): not counted as errors in
 * `error_rate`, which is `(requests - ok - these) / requests`.
 */
export const CLIENT_SIDE_OUTCOMES = [
  'client_abort',
  'bad_request',
] as const satisfies readonly (typeof OUTCOMES)[number][];

/**
 * What a history chart plots. Counts (`requests`, `timeouts`, `outcome:<name>`) are calls per bucket;
 * `error_rate` a fraction 0..1; `_ms` in milliseconds; quantiles within 1% of the exact value.
 */
export const HISTORY_BASE_METRICS = [
  'requests',
  'error_rate',
  'timeouts',
  'latency_p50_ms',
  'latency_p95_ms',
  'latency_p99_ms',
  'ttft_p50_ms',
  'ttft_p95_ms',
  'ttft_p99_ms',
  'queue_wait_p95_ms',
  'tokens_per_sec_p50',
] as const;
export type HistoryOutcomeMetric = `outcome:${(typeof OUTCOMES)[number]}`;
export type HistoryMetric = (typeof HISTORY_BASE_METRICS)[number] | HistoryOutcomeMetric;

export const HISTORY_METRICS: readonly HistoryMetric[] = [
  ...HISTORY_BASE_METRICS,
  ...OUTCOMES.map((o): HistoryOutcomeMetric => `outcome:${o}`),
];

const listed = (values: readonly string[]) => values.join(', ');
const got = (input: unknown) => (input === undefined ? 'it is missing' : `got ${shown(input)}`);

export const HistoryRangeSchema = z.enum(HISTORY_RANGES, {
  error: (issue) => `range must be one of ${listed(HISTORY_RANGES)}; ${got(issue.input)}`,
});
export const HistorySourceSchema = z.enum(HISTORY_SOURCES, {
  error: (issue) => `source must be one of ${listed(HISTORY_SOURCES)}; ${got(issue.input)}`,
});
export const HistoryMetricSchema = z.enum(HISTORY_METRICS as [HistoryMetric, ...HistoryMetric[]], {
  error: (issue) =>
    `metric must be one of ${listed(HISTORY_BASE_METRICS)} or outcome:<outcome>; ${got(issue.input)}`,
});

const scopeName = (field: string) =>
  z
    .string({ error: `${field} must be "*" or a name` })
    .min(1, { error: `${field} must be "*" or a name, not empty` })
    .max(200, { error: `${field} must be at most 200 characters` });

function unknownParameters(keys: readonly string[]): string {
  return `unknown parameter${keys.length === 1 ? '' : 's'} ${listed(keys)}; expected target, model, source, metric, range`;
}

/** The query of `GET /api/history` (target and model default to "*": all of them). */
export const HistoryQuerySchema = z.strictObject(
  {
    target: scopeName('target').default('*'),
    model: scopeName('model').default('*'),
    source: HistorySourceSchema.default('app'),
    metric: HistoryMetricSchema,
    range: HistoryRangeSchema,
  },
  { error: (issue: { code?: string; keys?: readonly string[] }) => unknownParameters(issue.keys ?? []) },
);
export type HistoryQuery = z.infer<typeof HistoryQuerySchema>;

/**
 * One bucket: `t` its start; `value` null when nothing was measured (a rate or quantile without
 * samples), counts read 0 then; `count` the samples behind `value` (calls for counts and
 * `error_rate`, measured values for quantiles).
 */
export const HistoryPointSchema = z.object({
  t: IsoTimeSchema,
  value: z.number().nonnegative().nullable(),
  count: z.number().int().nonnegative(),
});
export type HistoryPoint = z.infer<typeof HistoryPointSchema>;

/** The body of `GET /api/history`: every bucket of the range, oldest first, the last one still filling. */
export const HistoryResponseSchema = z.object({
  target: z.string(),
  model: z.string(),
  source: HistorySourceSchema,
  metric: HistoryMetricSchema,
  range: HistoryRangeSchema,
  stepMs: z.number().int().positive(),
  points: z.array(HistoryPointSchema),
});
export type HistoryResponse = z.infer<typeof HistoryResponseSchema>;
