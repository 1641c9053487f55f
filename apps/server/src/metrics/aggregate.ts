import type { Outcome, Quantiles, Window } from '@lookout/contracts';
import { OUTCOMES, TIMEOUT_OUTCOMES } from '@lookout/contracts';
import { QuantileSketch } from './sketch.ts';

/** The measures kept as sketches, in their fixed order. */
export const MEASURES = ['latencyMs', 'ttftMs', 'queueWaitMs', 'tokensPerSec'] as const;
export type Measure = (typeof MEASURES)[number];
export const MEASURE_COUNT = MEASURES.length;

export const OUTCOME_INDEX: Readonly<Record<Outcome, number>> = Object.fromEntries(
  OUTCOMES.map((o, i) => [o, i]),
) as Record<Outcome, number>;
const TIMEOUT_INDEXES = TIMEOUT_OUTCOMES.map((o) => OUTCOME_INDEX[o]);

/** Counts and sketches of the calls that ended in some span of time (one slot, or a merged window). */
export class CallAggregate {
  requests = 0;
  readonly outcomes = new Float64Array(OUTCOMES.length);
  /** One sketch per measure, created on first use. */
  readonly sketches: (QuantileSketch | null)[] = [null, null, null, null];

  /**
   * Counts one call. NaN measures are absent (e.g. no first token); `keys[m]` is `bucketKey` of each
   * present measure, computed once by the caller for every aggregate the call goes to.
   */
  recordKeyed(outcomeIndex: number, measures: ArrayLike<number>, keys: ArrayLike<number>): void {
    this.requests += 1;
    this.outcomes[outcomeIndex]! += 1;
    for (let m = 0; m < MEASURE_COUNT; m++) {
      const value = measures[m]!;
      if (Number.isNaN(value)) continue;
      let sketch = this.sketches[m];
      if (!sketch) {
        sketch = new QuantileSketch();
        this.sketches[m] = sketch;
      }
      sketch.addKeyed(value, keys[m]!);
    }
  }

  merge(other: CallAggregate): void {
    if (other.requests === 0) return;
    this.requests += other.requests;
    for (let i = 0; i < this.outcomes.length; i++) this.outcomes[i]! += other.outcomes[i]!;
    for (let m = 0; m < MEASURE_COUNT; m++) {
      const from = other.sketches[m];
      if (!from || from.count === 0) continue;
      let sketch = this.sketches[m];
      if (!sketch) {
        sketch = new QuantileSketch();
        this.sketches[m] = sketch;
      }
      sketch.merge(from);
    }
  }

  clone(): CallAggregate {
    const copy = new CallAggregate();
    copy.merge(this);
    return copy;
  }

  /**
   * Removes a part merged in before (exact). Returns a bit per measure (1 << m) whose min or max may
   * have been in the part: the caller sets those again (`QuantileSketch.setMinMax`) from what remains.
   */
  subtract(other: CallAggregate): number {
    if (other.requests === 0) return 0;
    this.requests -= other.requests;
    for (let i = 0; i < this.outcomes.length; i++) this.outcomes[i]! -= other.outcomes[i]!;
    let stale = 0;
    for (let m = 0; m < MEASURE_COUNT; m++) {
      const from = other.sketches[m];
      const sketch = this.sketches[m];
      if (!from || from.count === 0 || !sketch) continue;
      if (from.min <= sketch.min || from.max >= sketch.max) stale |= 1 << m;
      sketch.subtract(from);
    }
    return stale;
  }

  reset(): void {
    this.requests = 0;
    this.outcomes.fill(0);
    for (const sketch of this.sketches) sketch?.reset();
  }

  /** The wire form of this aggregate. */
  toWindow(): Window {
    const outcomes = {} as Record<Outcome, number>;
    for (let i = 0; i < OUTCOMES.length; i++) outcomes[OUTCOMES[i]!] = this.outcomes[i]!;
    let timeouts = 0;
    for (const i of TIMEOUT_INDEXES) timeouts += this.outcomes[i]!;
    return {
      requests: this.requests,
      outcomes,
      timeouts,
      latencyMs: quantilesOf(this.sketches[0]),
      ttftMs: quantilesOf(this.sketches[1]),
      queueWaitMs: quantilesOf(this.sketches[2]),
      tokensPerSec: quantilesOf(this.sketches[3]),
    };
  }
}

const SNAPSHOT_QS = [0.5, 0.9, 0.95, 0.99];

/** Rounds to 1/1000 of the unit: far below the sketch's 1% error, and keeps the JSON short. */
function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export function quantilesOf(sketch: QuantileSketch | null | undefined): Quantiles | null {
  if (!sketch || sketch.count === 0) return null;
  const q: number[] = [];
  sketch.quantilesInto(SNAPSHOT_QS, q);
  return {
    count: sketch.count,
    p50: round3(q[0]!),
    p90: round3(q[1]!),
    p95: round3(q[2]!),
    p99: round3(q[3]!),
    max: round3(sketch.max),
  };
}

/** The three windows of one series (or of a merge of series). */
export interface WindowSet {
  readonly '1m': CallAggregate;
  readonly '5m': CallAggregate;
  readonly '15m': CallAggregate;
}

export function emptyWindowSet(): WindowSet {
  return { '1m': new CallAggregate(), '5m': new CallAggregate(), '15m': new CallAggregate() };
}

export function mergeWindowSet(into: WindowSet, from: WindowSet): void {
  into['1m'].merge(from['1m']);
  into['5m'].merge(from['5m']);
  into['15m'].merge(from['15m']);
}
