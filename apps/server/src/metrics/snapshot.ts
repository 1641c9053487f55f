import type { AlertState, Snapshot, Stats, TargetState } from '@lookout/contracts';
import type { WindowSet } from './aggregate.ts';
import { emptyWindowSet, mergeWindowSet } from './aggregate.ts';
import type { SeriesStore } from './series.ts';
import { NO_MODEL, SOURCE_INDEX } from './series.ts';
import type { ModelGauges, TargetGauges, TargetInfoSource } from './types.ts';

export interface SnapshotInput {
  readonly store: SeriesStore;
  readonly gauges: readonly TargetGauges[];
  readonly targetInfo: TargetInfoSource | undefined;
  readonly nowSlot: number;
  readonly atIso: string;
  readonly alerts: readonly AlertState[];
}

function toStats(windows: WindowSet, queueDepth: number, inFlight: number): Stats {
  return {
    queueDepth,
    inFlight,
    windows: {
      '1m': windows['1m'].toWindow(),
      '5m': windows['5m'].toWindow(),
      '15m': windows['15m'].toWindow(),
    },
  };
}

/**
 * The dashboard snapshot over application traffic only (source "app"). Targets are the configured
 * ones, in the gauge source's order; models are those with calls in the last 15 minutes or with calls
 * queued or in flight now. The fleet merges every target's windows, calls that reached no target
 * included; target stats merge their models' windows, calls without a model included.
 */
export function buildSnapshot(input: SnapshotInput): Snapshot {
  const { store, nowSlot } = input;
  const fleet = emptyWindowSet();
  const perTarget = new Map<string, { windows: WindowSet; models: Map<string, WindowSet> }>();
  for (const [target, models] of store.targets) {
    const windows = emptyWindowSet();
    const modelWindows = new Map<string, WindowSet>();
    for (const [model, modelSeries] of models) {
      const series = modelSeries.bySource[SOURCE_INDEX.app];
      if (!series?.ring.hasRecent(nowSlot)) continue;
      const w = series.ring.windows(nowSlot);
      mergeWindowSet(windows, w);
      if (model !== NO_MODEL) modelWindows.set(model, w);
    }
    mergeWindowSet(fleet, windows);
    perTarget.set(target, { windows, models: modelWindows });
  }

  let fleetQueueDepth = 0;
  let fleetInFlight = 0;
  const targets: TargetState[] = input.gauges.map((gauge) => {
    fleetQueueDepth += gauge.queueDepth;
    fleetInFlight += gauge.inFlight;
    const seen = perTarget.get(gauge.name);
    const models: Record<string, Stats> = {};
    const modelGauges: Readonly<Record<string, ModelGauges>> = gauge.models ?? {};
    for (const [model, w] of seen?.models ?? []) {
      const g = modelGauges[model];
      models[model] = toStats(w, g?.queueDepth ?? 0, g?.inFlight ?? 0);
    }
    for (const [model, g] of Object.entries(modelGauges)) {
      if (models[model] || (g.queueDepth === 0 && g.inFlight === 0)) continue;
      models[model] = toStats(emptyWindowSet(), g.queueDepth, g.inFlight);
    }
    const info = input.targetInfo?.info(gauge.name);
    const state: TargetState = {
      name: gauge.name,
      url: gauge.url,
      health: info?.health ?? 'unknown',
      loadedModels: info?.loadedModels ?? [],
      queueDepth: gauge.queueDepth,
      inFlight: gauge.inFlight,
      maxConcurrent: gauge.maxConcurrent,
      stats: toStats(seen?.windows ?? emptyWindowSet(), gauge.queueDepth, gauge.inFlight),
      models,
    };
    if (gauge.concurrency !== undefined) state.concurrency = gauge.concurrency;
    if (info?.version !== undefined) state.version = info.version;
    if (info?.lastProbeAt !== undefined) state.lastProbeAt = info.lastProbeAt;
    if (info?.lastError !== undefined) state.lastError = info.lastError;
    return state;
  });

  return {
    at: input.atIso,
    targets,
    fleet: toStats(fleet, fleetQueueDepth, fleetInFlight),
    alerts: [...input.alerts],
  };
}
