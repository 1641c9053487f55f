import { useQuery } from '@tanstack/react-query';
import { useApi } from '../api/api-context.tsx';
import { snapshotQuery, targetsQuery } from '../api/queries.ts';
import { formatAgo, formatCount, formatMs, formatPercent } from '../core/format.ts';
import { routeHref } from '../core/route.ts';
import { errorRate } from '../core/stats.ts';
import { useNow } from '../live/live-context.tsx';
import { ChartsSection } from './charts-section.tsx';
import { ConcurrencyPanel } from './concurrency-panel.tsx';
import { WINDOW_OPTIONS } from './fleet-page.tsx';
import { Segmented } from './segmented.tsx';
import { StatsBlock } from './stats-block.tsx';
import { HealthBadge, LoadedModels } from './target-bits.tsx';
import { useWindowChoice } from './window-choice.ts';

/** One target: its stats, what it has loaded, its models, its probes, and its charts. */
export function TargetPage({ target: name }: { target: string }) {
  const api = useApi();
  const { data: snapshot } = useQuery(snapshotQuery(api));
  const { data: info } = useQuery(targetsQuery(api));
  const [window, setWindow] = useWindowChoice();
  const nowMs = useNow(5_000);
  const target = snapshot?.targets.find((t) => t.name === name);
  const probe = info?.targets.find((t) => t.name === name);
  if (!snapshot) return <p className="muted">Loading…</p>;
  if (!target) {
    return (
      <>
        <Breadcrumbs target={name} />
        <h1>{name}</h1>
        <p>
          No target named <strong>{name}</strong> is configured. <a href="#/">Back to the fleet</a>.
        </p>
      </>
    );
  }
  const models = Object.entries(target.models).sort(([a], [b]) => a.localeCompare(b));
  // The live snapshot first; a server that leaves it out of the snapshot may still list it.
  const concurrency = target.concurrency ?? probe?.concurrency;
  return (
    <>
      <Breadcrumbs target={name} />
      <div className="page-head">
        <h1>{name}</h1>
        <HealthBadge health={target.health} testId={`health-${name}`} />
        <span className="muted">{target.version ? `Ollama v${target.version}` : 'version unknown'}</span>
        <Segmented
          label="Window"
          options={WINDOW_OPTIONS}
          value={window}
          onChange={setWindow}
          testId="window-picker"
        />
      </div>
      <p className="muted">
        {target.url}
        {target.lastProbeAt && <> · probed {formatAgo(Date.parse(target.lastProbeAt), nowMs)}</>}
        {probe && (
          <>
            {' '}
            · limits: <span className="num">{target.maxConcurrent}</span> in flight,{' '}
            <span className="num">{probe.limits.maxQueue}</span> queued, queue timeout{' '}
            <span className="num">{formatMs(probe.limits.queueTimeoutMs)}</span>
          </>
        )}
      </p>
      {target.lastError && (
        <p className="target-error">
          Last probe error: <code>{target.lastError.code}</code> {target.lastError.message}
        </p>
      )}
      {probe?.lastGenerationProbe && (
        <p className="muted" data-testid="generation-probe">
          Generation probe on {probe.lastGenerationProbe.model}: {probe.lastGenerationProbe.status}
          {probe.lastGenerationProbe.ttftMs !== undefined && (
            <>, TTFT {formatMs(probe.lastGenerationProbe.ttftMs)}</>
          )}
          {probe.lastGenerationProbe.code && <> ({probe.lastGenerationProbe.code})</>} ·{' '}
          {formatAgo(Date.parse(probe.lastGenerationProbe.at), nowMs)}
        </p>
      )}
      <div className="two-col">
        <section
          className="card"
          aria-labelledby="target-stats-heading"
          data-testid={`target-detail-${name}`}
        >
          <h2 id="target-stats-heading">Application calls</h2>
          <StatsBlock
            stats={target.stats}
            window={window}
            testIdPrefix={`stat-${name}`}
            maxConcurrent={target.maxConcurrent}
            subject={name}
          />
        </section>
        <div className="card-stack">
          <section className="card" aria-labelledby="loaded-heading">
            <h2 id="loaded-heading">Loaded models</h2>
            <LoadedModels target={name} models={target.loadedModels} />
            {probe && probe.models.length > 0 && (
              <p className="muted small">Available: {probe.models.join(', ')}</p>
            )}
          </section>
          {concurrency && <ConcurrencyPanel target={name} concurrency={concurrency} />}
        </div>
      </div>
      <section className="card" aria-labelledby="models-heading">
        <h2 id="models-heading">Models called in the last 15 minutes</h2>
        {models.length === 0 ? (
          <p className="muted">No calls named a model in the last 15 minutes.</p>
        ) : (
          <div className="table-wrap">
            <table className="data-table">
              <caption className="visually-hidden">Per-model figures over the last {window}</caption>
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col" className="num">
                    Requests
                  </th>
                  <th scope="col" className="num">
                    Errors
                  </th>
                  <th scope="col" className="num">
                    Latency p95
                  </th>
                  <th scope="col" className="num">
                    TTFT p95
                  </th>
                  <th scope="col" className="num">
                    Timeouts
                  </th>
                </tr>
              </thead>
              <tbody>
                {models.map(([model, stats]) => {
                  const w = stats.windows[window];
                  return (
                    <tr key={model} data-testid={`model-row-${model}`}>
                      <th scope="row">
                        <a href={routeHref({ page: 'model', target: name, model })}>{model}</a>
                      </th>
                      <td className="num">{formatCount(w.requests)}</td>
                      <td className="num">{formatPercent(errorRate(w))}</td>
                      <td className="num">{formatMs(w.latencyMs?.p95)}</td>
                      <td className="num">{formatMs(w.ttftMs?.p95)}</td>
                      <td className="num">{formatCount(w.timeouts)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <ChartsSection scope={{ kind: 'target', target: name }} title={`${name} over time`} />
    </>
  );
}

export function Breadcrumbs({ target, model }: { target: string; model?: string }) {
  return (
    <nav aria-label="Breadcrumb" className="breadcrumbs">
      <ol>
        <li>
          <a href="#/">Fleet</a>
        </li>
        <li>
          {model === undefined ? (
            <span aria-current="page">{target}</span>
          ) : (
            <a href={routeHref({ page: 'target', target })}>{target}</a>
          )}
        </li>
        {model !== undefined && (
          <li>
            <span aria-current="page">{model}</span>
          </li>
        )}
      </ol>
    </nav>
  );
}
