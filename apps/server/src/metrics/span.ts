import { CallAggregate } from './aggregate.ts';
import type { CallSource } from './call-events.ts';
import type { SeriesStore } from './series.ts';

/** The calls of one (target, model, source) that ended within a span of slots, merged. */
export interface SeriesSpan {
  readonly target: string;
  readonly model: string;
  readonly source: CallSource;
  /** Counts by outcome (indexed as `OUTCOMES`) and one sketch per measure (indexed as `MEASURES`). */
  readonly aggregate: CallAggregate;
}

/**
 * Every series with calls ending in slots [fromSlot, toSlot), each merged into a fresh aggregate (the
 * caller owns it). A slot is kept until the ring reuses its place, 15 minutes later or more.
 */
export function aggregateSpan(store: SeriesStore, fromSlot: number, toSlot: number): SeriesSpan[] {
  const spans: SeriesSpan[] = [];
  if (toSlot <= fromSlot) return spans;
  const lastSlot = toSlot - 1;
  for (const series of store.all()) {
    if (!series.ring.hasRecent(lastSlot)) continue;
    const aggregate = new CallAggregate();
    series.ring.mergeSlots(aggregate, lastSlot, 0, toSlot - fromSlot);
    if (aggregate.requests === 0) continue;
    spans.push({ target: series.target, model: series.model, source: series.source, aggregate });
  }
  return spans;
}
