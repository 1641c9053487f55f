import type { HistoryMetric, RuleMetric } from '@lookout/contracts';
import { formatCount, formatMs, formatPercent, formatTokensPerSec } from '../core/format.ts';
import type { SeriesPoint, SeriesScope } from '../core/series-ring.ts';

/** How a chart's values read. */
export type ChartUnit = 'ms' | 'count' | 'per_min' | 'tokens_per_sec' | 'fraction';

export interface ChartLine {
  /** Column in the chart rows. */
  readonly key: string;
  readonly label: string;
  /** A CSS color (a variable of the theme). */
  readonly color: string;
  /** Where the live value comes from. */
  readonly live?: (point: SeriesPoint) => number | null;
  /** Which history metric draws it over hours and days. */
  readonly history?: HistoryMetric;
  /** `step`: the value holds until the next point (a setting such as a limit), drawn dashed. */
  readonly shape?: 'line' | 'step';
}

export interface ChartDef {
  readonly id: string;
  readonly title: string;
  readonly unit: ChartUnit;
  readonly lines: readonly ChartLine[];
  /** Rule metrics whose thresholds belong on this chart. */
  readonly ruleMetrics: readonly RuleMetric[];
  /** For history: counts per bucket are shown per minute. */
  readonly perMinute?: boolean;
}

const C = {
  p50: 'var(--chart-1)',
  p95: 'var(--chart-2)',
  p99: 'var(--chart-3)',
  other: 'var(--chart-4)',
};

/** A line drawn both live and over history. */
type SharedLine = Omit<ChartLine, 'live' | 'history'> & {
  readonly live: NonNullable<ChartLine['live']>;
  readonly history: HistoryMetric;
};

/** A chart drawn both live and over history (`perMinute` only matters to history). */
type SharedChartDef = Omit<ChartDef, 'lines'> & { readonly lines: readonly SharedLine[] };

/** Every chart but the queue one: the same lines live (the ring's points) and over history (rollups). */
const SHARED_CHARTS: readonly SharedChartDef[] = [
  {
    id: 'latency',
    title: 'Latency',
    unit: 'ms',
    ruleMetrics: ['latency_p50_ms', 'latency_p95_ms', 'latency_p99_ms'],
    lines: [
      { key: 'p50', label: 'p50', color: C.p50, live: (p) => p.latencyP50Ms, history: 'latency_p50_ms' },
      { key: 'p95', label: 'p95', color: C.p95, live: (p) => p.latencyP95Ms, history: 'latency_p95_ms' },
      { key: 'p99', label: 'p99', color: C.p99, live: (p) => p.latencyP99Ms, history: 'latency_p99_ms' },
    ],
  },
  {
    id: 'ttft',
    title: 'Time to first token',
    unit: 'ms',
    ruleMetrics: ['ttft_p95_ms', 'ttft_p99_ms'],
    lines: [
      { key: 'p50', label: 'p50', color: C.p50, live: (p) => p.ttftP50Ms, history: 'ttft_p50_ms' },
      { key: 'p95', label: 'p95', color: C.p95, live: (p) => p.ttftP95Ms, history: 'ttft_p95_ms' },
      { key: 'p99', label: 'p99', color: C.p99, live: (p) => p.ttftP99Ms, history: 'ttft_p99_ms' },
    ],
  },
  {
    id: 'timeouts',
    title: 'Timeouts per minute',
    unit: 'per_min',
    perMinute: true,
    ruleMetrics: ['timeouts'],
    lines: [
      {
        key: 'timeouts',
        label: 'timeouts',
        color: C.p99,
        live: (p) => p.timeoutsPerMin,
        history: 'timeouts',
      },
    ],
  },
  {
    id: 'tokens',
    title: 'Tokens per second (p50)',
    unit: 'tokens_per_sec',
    ruleMetrics: ['tokens_per_sec_p50'],
    lines: [
      {
        key: 'tps',
        label: 'p50',
        color: C.p50,
        live: (p) => p.tokensPerSecP50,
        history: 'tokens_per_sec_p50',
      },
    ],
  },
  {
    id: 'errors',
    title: 'Error rate',
    unit: 'fraction',
    ruleMetrics: ['error_rate'],
    lines: [
      { key: 'errorRate', label: 'errors', color: C.p99, live: (p) => p.errorRate, history: 'error_rate' },
    ],
  },
];

/** The live side of a shared chart: its lines without their history metric, no per-minute scaling. */
function liveChart({ perMinute: _perMinute, lines, ...def }: SharedChartDef): ChartDef {
  return { ...def, lines: lines.map(({ history: _history, ...line }) => line) };
}

/** The history side of a shared chart: its lines without their live value. */
function historyChart({ lines, ...def }: SharedChartDef): ChartDef {
  return { ...def, lines: lines.map(({ live: _live, ...line }) => line) };
}

/** The live charts (last 15 minutes, the sliding 1-minute window each second). */
export const LIVE_CHARTS: readonly ChartDef[] = [
  {
    id: 'queue',
    title: 'Queue depth and in flight',
    unit: 'count',
    ruleMetrics: ['queue_depth', 'in_flight'],
    lines: [
      { key: 'queueDepth', label: 'queued', color: C.p95, live: (p) => p.queueDepth },
      { key: 'inFlight', label: 'in flight', color: C.p50, live: (p) => p.inFlight },
    ],
  },
  ...SHARED_CHARTS.map(liveChart),
];

/**
 * A target's queue chart also draws its concurrency limit, so what the gate let through reads against
 * what it allowed (the limit moves when it is adaptive or pinned by hand).
 */
export const TARGET_QUEUE_CHART: ChartDef = {
  id: 'queue',
  title: 'Queue depth, in flight and limit',
  unit: 'count',
  ruleMetrics: ['queue_depth', 'in_flight'],
  lines: [
    { key: 'queueDepth', label: 'queued', color: C.p95, live: (p) => p.queueDepth },
    { key: 'inFlight', label: 'in flight', color: C.p50, live: (p) => p.inFlight },
    { key: 'limit', label: 'limit', color: C.other, live: (p) => p.maxConcurrent, shape: 'step' },
  ],
};

const TARGET_LIVE_CHARTS: readonly ChartDef[] = LIVE_CHARTS.map((def) =>
  def.id === 'queue' ? TARGET_QUEUE_CHART : def,
);

/** The live charts of a scope: a target's carry its concurrency limit. */
export function liveChartsFor(scope: SeriesScope): readonly ChartDef[] {
  return scope.kind === 'target' ? TARGET_LIVE_CHARTS : LIVE_CHARTS;
}

/** The same charts over hours and days, from the stored per-minute rollups. */
export const HISTORY_CHARTS: readonly ChartDef[] = [
  {
    id: 'queue',
    title: 'Queue wait (p95)',
    unit: 'ms',
    ruleMetrics: [],
    lines: [{ key: 'queueWait', label: 'p95', color: C.p95, history: 'queue_wait_p95_ms' }],
  },
  ...SHARED_CHARTS.map(historyChart),
];

/** A value of a chart as text. */
export function formatChartValue(unit: ChartUnit, value: number | null | undefined): string {
  switch (unit) {
    case 'ms':
      return formatMs(value);
    case 'count':
      return formatCount(value);
    case 'per_min':
      return value === null || value === undefined ? formatCount(value) : `${trimmed(value)}/min`;
    case 'tokens_per_sec':
      return formatTokensPerSec(value);
    case 'fraction':
      return formatPercent(value);
  }
}

/** Short tick labels for the value axis. */
export function formatAxisValue(unit: ChartUnit, value: number): string {
  switch (unit) {
    case 'ms':
      return value >= 1000 ? `${trimmed(value / 1000)}s` : `${trimmed(value)}ms`;
    case 'fraction':
      return `${trimmed(value * 100)}%`;
    default:
      return trimmed(value);
  }
}

function trimmed(value: number): string {
  if (Number.isInteger(value)) return String(value);
  if (Math.abs(value) >= 10) return value.toFixed(0);
  return String(Number(value.toFixed(Math.abs(value) >= 1 ? 1 : 3)));
}
