import type { Quantiles, Stats, WindowName } from '@lookout/contracts';
import { formatCount, formatMs, formatPercent, formatRate } from '../core/format.ts';
import { errorCount, errorRate, otherFailures, timeoutsByKind } from '../core/stats.ts';

export interface StatsBlockProps {
  readonly stats: Stats;
  readonly window: WindowName;
  /** Prefix of every `data-testid`, e.g. `stat-gpu-a` gives `stat-gpu-a-p95`. */
  readonly testIdPrefix: string;
  /** `in flight of max` when the limit is known. */
  readonly maxConcurrent?: number;
  /** What the numbers are about, for the tables' captions (`gpu-a`, `the fleet`). */
  readonly subject: string;
}

/** A number with its raw value kept on the element, so what is shown can be checked against the snapshot. */
export function Num({ value, text, testId }: { value: number | null; text: string; testId: string }) {
  return (
    <span className="num" data-testid={testId} data-value={value === null ? '' : String(value)}>
      {text}
    </span>
  );
}

/** The figures of one Stats over one window: gauges, rates, percentiles with their sample counts, timeouts by kind. */
export function StatsBlock({ stats, window, testIdPrefix, maxConcurrent, subject }: StatsBlockProps) {
  const w = stats.windows[window];
  const rate = errorRate(w);
  const id = (key: string) => `${testIdPrefix}-${key}`;
  return (
    <div className="stats-block">
      <div className="stats-inner">
        <dl className="figures">
          <div>
            <dt>Queue</dt>
            <dd>
              <Num value={stats.queueDepth} text={formatCount(stats.queueDepth)} testId={id('queue')} />
            </dd>
          </div>
          <div>
            <dt>In flight</dt>
            <dd>
              <Num value={stats.inFlight} text={formatCount(stats.inFlight)} testId={id('inflight')} />
              {maxConcurrent !== undefined && (
                <span className="of">
                  {' '}
                  of <Num value={maxConcurrent} text={formatCount(maxConcurrent)} testId={id('max')} />
                </span>
              )}
            </dd>
          </div>
          <div>
            <dt>Requests</dt>
            <dd>
              <Num value={w.requests} text={formatCount(w.requests)} testId={id('requests')} />
            </dd>
          </div>
          <div>
            <dt>Errors</dt>
            <dd title={`${errorCount(w)} of ${w.requests} calls`}>
              <Num value={rate} text={formatPercent(rate)} testId={id('error-rate')} />
            </dd>
          </div>
          <div>
            <dt title="tokens per second, median">Tok/s p50</dt>
            <dd>
              <Num
                value={w.tokensPerSec?.p50 ?? null}
                text={formatRate(w.tokensPerSec?.p50)}
                testId={id('tokens-per-sec')}
              />
            </dd>
          </div>
        </dl>
        <div className="stats-side">
          <table className="quantiles">
            <caption className="visually-hidden">
              Percentiles of {subject} over the last {window}
            </caption>
            <thead>
              <tr>
                <td />
                <th scope="col">p50</th>
                <th scope="col">p95</th>
                <th scope="col">p99</th>
                <th scope="col" title="samples">
                  n
                </th>
              </tr>
            </thead>
            <tbody>
              <QuantileRow label="Latency" q={w.latencyMs} id={(k) => id(k)} />
              <QuantileRow label="TTFT" q={w.ttftMs} id={(k) => id(`ttft-${k}`)} />
              <QuantileRow label="Queue wait" q={w.queueWaitMs} id={(k) => id(`queue-wait-${k}`)} />
            </tbody>
          </table>
          <div className="timeouts">
            <span className="timeouts-label">
              Timeouts <Num value={w.timeouts} text={formatCount(w.timeouts)} testId={id('timeouts')} />
            </span>
            <ul aria-label="Timeouts by kind">
              {timeoutsByKind(w).map((t) => (
                <li key={t.kind} className={t.count > 0 ? 'is-nonzero' : undefined}>
                  {t.label}{' '}
                  <Num value={t.count} text={formatCount(t.count)} testId={id(t.kind.replaceAll('_', '-'))} />
                </li>
              ))}
            </ul>
          </div>
          <OtherFailures stats={stats} window={window} />
        </div>
      </div>
    </div>
  );
}

function QuantileRow({ label, q, id }: { label: string; q: Quantiles | null; id: (key: string) => string }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>
        <Num value={q?.p50 ?? null} text={formatMs(q?.p50)} testId={id('p50')} />
      </td>
      <td>
        <Num value={q?.p95 ?? null} text={formatMs(q?.p95)} testId={id('p95')} />
      </td>
      <td>
        <Num value={q?.p99 ?? null} text={formatMs(q?.p99)} testId={id('p99')} />
      </td>
      <td className="count">
        <Num value={q?.count ?? 0} text={formatCount(q?.count ?? 0)} testId={id('count')} />
      </td>
    </tr>
  );
}

function OtherFailures({ stats, window }: { stats: Stats; window: WindowName }) {
  const failures = otherFailures(stats.windows[window]);
  if (failures.length === 0) return null;
  return (
    <p className="other-failures">
      Other failures:{' '}
      {failures.map((f, i) => (
        <span key={f.outcome}>
          {i > 0 && ' · '}
          {f.outcome.replace(/_/g, ' ')} <span className="num">{formatCount(f.count)}</span>
        </span>
      ))}
    </p>
  );
}
