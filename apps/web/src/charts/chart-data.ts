import type { HistoryResponse, Rule, RuleSeverity } from '@lookout/contracts';
import type { SeriesPoint, SeriesScope } from '../core/series-ring.ts';
import { type ChartDef, formatChartValue } from './chart-defs.ts';

/** One x position of a chart: `t` in epoch ms, one column per line (null: no value, the line breaks). */
export type ChartRow = { readonly t: number } & Record<string, number | null>;

/** Points further apart than this (the connection dropped) are not joined by a line. */
export const LIVE_GAP_MS = 5_000;

/** Rows of a live chart; a row of nulls marks each gap so the lines break there. */
export function liveRows(def: ChartDef, points: readonly SeriesPoint[]): ChartRow[] {
  const rows: ChartRow[] = [];
  let previous: number | undefined;
  for (const point of points) {
    if (previous !== undefined && point.atMs - previous > LIVE_GAP_MS) {
      rows.push(rowOf(def, previous + 1, () => null));
    }
    rows.push(rowOf(def, point.atMs, (line) => line.live?.(point) ?? null));
    previous = point.atMs;
  }
  return rows;
}

function rowOf(
  def: ChartDef,
  t: number,
  value: (line: ChartDef['lines'][number]) => number | null,
): ChartRow {
  const row: Record<string, number | null> = { t };
  for (const line of def.lines) row[line.key] = value(line);
  return row as ChartRow;
}

/**
 * Rows of a history chart from one response per line (same range, so the same buckets). Counts are
 * turned into per-minute rates when the chart says so, so every range reads in the same unit.
 */
export function historyRows(def: ChartDef, responses: ReadonlyMap<string, HistoryResponse>): ChartRow[] {
  const byTime = new Map<number, Record<string, number | null>>();
  for (const line of def.lines) {
    const response = responses.get(line.key);
    if (!response) continue;
    const minutes = response.stepMs / 60_000;
    for (const point of response.points) {
      const t = Date.parse(point.t);
      let row = byTime.get(t);
      if (!row) {
        row = { t };
        for (const l of def.lines) row[l.key] = null;
        byTime.set(t, row);
      }
      row[line.key] = point.value === null ? null : def.perMinute ? point.value / minutes : point.value;
    }
  }
  return [...byTime.values()].sort((a, b) => (a.t as number) - (b.t as number)) as ChartRow[];
}

export interface Threshold {
  readonly ruleId: string;
  readonly value: number;
  readonly label: string;
  readonly severity: RuleSeverity;
}

/** Whether a rule watches what a chart of `scope` shows (its own target or model, or all of them). */
export function ruleConcerns(rule: Rule, scope: SeriesScope): boolean {
  switch (scope.kind) {
    case 'fleet':
      return rule.scope.target === '*' && rule.scope.model === '*';
    case 'target':
      return (rule.scope.target === '*' || rule.scope.target === scope.target) && rule.scope.model === '*';
    case 'model':
      return (
        (rule.scope.target === '*' || rule.scope.target === scope.target) && rule.scope.model === scope.model
      );
  }
}

const WINDOW_MINUTES = { '1m': 1, '5m': 5, '15m': 15 } as const;

/**
 * The thresholds of enabled rules to draw on a chart. A `timeouts` rule counts over its window, the
 * chart per minute: its threshold is drawn as the per-minute average that would cross it.
 */
export function thresholdsFor(def: ChartDef, rules: readonly Rule[], scope: SeriesScope): Threshold[] {
  const out: Threshold[] = [];
  for (const rule of rules) {
    if (!rule.enabled || !def.ruleMetrics.includes(rule.metric) || !ruleConcerns(rule, scope)) continue;
    const perWindow = rule.metric === 'timeouts' ? WINDOW_MINUTES[rule.window] : 1;
    const value = rule.threshold / perWindow;
    const shown =
      rule.metric === 'timeouts' && perWindow > 1
        ? `${rule.threshold} per ${rule.window}`
        : formatChartValue(def.unit, rule.threshold);
    out.push({
      ruleId: rule.id,
      value,
      label: `${rule.name} (${rule.op} ${shown})`,
      severity: rule.severity,
    });
  }
  return out;
}

/** A sentence per line for people who do not see the chart: latest, lowest and highest value. */
export function chartSummary(def: ChartDef, rows: readonly ChartRow[], span: string): string {
  const parts: string[] = [];
  for (const line of def.lines) {
    const values = rows.map((r) => r[line.key]).filter((v): v is number => typeof v === 'number');
    if (values.length === 0) {
      parts.push(`${line.label}: no data`);
      continue;
    }
    const latest = values.at(-1);
    const fmt = (v: number | undefined) => formatChartValue(def.unit, v);
    parts.push(
      `${line.label} now ${fmt(latest)}, lowest ${fmt(Math.min(...values))}, highest ${fmt(Math.max(...values))}`,
    );
  }
  return `${def.title} over ${span}: ${parts.join('; ')}.`;
}

/** Evenly spaced ticks from 0 to `max` (a `niceCeil` value); whole numbers only when `integers`. */
export function axisTicks(max: number, integers: boolean): number[] {
  const power = 10 ** Math.floor(Math.log10(max));
  const mantissa = Math.round((max / power) * 10) / 10;
  const divisions = mantissa === 2 ? 4 : 5;
  let step = max / divisions;
  if (integers) step = Math.max(1, Math.round(step));
  const ticks: number[] = [];
  for (let v = 0; v <= max + step / 1000; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** The smallest "round" number (1, 2, 2.5, 5 times a power of ten) at or above `value`. */
export function niceCeil(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * power >= value - 1e-9) return step * power;
  }
  return 10 * power;
}

/**
 * At most `max` rows for drawing: a chart a few hundred pixels wide cannot show more points, and the
 * chart library's work grows with every row. Keeps the last row (the newest value) and evenly spaced
 * ones before it.
 */
export function thinRows<T>(rows: readonly T[], max: number): readonly T[] {
  if (rows.length <= max) return rows;
  const step = rows.length / max;
  const out: T[] = [];
  for (
    let i = rows.length - 1;
    i >= 0 && out.length < max;
    i = Math.floor(rows.length - 1 - out.length * step)
  ) {
    out.push(rows[i]!);
  }
  return out.reverse();
}

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
/** Tick spacings a reader counts in: whole seconds, minutes, hours, days. */
const TICK_STEPS_MS = [
  5 * SECOND_MS,
  10 * SECOND_MS,
  15 * SECOND_MS,
  30 * SECOND_MS,
  MINUTE_MS,
  2 * MINUTE_MS,
  5 * MINUTE_MS,
  10 * MINUTE_MS,
  15 * MINUTE_MS,
  30 * MINUTE_MS,
  HOUR_MS,
  2 * HOUR_MS,
  3 * HOUR_MS,
  6 * HOUR_MS,
  12 * HOUR_MS,
  24 * HOUR_MS,
];

/**
 * Time ticks over `domain` at a round spacing (at most `count` + 1 of them), on round times, so the
 * chart library need not place one per row and no two ticks read the same.
 */
export function timeTicks(domain: readonly [number, number], count = 5): number[] {
  const [from, to] = domain;
  if (!(to > from)) return [from];
  const wanted = (to - from) / count;
  const step = TICK_STEPS_MS.find((s) => s >= wanted) ?? Math.ceil(wanted / (24 * HOUR_MS)) * 24 * HOUR_MS;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return ticks;
}

/** Whether ticks this close need seconds to tell apart. */
export function ticksNeedSeconds(ticks: readonly number[]): boolean {
  return ticks.length > 1 && ticks[1]! - ticks[0]! < MINUTE_MS;
}
