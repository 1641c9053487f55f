import type { TargetState, WindowName } from '@lookout/contracts';
import { memo } from 'react';
import { routeHref } from '../core/route.ts';
import { StatsBlock } from './stats-block.tsx';
import { HealthBadge, LimitChip, LoadedModels } from './target-bits.tsx';

/** One target at a glance. Memoized: the cache keeps unchanged targets identical between deltas. */
export const TargetCard = memo(function TargetCard({
  target,
  window,
}: {
  target: TargetState;
  window: WindowName;
}) {
  const headingId = `target-${target.name}-heading`;
  return (
    <article
      className={`card target-card health-border-${target.health}`}
      aria-labelledby={headingId}
      data-testid={`target-card-${target.name}`}
    >
      <header className="card-header">
        <h2 id={headingId}>
          <a href={routeHref({ page: 'target', target: target.name })}>{target.name}</a>
        </h2>
        <HealthBadge health={target.health} testId={`health-${target.name}`} />
        <span className="version muted" data-testid={`version-${target.name}`}>
          {target.version ? `v${target.version}` : 'version unknown'}
        </span>
      </header>
      <div className="card-meta">
        <p className="url muted" title={target.url}>
          {target.url}
        </p>
        {target.concurrency && <LimitChip target={target.name} concurrency={target.concurrency} />}
      </div>
      {target.lastError && target.health !== 'up' && (
        <p className="target-error" data-testid={`error-${target.name}`}>
          <code>{target.lastError.code}</code> {target.lastError.message}
        </p>
      )}
      <StatsBlock
        stats={target.stats}
        window={window}
        testIdPrefix={`stat-${target.name}`}
        maxConcurrent={target.maxConcurrent}
        subject={target.name}
      />
      <LoadedModels target={target.name} models={target.loadedModels} />
    </article>
  );
});
