import { lazy, Suspense } from 'react';
import type { SeriesScope } from '../core/series-ring.ts';

// recharts is the largest dependency: loaded after the numbers are on screen.
const ChartsPanel = lazy(() => import('../charts/charts-panel.tsx'));

export function ChartsSection({ scope, title }: { scope: SeriesScope; title: string }) {
  return (
    <section className="charts-section" aria-labelledby="charts-heading">
      <h2 id="charts-heading">{title}</h2>
      <Suspense fallback={<p className="muted chart-loading">Loading charts…</p>}>
        <ChartsPanel scope={scope} />
      </Suspense>
    </section>
  );
}
