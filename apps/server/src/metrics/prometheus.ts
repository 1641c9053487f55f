import { OUTCOMES } from '@lookout/contracts';
import type { CallAggregate } from './aggregate.ts';
import type { Series, SeriesStore } from './series.ts';
import type { EngineAnomalies, TargetGauges, TargetInfoSource } from './types.ts';

export interface PrometheusInput {
  readonly store: SeriesStore;
  readonly gauges: readonly TargetGauges[];
  readonly targetInfo: TargetInfoSource | undefined;
  readonly nowSlot: number;
  readonly openCalls: number;
  readonly anomalies: EngineAnomalies;
}

/** Quantiles published for each summary, over the 5-minute window. */
export const SUMMARY_QUANTILES = [0.5, 0.9, 0.95, 0.99] as const;

/** Sketch measure index -> summary name, help, and the factor from the engine's unit to the base unit. */
const SUMMARIES = [
  {
    measure: 0,
    name: 'lookout_latency_seconds',
    help: 'Call received -> last byte sent, ok calls only. Quantiles over the last 5 minutes; _sum and _count since start.',
    scale: 1e-3,
  },
  {
    measure: 1,
    name: 'lookout_ttft_seconds',
    help: 'Call received -> first chunk with generated content. Quantiles over the last 5 minutes; _sum and _count since start.',
    scale: 1e-3,
  },
  {
    measure: 2,
    name: 'lookout_queue_wait_seconds',
    help: 'Call received -> dispatched to a target. Quantiles over the last 5 minutes; _sum and _count since start.',
    scale: 1e-3,
  },
  {
    measure: 3,
    name: 'lookout_tokens_per_second',
    help: 'Generation speed from the final chunk (eval_count / eval_duration). Quantiles over the last 5 minutes; _sum and _count since start.',
    scale: 1,
  },
] as const;

/** A label value in the text format: backslash, double quote and line feed escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\\' ? '\\\\' : c === '"' ? '\\"' : '\\n'));
}

/** HELP text: backslash and line feed escaped. */
function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === '\\' ? '\\\\' : '\\n'));
}

/** A sample value: Go's float syntax for the special values. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function labels(pairs: readonly (readonly [string, string])[]): string {
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

class Exposition {
  private readonly lines: string[] = [];

  family(name: string, type: 'counter' | 'gauge' | 'summary', help: string): void {
    this.lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
  }

  sample(name: string, labelText: string, value: number): void {
    this.lines.push(`${name}${labelText} ${formatValue(value)}`);
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

/**
 * The Prometheus text exposition (format 0.0.4): call counters and summaries for every
 * (target, model, source), the gates' gauges, and the probes' view of each target.
 */
export function renderPrometheus(input: PrometheusInput): string {
  const out = new Exposition();
  const series: { series: Series; labelText: string; fiveMinutes: CallAggregate }[] = [];
  for (const s of input.store.all()) {
    series.push({
      series: s,
      labelText: `target="${escapeLabelValue(s.target)}",model="${escapeLabelValue(s.model)}",source="${s.source}"`,
      fiveMinutes: s.ring.windows(input.nowSlot)['5m'],
    });
  }

  out.family('lookout_requests_total', 'counter', 'Calls that ended, by target, model, source and outcome.');
  for (const { series: s, labelText } of series) {
    for (let i = 0; i < OUTCOMES.length; i++) {
      out.sample('lookout_requests_total', `{${labelText},outcome="${OUTCOMES[i]}"}`, s.outcomeTotals[i]!);
    }
  }

  const quantiles: number[] = new Array(SUMMARY_QUANTILES.length).fill(Number.NaN);
  const quantileLabels = SUMMARY_QUANTILES.map((q) => `,quantile="${q}"}`);
  for (const summary of SUMMARIES) {
    out.family(summary.name, 'summary', summary.help);
    for (const { series: s, labelText, fiveMinutes } of series) {
      const sketch = fiveMinutes.sketches[summary.measure];
      if (sketch && sketch.count > 0) sketch.quantilesInto(SUMMARY_QUANTILES, quantiles);
      else quantiles.fill(Number.NaN, 0, SUMMARY_QUANTILES.length);
      for (let i = 0; i < SUMMARY_QUANTILES.length; i++) {
        out.sample(summary.name, `{${labelText}${quantileLabels[i]}`, quantiles[i]! * summary.scale);
      }
      out.sample(`${summary.name}_sum`, `{${labelText}}`, s.measureSums[summary.measure]! * summary.scale);
      out.sample(`${summary.name}_count`, `{${labelText}}`, s.measureCounts[summary.measure]!);
    }
  }

  const gauges = [
    ['lookout_queue_depth', 'Calls waiting in the target gate now.', (g: TargetGauges) => g.queueDepth],
    ['lookout_in_flight', 'Calls sent to the target and not yet ended.', (g: TargetGauges) => g.inFlight],
    [
      'lookout_max_concurrent',
      'Calls the target gate lets in flight at once.',
      (g: TargetGauges) => g.maxConcurrent,
    ],
  ] as const;
  for (const [name, help, read] of gauges) {
    out.family(name, 'gauge', help);
    for (const g of input.gauges) out.sample(name, labels([['target', g.name]]), read(g));
  }

  out.family(
    'lookout_concurrency_mode',
    'gauge',
    'How the target limit is set: 1 on the current mode (static, adaptive or pinned).',
  );
  for (const g of input.gauges) {
    const mode = g.concurrency?.mode ?? 'static';
    for (const m of ['static', 'adaptive', 'pinned'] as const) {
      out.sample(
        'lookout_concurrency_mode',
        labels([
          ['target', g.name],
          ['mode', m],
        ]),
        m === mode ? 1 : 0,
      );
    }
  }
  out.family(
    'lookout_concurrency_baseline_seconds',
    'gauge',
    'Learned no-load time at an adaptive target not explained by the work Ollama reports.',
  );
  for (const g of input.gauges) {
    const baselineMs = g.concurrency?.baselineMs;
    if (typeof baselineMs === 'number') {
      out.sample('lookout_concurrency_baseline_seconds', labels([['target', g.name]]), baselineMs / 1000);
    }
  }
  out.family('lookout_concurrency_changes_total', 'counter', 'Changes of the target limit since start.');
  for (const g of input.gauges) {
    out.sample(
      'lookout_concurrency_changes_total',
      labels([['target', g.name]]),
      g.concurrencyChangesTotal ?? 0,
    );
  }

  out.family('lookout_target_up', 'gauge', '1 when the last health probe of the target succeeded, else 0.');
  for (const g of input.gauges) {
    out.sample(
      'lookout_target_up',
      labels([['target', g.name]]),
      input.targetInfo?.info(g.name)?.health === 'up' ? 1 : 0,
    );
  }

  out.family('lookout_metrics_open_calls', 'gauge', 'Calls between their first and their terminal event.');
  out.sample('lookout_metrics_open_calls', '', input.openCalls);
  out.family(
    'lookout_metrics_anomalies_total',
    'counter',
    'Call events the metrics engine ignored or could not count, by kind.',
  );
  const a = input.anomalies;
  const kinds = [
    ['duplicate_terminal', a.duplicateTerminals],
    ['abandoned_call', a.abandonedCalls],
    ['late_event', a.lateEvents],
    ['internal_error', a.internalErrors],
  ] as const;
  for (const [kind, value] of kinds)
    out.sample('lookout_metrics_anomalies_total', labels([['kind', kind]]), value);
  return out.text();
}
