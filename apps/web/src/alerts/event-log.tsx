import { useInfiniteQuery } from '@tanstack/react-query';
import { useApi } from '../api/api-context.tsx';
import { type AlertEventFilter, alertEventsQuery } from '../api/queries.ts';
import { formatDateTime, formatDurationMs } from '../core/format.ts';
import { routeHref } from '../core/route.ts';
import { describeScope, METRIC_INFO } from './metric-info.ts';

/** Every transition, newest first, with how long a resolved alert was firing. */
export function EventLog({ filter }: { filter: AlertEventFilter }) {
  const api = useApi();
  const query = useInfiniteQuery(alertEventsQuery(api, filter));
  const events = query.data?.pages.flatMap((p) => p.events) ?? [];
  const filtered = Object.keys(filter).length > 0;
  return (
    <>
      {filtered && (
        <p className="notice">
          Showing events of{' '}
          {[
            filter.rule && `rule ${filter.rule}`,
            filter.target && `target ${filter.target}`,
            filter.model && `model ${filter.model}`,
          ]
            .filter(Boolean)
            .join(', ')}
          . <a href={routeHref({ page: 'alerts' })}>Show all</a>
        </p>
      )}
      {query.isPending && <p className="muted">Loading…</p>}
      {query.isError && <p className="field-error">The event log is not available: {query.error.message}</p>}
      {query.isSuccess && events.length === 0 && <p className="muted">No alert has changed state yet.</p>}
      {events.length > 0 && (
        <div className="table-wrap">
          <table className="data-table" data-testid="event-log">
            <caption className="visually-hidden">Alert events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Rule</th>
                <th scope="col">Scope</th>
                <th scope="col">Change</th>
                <th scope="col" className="num">
                  Value
                </th>
                <th scope="col" className="num">
                  Threshold
                </th>
                <th scope="col" className="num">
                  Firing for
                </th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => {
                const info = METRIC_INFO[e.metric];
                return (
                  <tr key={e.id} data-testid={`event-${e.id}`}>
                    <td className="nowrap">
                      <time dateTime={e.at}>{formatDateTime(e.at)}</time>
                    </td>
                    <th scope="row">
                      {e.ruleName} <span className={`badge severity-${e.severity}`}>{e.severity}</span>
                    </th>
                    <td>{describeScope(e.scope)}</td>
                    <td>
                      <span className={`badge state-${e.from}`}>{e.from.replace('_', ' ')}</span> →{' '}
                      <span className={`badge state-${e.to}`}>{e.to.replace('_', ' ')}</span>
                    </td>
                    <td className="num">{info.format(e.value)}</td>
                    <td className="num">{info.format(e.threshold)}</td>
                    <td className="num">
                      {e.durationMs === undefined ? '' : formatDurationMs(e.durationMs)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {query.hasNextPage && (
        <button
          type="button"
          className="button"
          onClick={() => void query.fetchNextPage()}
          disabled={query.isFetchingNextPage}
        >
          {query.isFetchingNextPage ? 'Loading…' : 'Older events'}
        </button>
      )}
    </>
  );
}
