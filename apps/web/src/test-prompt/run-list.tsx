import { useQuery } from '@tanstack/react-query';
import { useApi } from '../api/api-context.tsx';
import { testPromptRunsQuery } from '../api/queries.ts';
import { formatDateTime } from '../core/format.ts';
import { routeHref } from '../core/route.ts';
import { statusText } from './run-view.tsx';

/** Earlier runs, newest first. */
export function RunList({ current }: { current: string | undefined }) {
  const api = useApi();
  const runs = useQuery(testPromptRunsQuery(api));
  if (runs.isPending) return <p className="muted">Loading…</p>;
  if (runs.isError)
    return <p className="field-error">Earlier runs are not available: {runs.error.message}</p>;
  if (runs.data.runs.length === 0) return <p className="muted">No run yet.</p>;
  return (
    <div className="table-wrap">
      <table className="data-table" data-testid="test-prompt-runs">
        <caption className="visually-hidden">Earlier test prompt runs, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Model</th>
            <th scope="col">Target</th>
            <th scope="col">Prompt</th>
            <th scope="col" className="num">
              Result
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.data.runs.map((run) => (
            <tr key={run.runId} className={run.runId === current ? 'is-highlighted' : undefined}>
              <td className="nowrap">
                <a href={routeHref({ page: 'test-prompt', runId: run.runId })}>
                  {formatDateTime(run.startedAt)}
                </a>
              </td>
              <td>{run.model}</td>
              <td>{run.target ?? <span className="muted">routed</span>}</td>
              <td className="prompt-cell">{run.prompt}</td>
              <td className={`num run-result-${run.status}`}>{statusText(run)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
