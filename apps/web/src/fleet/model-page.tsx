import { useQuery } from '@tanstack/react-query';
import { useApi } from '../api/api-context.tsx';
import { snapshotQuery } from '../api/queries.ts';
import { formatBytes } from '../core/format.ts';
import { routeHref } from '../core/route.ts';
import { ChartsSection } from './charts-section.tsx';
import { WINDOW_OPTIONS } from './fleet-page.tsx';
import { Segmented } from './segmented.tsx';
import { StatsBlock } from './stats-block.tsx';
import { Breadcrumbs } from './target-page.tsx';
import { useWindowChoice } from './window-choice.ts';

/** One model on one target. */
export function ModelPage({ target: targetName, model }: { target: string; model: string }) {
  const api = useApi();
  const { data: snapshot } = useQuery(snapshotQuery(api));
  const [window, setWindow] = useWindowChoice();
  if (!snapshot) return <p className="muted">Loading…</p>;
  const target = snapshot.targets.find((t) => t.name === targetName);
  const stats = target?.models[model];
  const loaded = target?.loadedModels.find((m) => m.name === model);
  return (
    <>
      <Breadcrumbs target={targetName} model={model} />
      <div className="page-head">
        <h1>
          {model} <span className="muted">on {targetName}</span>
        </h1>
        <Segmented
          label="Window"
          options={WINDOW_OPTIONS}
          value={window}
          onChange={setWindow}
          testId="window-picker"
        />
      </div>
      <p className="muted">
        {loaded
          ? `Loaded: ${formatBytes(loaded.sizeVramBytes)} in VRAM of ${formatBytes(loaded.sizeBytes)}`
          : 'Not loaded now'}{' '}
        · <a href={routeHref({ page: 'test-prompt' })}>Send a test prompt</a>
      </p>
      <section className="card" aria-labelledby="model-stats-heading" data-testid="model-detail">
        <h2 id="model-stats-heading">Application calls</h2>
        {stats ? (
          <StatsBlock
            stats={stats}
            window={window}
            testIdPrefix="model-stat"
            subject={`${model} on ${targetName}`}
          />
        ) : (
          <p className="muted">
            No call to {model} on {targetName} in the last 15 minutes.
          </p>
        )}
      </section>
      <ChartsSection scope={{ kind: 'model', target: targetName, model }} title={`${model} over time`} />
    </>
  );
}
