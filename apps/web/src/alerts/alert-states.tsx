import type { AlertState } from '@lookout/contracts';
import { useState } from 'react';
import { formatAgo, formatClock } from '../core/format.ts';
import { useNow } from '../live/live-context.tsx';
import { describeScope, METRIC_INFO } from './metric-info.ts';

const ORDER = { firing: 0, pending: 1, no_data: 2, ok: 3 } as const;

/** Where every alert stands now (from the live snapshot): firing first. */
export function AlertStates({ states }: { states: readonly AlertState[] }) {
  const nowMs = useNow(5_000);
  const [showOk, setShowOk] = useState(false);
  if (states.length === 0) return <p className="muted">No alert is being evaluated (no enabled rule).</p>;
  const ok = states.filter((s) => s.state === 'ok').length;
  const sorted = [...states]
    .filter((s) => showOk || s.state !== 'ok')
    .sort((a, b) => ORDER[a.state] - ORDER[b.state] || a.ruleName.localeCompare(b.ruleName));
  return (
    <>
      {sorted.length === 0 && <p className="muted">All {ok} alerts are ok.</p>}
      {sorted.length > 0 && (
        <div className="table-wrap">
          <table className="data-table" data-testid="alert-states">
            <caption className="visually-hidden">Alerts now</caption>
            <thead>
              <tr>
                <th scope="col">State</th>
                <th scope="col">Rule</th>
                <th scope="col">Scope</th>
                <th scope="col" className="num">
                  Value
                </th>
                <th scope="col" className="num">
                  Threshold
                </th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((s) => {
                const info = METRIC_INFO[s.metric];
                return (
                  <tr key={`${s.ruleId}|${s.scope.target}|${s.scope.model}`} data-state={s.state}>
                    <td>
                      <span className={`badge state-${s.state}`}>{s.state.replace('_', ' ')}</span>
                      {s.silencedUntil && (
                        <span className="muted small"> silenced until {formatClock(s.silencedUntil)}</span>
                      )}
                    </td>
                    <th scope="row">{s.ruleName}</th>
                    <td>{describeScope(s.scope)}</td>
                    <td className="num">{info.format(s.value)}</td>
                    <td className="num">{info.format(s.threshold)}</td>
                    <td>
                      <time dateTime={s.since}>{formatAgo(Date.parse(s.since), nowMs)}</time>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {ok > 0 && (
        <button
          type="button"
          className="link-button"
          onClick={() => setShowOk(!showOk)}
          aria-expanded={showOk}
        >
          {showOk ? `Hide the ${ok} that are ok` : `Show the ${ok} that are ok`}
        </button>
      )}
    </>
  );
}
