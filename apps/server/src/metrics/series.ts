import { OUTCOMES } from '@lookout/contracts';
import { MEASURE_COUNT } from './aggregate.ts';
import type { CallSource } from './call-events.ts';
import { SlotRing } from './slots.ts';

/** Where a source's series sits in `ModelSeries.bySource`. */
export const SOURCE_INDEX: Readonly<Record<CallSource, number>> = { app: 0, probe: 1, test_prompt: 2 };

/** Model label for calls whose request had no `model` field (e.g. `/api/tags`). */
export const NO_MODEL = '';
/** Target label for calls that never reached a target (e.g. a bad request). */
export const NO_TARGET = '';
/** Model label that absorbs new models once a target has `maxModelsPerTarget` of them. */
export const OTHER_MODEL = '(other)';
const MAX_LABEL_CHARS = 200;

/** Everything counted for one (target, model, source). */
export class Series {
  /** Sliding windows of the last 15 minutes. */
  readonly ring = new SlotRing();
  /** Calls by outcome since start (Prometheus counters). */
  readonly outcomeTotals = new Float64Array(OUTCOMES.length);
  /** Per measure: values seen and their sum since start (Prometheus summary `_count` and `_sum`). */
  readonly measureCounts = new Float64Array(MEASURE_COUNT);
  readonly measureSums = new Float64Array(MEASURE_COUNT);

  constructor(
    readonly target: string,
    readonly model: string,
    readonly source: CallSource,
  ) {}

  /** Counts one ended call in `slot`; returns false when the slot had aged out (totals still count). */
  record(slot: number, outcomeIndex: number, measures: ArrayLike<number>): boolean {
    this.outcomeTotals[outcomeIndex]! += 1;
    for (let m = 0; m < MEASURE_COUNT; m++) {
      const value = measures[m]!;
      if (Number.isNaN(value)) continue;
      this.measureCounts[m]! += 1;
      this.measureSums[m]! += value;
    }
    return this.ring.record(slot, outcomeIndex, measures);
  }
}

/** The series of one model on one target, by source. */
export class ModelSeries {
  readonly bySource: (Series | undefined)[] = [undefined, undefined, undefined];
}

/**
 * All series, keyed target -> model -> source. Series are kept for the life of the process (their
 * totals are Prometheus counters); the number of models per target is capped so that arbitrary
 * `model` strings from clients cannot grow it without bound.
 */
export class SeriesStore {
  readonly targets = new Map<string, Map<string, ModelSeries>>();

  constructor(private readonly maxModelsPerTarget: number) {}

  get(target: string, model: string, source: CallSource): Series {
    let models = this.targets.get(target);
    if (!models) {
      models = new Map();
      this.targets.set(target, models);
    }
    let modelSeries = models.get(model);
    if (!modelSeries) {
      const label = model.length > MAX_LABEL_CHARS ? model.slice(0, MAX_LABEL_CHARS) : model;
      const capped = models.size >= this.maxModelsPerTarget && !models.has(label) ? OTHER_MODEL : label;
      modelSeries = models.get(capped);
      if (!modelSeries) {
        modelSeries = new ModelSeries();
        models.set(capped, modelSeries);
      }
      model = capped;
    }
    const index = SOURCE_INDEX[source];
    let series = modelSeries.bySource[index];
    if (!series) {
      series = new Series(target, model, source);
      modelSeries.bySource[index] = series;
    }
    return series;
  }

  /** Every series, in insertion order. */
  *all(): IterableIterator<Series> {
    for (const models of this.targets.values()) {
      for (const modelSeries of models.values()) {
        for (const series of modelSeries.bySource) if (series) yield series;
      }
    }
  }

  get size(): number {
    let n = 0;
    for (const _ of this.all()) n++;
    return n;
  }
}
