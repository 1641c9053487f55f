import { memo } from 'react';
import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatClock } from '../core/format.ts';
import {
  axisTicks,
  type ChartRow,
  chartSummary,
  niceCeil,
  type Threshold,
  thinRows,
  ticksNeedSeconds,
  timeTicks,
} from './chart-data.ts';
import { type ChartDef, formatAxisValue, formatChartValue } from './chart-defs.ts';

export interface MetricChartProps {
  readonly def: ChartDef;
  readonly rows: readonly ChartRow[];
  readonly thresholds: readonly Threshold[];
  /** The x range in epoch ms. */
  readonly domain: readonly [number, number];
  /** `15 minutes`, `6 hours`: for the text summary. */
  readonly span: string;
  /** Ticks as times of day (short ranges) or as days and hours. */
  readonly tickStyle: 'clock' | 'day';
  readonly testId: string;
  readonly state?: 'loading' | 'error' | 'ready';
}

const SEVERITY_COLOR = { warning: 'var(--warn)', critical: 'var(--crit)' } as const;

function dayTick(t: number): string {
  const d = new Date(t);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}h`;
}

function shortClock(t: number): string {
  return formatClock(t).slice(0, 5);
}

function clockWithSeconds(t: number): string {
  return formatClock(t).slice(0, 8);
}

/** A threshold further above the data than this factor is listed, not drawn: it would flatten the lines. */
const THRESHOLD_REACH = 3;
/** About one row per 2-3 pixels of a chart card: more costs time and shows nothing more. */
const MAX_PLOTTED_ROWS = 180;

function dataMax(def: ChartDef, rows: readonly ChartRow[]): number {
  let max = 0;
  for (const row of rows) {
    for (const line of def.lines) {
      const v = row[line.key];
      if (typeof v === 'number' && v > max) max = v;
    }
  }
  return max;
}

/** Upper bound of the value axis: a round number above the data and the thresholds near it. */
function valueMax(def: ChartDef, max: number, drawn: readonly Threshold[]): number {
  let top = max;
  for (const t of drawn) top = Math.max(top, t.value);
  if (top === 0) return def.unit === 'fraction' ? 0.01 : 1;
  const nice = niceCeil(top * 1.08);
  return def.unit === 'fraction' ? Math.min(1, nice) : nice;
}

/** One chart with its legend (latest values), its rule thresholds and a text summary for screen readers. */
export const MetricChart = memo(function MetricChart(props: MetricChartProps) {
  const { def, rows, thresholds, domain, span, tickStyle, testId, state = 'ready' } = props;
  // The last bucket of a history range is still filling and may have no value yet.
  const latestOf = (key: string): number | null => {
    for (let i = rows.length - 1; i >= 0; i--) {
      const v = rows[i]?.[key];
      if (typeof v === 'number') return v;
    }
    return null;
  };
  const integers = def.unit === 'count' || def.unit === 'per_min';
  const ticks = timeTicks(domain);
  const highest = dataMax(def, rows);
  const drawn = thresholds.filter((t) => highest === 0 || t.value <= highest * THRESHOLD_REACH);
  const top = valueMax(def, highest, drawn);
  const yMax = integers ? Math.max(1, Math.ceil(top)) : top;
  const summary = chartSummary(def, rows, span);
  const plotted = thinRows(rows, MAX_PLOTTED_ROWS);
  return (
    <figure className="chart" data-testid={testId} aria-labelledby={`${testId}-title`}>
      <figcaption>
        <span id={`${testId}-title`} className="chart-title">
          {def.title}
        </span>
        <ul className="chart-legend">
          {def.lines.map((line) => (
            <li key={line.key}>
              {line.shape === 'step' ? (
                <span className="swatch dashed" style={{ borderColor: line.color }} aria-hidden="true" />
              ) : (
                <span className="swatch" style={{ background: line.color }} aria-hidden="true" />
              )}
              {line.label} <span className="num">{formatChartValue(def.unit, latestOf(line.key))}</span>
            </li>
          ))}
          {thresholds.map((t) => (
            <li key={t.ruleId} className="legend-threshold" data-testid={`${testId}-threshold-${t.ruleId}`}>
              <span
                className="swatch dashed"
                style={{ borderColor: SEVERITY_COLOR[t.severity] }}
                aria-hidden="true"
              />
              {t.label}
              {!drawn.includes(t) && <span className="off-scale"> (above the chart)</span>}
            </li>
          ))}
        </ul>
      </figcaption>
      <div className="chart-plot" aria-hidden="true">
        {state === 'ready' && rows.length > 0 && (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={plotted as ChartRow[]} margin={{ top: 6, right: 8, bottom: 0, left: 0 }}>
              <CartesianGrid stroke="var(--grid)" vertical={false} />
              <XAxis
                dataKey="t"
                type="number"
                scale="time"
                domain={[domain[0], domain[1]]}
                ticks={ticks}
                allowDataOverflow
                tickFormatter={
                  tickStyle !== 'clock' ? dayTick : ticksNeedSeconds(ticks) ? clockWithSeconds : shortClock
                }
                stroke="var(--muted)"
                tick={{ fontSize: 11, fill: 'var(--muted)' }}
                minTickGap={40}
              />
              <YAxis
                width={56}
                domain={[0, yMax]}
                ticks={axisTicks(yMax, integers)}
                interval={0}
                tickFormatter={(v: number) => formatAxisValue(def.unit, v)}
                stroke="var(--muted)"
                tick={{ fontSize: 11, fill: 'var(--muted)' }}
              />
              <Tooltip
                isAnimationActive={false}
                labelFormatter={(t) => (tickStyle === 'clock' ? formatClock(Number(t)) : dayTick(Number(t)))}
                formatter={(value) => formatChartValue(def.unit, typeof value === 'number' ? value : null)}
                contentStyle={{
                  background: 'var(--surface)',
                  border: '1px solid var(--border)',
                  fontSize: 12,
                }}
              />
              {def.lines.map((line) => (
                <Line
                  key={line.key}
                  type={line.shape === 'step' ? 'stepAfter' : 'linear'}
                  dataKey={line.key}
                  name={line.label}
                  stroke={line.color}
                  strokeWidth={1.6}
                  {...(line.shape === 'step' ? { strokeDasharray: '6 3' } : {})}
                  dot={false}
                  isAnimationActive={false}
                  connectNulls={false}
                />
              ))}
              {drawn.map((t) => (
                <ReferenceLine
                  key={t.ruleId}
                  y={t.value}
                  stroke={SEVERITY_COLOR[t.severity]}
                  strokeDasharray="5 4"
                  ifOverflow="hidden"
                />
              ))}
            </LineChart>
          </ResponsiveContainer>
        )}
        {state === 'ready' && rows.length === 0 && <p className="chart-empty">Collecting data…</p>}
        {state === 'loading' && <p className="chart-empty">Loading…</p>}
        {state === 'error' && <p className="chart-empty">History is not available.</p>}
      </div>
      <p className="visually-hidden">{summary}</p>
    </figure>
  );
});
