import type { RuleMetric, RuleOp } from '@lookout/contracts';
import { formatCount, formatMs, formatPercent, formatTokensPerSec } from '../core/format.ts';

/** What a rule metric means for people: its name, the unit its threshold is in, how its values read. */
export interface MetricInfo {
  readonly label: string;
  /** The unit of the threshold as typed in the form. */
  readonly unit: string;
  readonly hint: string;
  /** Counted over the rule's window (the others are gauges read now). */
  readonly windowed: boolean;
  /** Filled in when the metric is chosen and the threshold was not typed. */
  readonly suggestedThreshold: number;
  readonly suggestedOp: RuleOp;
  readonly step: string;
  readonly max?: number;
  format(value: number | null): string;
}

const ms = (label: string, suggestedThreshold: number): MetricInfo => ({
  label,
  unit: 'ms',
  hint: 'milliseconds, e.g. 1500 for 1.5 s',
  windowed: true,
  suggestedThreshold,
  suggestedOp: '>',
  step: 'any',
  format: formatMs,
});

export const METRIC_INFO: Readonly<Record<RuleMetric, MetricInfo>> = {
  latency_p50_ms: ms('Latency p50', 2_000),
  latency_p95_ms: ms('Latency p95', 10_000),
  latency_p99_ms: ms('Latency p99', 30_000),
  ttft_p95_ms: ms('TTFT p95', 5_000),
  ttft_p99_ms: ms('TTFT p99', 15_000),
  timeouts: {
    label: 'Timeouts',
    unit: 'calls',
    hint: 'timed-out calls within the window',
    windowed: true,
    suggestedThreshold: 5,
    suggestedOp: '>',
    step: '1',
    format: formatCount,
  },
  error_rate: {
    label: 'Error rate',
    unit: 'fraction',
    hint: 'a fraction from 0 to 1: 0.05 is 5% (client aborts and bad requests are not errors)',
    windowed: true,
    suggestedThreshold: 0.05,
    suggestedOp: '>',
    step: '0.01',
    max: 1,
    format: formatPercent,
  },
  queue_depth: {
    label: 'Queue depth',
    unit: 'calls',
    hint: 'calls waiting in Lookout’s queue now',
    windowed: false,
    suggestedThreshold: 10,
    suggestedOp: '>',
    step: '1',
    format: formatCount,
  },
  in_flight: {
    label: 'In flight',
    unit: 'calls',
    hint: 'calls running on the target now',
    windowed: false,
    suggestedThreshold: 4,
    suggestedOp: '>',
    step: '1',
    format: formatCount,
  },
  target_down: {
    label: 'Target down',
    unit: '0 or 1',
    hint: 'the value is 1 while the health probe fails: use > 0.5',
    windowed: false,
    suggestedThreshold: 0.5,
    suggestedOp: '>',
    step: '0.5',
    max: 1,
    format: (v) => (v === null ? '–' : v === 1 ? 'down' : v === 0 ? 'up' : String(v)),
  },
  tokens_per_sec_p50: {
    label: 'Tokens/s p50',
    unit: 'tok/s',
    hint: 'generation speed; alert when it drops below',
    windowed: true,
    suggestedThreshold: 10,
    suggestedOp: '<',
    step: 'any',
    format: formatTokensPerSec,
  },
};

/** `Latency p95 > 1.50 s over 5m` */
export function describeCondition(rule: {
  metric: RuleMetric;
  op: RuleOp;
  threshold: number;
  window: string;
  forSec: number;
}): string {
  const info = METRIC_INFO[rule.metric];
  if (rule.metric === 'target_down')
    return `Health probe fails${rule.forSec > 0 ? ` for ${rule.forSec} s` : ''}`;
  const over = info.windowed ? ` over ${rule.window}` : '';
  const hold = rule.forSec > 0 ? ` for ${rule.forSec} s` : '';
  return `${info.label} ${rule.op} ${info.format(rule.threshold)}${over}${hold}`;
}

/** `gpu-a`, `gpu-a · qwen3:8b`, `all targets` */
export function describeScope(scope: { target: string; model: string }): string {
  const target = scope.target === '*' ? 'all targets' : scope.target;
  return scope.model === '*' ? target : `${target} · ${scope.model}`;
}
