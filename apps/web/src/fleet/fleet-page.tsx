import { WINDOW_NAMES } from '@lookout/contracts';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../api/api-context.tsx';
import { snapshotQuery } from '../api/queries.ts';
import { formatClock } from '../core/format.ts';
import { ChartsSection } from './charts-section.tsx';
import { Segmented } from './segmented.tsx';
import { StatsBlock } from './stats-block.tsx';
import { TargetCard } from './target-card.tsx';
import { useWindowChoice } from './window-choice.ts';

export const WINDOW_OPTIONS = WINDOW_NAMES.map((w) => ({ value: w, label: w }));

/** The fleet: a summary, one card per target, and the charts. */
export function FleetPage() {
  const api = useApi();
  const { data: snapshot } = useQuery(snapshotQuery(api));
  const [window, setWindow] = useWindowChoice();
  if (!snapshot) return <p className="muted">Loading…</p>;
  const up = snapshot.targets.filter((t) => t.health === 'up').length;
  return (
    <>
      <div className="page-head">
        <h1>Fleet</h1>
        <p className="muted" data-testid="fleet-summary-line">
          <span className="num">{up}</span> of <span className="num">{snapshot.targets.length}</span> targets
          up · as of{' '}
          <time dateTime={snapshot.at} className="num">
            {formatClock(snapshot.at)}
          </time>
        </p>
        <Segmented
          label="Window"
          options={WINDOW_OPTIONS}
          value={window}
          onChange={setWindow}
          testId="window-picker"
        />
      </div>
      <section className="card fleet-card" aria-labelledby="fleet-heading" data-testid="fleet-card">
        <h2 id="fleet-heading">All application calls</h2>
        <StatsBlock stats={snapshot.fleet} window={window} testIdPrefix="fleet-stat" subject="the fleet" />
      </section>
      <section aria-label="Targets" className="card-grid">
        {snapshot.targets.map((target) => (
          <TargetCard key={target.name} target={target} window={window} />
        ))}
        {snapshot.targets.length === 0 && <p className="muted">No targets configured.</p>}
      </section>
      <ChartsSection scope={{ kind: 'fleet' }} title="Fleet over time" />
    </>
  );
}
