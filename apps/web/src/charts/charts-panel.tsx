import type { HistoryRange, HistoryResponse, Rule } from '@lookout/contracts';
import { HISTORY_RANGE_MS } from '@lookout/contracts';
import { useQueries, useQuery } from '@tanstack/react-query';
import { memo, useState } from 'react';
import { useApi } from '../api/api-context.tsx';
import { historyQuery, rulesQuery } from '../api/queries.ts';
import { type SeriesScope, scopeKey } from '../core/series-ring.ts';
import { Segmented } from '../fleet/segmented.tsx';
import { useSeries } from '../live/live-context.tsx';
import { historyRows, liveRows, thresholdsFor } from './chart-data.ts';
import { type ChartDef, HISTORY_CHARTS, liveChartsFor } from './chart-defs.ts';
import { MetricChart } from './metric-chart.tsx';

type Range = 'live' | HistoryRange;

const RANGES: readonly { value: Range; label: string }[] = [
  { value: 'live', label: 'Live 15m' },
  { value: '1h', label: '1h' },
  { value: '6h', label: '6h' },
  { value: '24h', label: '24h' },
  { value: '7d', label: '7d' },
];

const SPAN_TEXT: Record<Range, string> = {
  live: 'the last 15 minutes',
  '1h': 'the last hour',
  '6h': 'the last 6 hours',
  '24h': 'the last 24 hours',
  '7d': 'the last 7 days',
};

const LIVE_SPAN_MS = 15 * 60_000;
const NO_RULES: Rule[] = [];

/** The charts of one scope: live from the WebSocket ring, or from history over hours and days. */
function ChartsPanel({ scope }: { scope: SeriesScope }) {
  const api = useApi();
  const [range, setRange] = useState<Range>('live');
  // The alert API may be missing on an older server: then no thresholds are drawn.
  const rules = useQuery({ ...rulesQuery(api), retry: false }).data?.rules ?? NO_RULES;
  return (
    <div className="charts-panel">
      <Segmented
        label="Chart range"
        options={RANGES}
        value={range}
        onChange={setRange}
        testId="range-picker"
      />
      {range === 'live' ? (
        <LiveCharts scope={scope} rules={rules} />
      ) : (
        <HistoryCharts scope={scope} range={range} rules={rules} />
      )}
    </div>
  );
}

/**
 * Redrawn by what it watches itself (the ring's version, the rules and history queries), not by each
 * snapshot its page re-renders for: the page passes a new scope object every time, equal by its key.
 */
export default memo(ChartsPanel, (before, after) => scopeKey(before.scope) === scopeKey(after.scope));

function LiveCharts({ scope, rules }: { scope: SeriesScope; rules: readonly Rule[] }) {
  const points = useSeries(scope);
  const end = points.at(-1)?.atMs ?? Date.now();
  // While the first minutes are collected, the axis spans what there is (at least 2 minutes).
  const first = points[0]?.atMs ?? end;
  const domain = [Math.max(end - LIVE_SPAN_MS, Math.min(first, end - 2 * 60_000)), end] as const;
  return (
    <div className="chart-grid">
      {liveChartsFor(scope).map((def) => (
        <MetricChart
          key={def.id}
          def={def}
          rows={liveRows(def, points)}
          thresholds={thresholdsFor(def, rules, scope)}
          domain={domain}
          span={SPAN_TEXT.live}
          tickStyle="clock"
          testId={`chart-${def.id}`}
        />
      ))}
    </div>
  );
}

function HistoryCharts({
  scope,
  range,
  rules,
}: {
  scope: SeriesScope;
  range: HistoryRange;
  rules: readonly Rule[];
}) {
  const target = scope.kind === 'fleet' ? '*' : scope.target;
  const model = scope.kind === 'model' ? scope.model : '*';
  return (
    <div className="chart-grid">
      {HISTORY_CHARTS.map((def) => (
        <HistoryChart
          key={def.id}
          def={def}
          target={target}
          model={model}
          range={range}
          scope={scope}
          rules={rules}
        />
      ))}
    </div>
  );
}

function HistoryChart(props: {
  def: ChartDef;
  target: string;
  model: string;
  range: HistoryRange;
  scope: SeriesScope;
  rules: readonly Rule[];
}) {
  const { def, target, model, range, scope, rules } = props;
  const api = useApi();
  const lines = def.lines.filter((l) => l.history !== undefined);
  const results = useQueries({
    queries: lines.map((line) => historyQuery(api, { target, model, metric: line.history!, range })),
  });
  const responses = new Map<string, HistoryResponse>();
  results.forEach((r, i) => {
    const line = lines[i];
    if (line && r.data) responses.set(line.key, r.data);
  });
  const rows = historyRows(def, responses);
  const state = results.some((r) => r.isError)
    ? 'error'
    : results.some((r) => r.isPending)
      ? 'loading'
      : 'ready';
  const last = rows.at(-1)?.t ?? Date.now();
  const first = responses.values().next().value as HistoryResponse | undefined;
  const end = last + (first?.stepMs ?? 0);
  return (
    <MetricChart
      def={def}
      rows={rows}
      thresholds={thresholdsFor(def, rules, scope)}
      domain={[end - HISTORY_RANGE_MS[range], end]}
      span={SPAN_TEXT[range]}
      tickStyle={range === '7d' || range === '24h' ? 'day' : 'clock'}
      testId={`chart-${def.id}`}
      state={state}
    />
  );
}
