import type { Snapshot, Stats } from '@lookout/contracts';
import { errorRate } from './stats.ts';
import { createStore, type ReadableStore } from './store.ts';

/** One second of a scope's live picture, from the sliding 1-minute window and the gauges. */
export interface SeriesPoint {
  readonly atMs: number;
  readonly queueDepth: number;
  readonly inFlight: number;
  /** The target's concurrency limit at that second; null for the fleet and for models. */
  readonly maxConcurrent: number | null;
  readonly latencyP50Ms: number | null;
  readonly latencyP95Ms: number | null;
  readonly latencyP99Ms: number | null;
  readonly ttftP50Ms: number | null;
  readonly ttftP95Ms: number | null;
  readonly ttftP99Ms: number | null;
  /** Timeouts in the last minute. */
  readonly timeoutsPerMin: number;
  readonly requestsPerMin: number;
  readonly tokensPerSecP50: number | null;
  readonly errorRate: number | null;
}

/** Which part of the fleet a series follows. */
export type SeriesScope =
  | { readonly kind: 'fleet' }
  | { readonly kind: 'target'; readonly target: string }
  | { readonly kind: 'model'; readonly target: string; readonly model: string };

export function scopeKey(scope: SeriesScope): string {
  switch (scope.kind) {
    case 'fleet':
      return 'fleet';
    case 'target':
      return `target\u0000${scope.target}`;
    case 'model':
      return `model\u0000${scope.target}\u0000${scope.model}`;
  }
}

export function pointOf(stats: Stats, atMs: number, maxConcurrent: number | null = null): SeriesPoint {
  const w = stats.windows['1m'];
  return {
    atMs,
    queueDepth: stats.queueDepth,
    inFlight: stats.inFlight,
    maxConcurrent,
    latencyP50Ms: w.latencyMs?.p50 ?? null,
    latencyP95Ms: w.latencyMs?.p95 ?? null,
    latencyP99Ms: w.latencyMs?.p99 ?? null,
    ttftP50Ms: w.ttftMs?.p50 ?? null,
    ttftP95Ms: w.ttftMs?.p95 ?? null,
    ttftP99Ms: w.ttftMs?.p99 ?? null,
    timeoutsPerMin: w.timeouts,
    requestsPerMin: w.requests,
    tokensPerSecP50: w.tokensPerSec?.p50 ?? null,
    errorRate: errorRate(w),
  };
}

/** A fixed-size circular buffer: pushing past capacity drops the oldest. */
export class Ring<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.size;
  }

  push(item: T): void {
    const end = (this.start + this.size) % this.capacity;
    this.items[end] = item;
    if (this.size < this.capacity) this.size++;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** Replaces the newest item (there must be one). */
  replaceLast(item: T): void {
    this.items[(this.start + this.size - 1) % this.capacity] = item;
  }

  last(): T | undefined {
    return this.size === 0 ? undefined : this.items[(this.start + this.size - 1) % this.capacity];
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.items[(this.start + i) % this.capacity] as T);
    return out;
  }
}

export interface SeriesRingOptions {
  /** How far back the live charts reach. */
  readonly spanMs?: number;
  /** Points kept per scope; one a second covers the span with room for resync snapshots. */
  readonly capacity?: number;
}

/**
 * The last 15 minutes of the fleet, each target and each of their models, one point per snapshot or
 * applied delta (the server sends one a second). Fed by the live connection; read by the live charts.
 */
export class SeriesRing {
  readonly spanMs: number;
  private readonly capacity: number;
  private readonly rings = new Map<string, Ring<SeriesPoint>>();
  private readonly versionStore = createStore(0);

  constructor(options: SeriesRingOptions = {}) {
    this.spanMs = options.spanMs ?? 15 * 60_000;
    this.capacity = options.capacity ?? Math.ceil(this.spanMs / 1000) + 60;
  }

  /** Bumped on every push: subscribe to redraw. */
  get version(): ReadableStore<number> {
    return this.versionStore;
  }

  push(snapshot: Snapshot): void {
    const atMs = Date.parse(snapshot.at);
    if (!Number.isFinite(atMs)) return;
    this.add('fleet', pointOf(snapshot.fleet, atMs));
    for (const target of snapshot.targets) {
      this.add(
        scopeKey({ kind: 'target', target: target.name }),
        pointOf(target.stats, atMs, target.maxConcurrent),
      );
      for (const [model, stats] of Object.entries(target.models)) {
        this.add(scopeKey({ kind: 'model', target: target.name, model }), pointOf(stats, atMs));
      }
    }
    this.forgetQuietScopes(atMs);
    this.versionStore.set(this.versionStore.get() + 1);
  }

  /** The points of `scope` within the span before the newest point, oldest first. */
  series(scope: SeriesScope): SeriesPoint[] {
    const ring = this.rings.get(scopeKey(scope));
    if (!ring) return [];
    const points = ring.toArray();
    const newest = points.at(-1)?.atMs ?? 0;
    return points.filter((p) => p.atMs > newest - this.spanMs);
  }

  clear(): void {
    this.rings.clear();
    this.versionStore.set(this.versionStore.get() + 1);
  }

  private add(key: string, point: SeriesPoint): void {
    let ring = this.rings.get(key);
    if (!ring) {
      ring = new Ring<SeriesPoint>(this.capacity);
      this.rings.set(key, ring);
    }
    const last = ring.last();
    // A resync snapshot can carry the time of the last delta: one point per instant.
    if (last && point.atMs <= last.atMs) {
      if (point.atMs === last.atMs) ring.replaceLast(point);
      return;
    }
    ring.push(point);
  }

  /** Drops the series of targets and models not seen for a whole span (they left the fleet). */
  private forgetQuietScopes(nowMs: number): void {
    for (const [key, ring] of this.rings) {
      const last = ring.last();
      if (last && last.atMs <= nowMs - this.spanMs) this.rings.delete(key);
    }
  }
}
