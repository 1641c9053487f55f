import type { WindowName } from '@lookout/contracts';
import type { WindowSet } from './aggregate.ts';
import { CallAggregate, emptyWindowSet, MEASURE_COUNT } from './aggregate.ts';
import { bucketKey } from './sketch.ts';

/** Width of one slot: windows slide, and age out, 10 s at a time. */
export const SLOT_MS = 10_000;
/** Slots each window covers, the current (partial) slot included: a 1m window spans 50..60 s. */
export const WINDOW_SLOTS: Readonly<Record<WindowName, number>> = { '1m': 6, '5m': 30, '15m': 90 };
const RING_SLOTS = 90;

/** Slot number of a monotonic time. */
export function slotOf(atMs: number): number {
  return Math.floor(atMs / SLOT_MS);
}

const WINDOW_NAMES_BY_SIZE = ['1m', '5m', '15m'] as const;

/**
 * The last 15 minutes of one series, as a ring of 10 s slots, and its three windows kept up to date.
 *
 * A window is the merge of the slots it covers. Rather than merging up to 90 slots on every read, each
 * window is kept as a running aggregate: a call is added to the windows that cover its slot, and when
 * time moves to a new slot the slot that leaves a window is subtracted from it. Sketch buckets hold
 * integer counts, so the running aggregate equals the merge exactly; only the extremes (min, max) are
 * recomputed from the slots. Memory is bounded: a ring slot is reused when time comes round to it.
 */
export class SlotRing {
  private readonly slots: (CallAggregate | null)[] = new Array(RING_SLOTS).fill(null);
  private readonly epochs = new Float64Array(RING_SLOTS).fill(-1);
  /** Latest slot written, to skip rings that hold nothing recent. */
  private newest = -1;
  /** Running windows ending at slot `liveSlot`. */
  private readonly live: WindowSet = emptyWindowSet();
  /** The same three, smallest first, beside their sizes in slots (for the hot path). */
  private readonly liveList = [this.live['1m'], this.live['5m'], this.live['15m']];
  private readonly liveSizes = [WINDOW_SLOTS['1m'], WINDOW_SLOTS['5m'], WINDOW_SLOTS['15m']];
  private liveSlot = -1;
  private readonly keys = new Int32Array(MEASURE_COUNT);
  /**
   * Each slot's min and max per measure (index slot * MEASURE_COUNT + m), kept apart from the sketches
   * in two small arrays: restoring a window's extremes scans them instead of 90 scattered objects.
   */
  private readonly slotMin = new Float64Array(RING_SLOTS * MEASURE_COUNT).fill(Number.POSITIVE_INFINITY);
  private readonly slotMax = new Float64Array(RING_SLOTS * MEASURE_COUNT).fill(Number.NEGATIVE_INFINITY);

  /** Counts one call in slot `slot`; returns false (and counts nothing) when that slot has aged out. */
  record(slot: number, outcomeIndex: number, measures: ArrayLike<number>): boolean {
    if (slot < 0) return false;
    if (slot > this.liveSlot) this.advance(slot);
    if (slot <= this.newest - RING_SLOTS) return false;
    const i = slot % RING_SLOTS;
    let aggregate = this.slots[i];
    if (this.epochs[i] !== slot) {
      if (this.epochs[i]! > slot) return false;
      if (aggregate) aggregate.reset();
      this.epochs[i] = slot;
      this.slotMin.fill(Number.POSITIVE_INFINITY, i * MEASURE_COUNT, (i + 1) * MEASURE_COUNT);
      this.slotMax.fill(Number.NEGATIVE_INFINITY, i * MEASURE_COUNT, (i + 1) * MEASURE_COUNT);
    }
    if (!aggregate) {
      aggregate = new CallAggregate();
      this.slots[i] = aggregate;
    }
    const keys = this.keys;
    for (let m = 0; m < MEASURE_COUNT; m++) {
      const value = measures[m]!;
      if (Number.isNaN(value)) continue;
      keys[m] = bucketKey(value);
      const at = i * MEASURE_COUNT + m;
      if (value < this.slotMin[at]!) this.slotMin[at] = value;
      if (value > this.slotMax[at]!) this.slotMax[at] = value;
    }
    aggregate.recordKeyed(outcomeIndex, measures, keys);
    if (slot > this.newest) this.newest = slot;
    for (let w = 0; w < 3; w++) {
      if (slot > this.liveSlot - this.liveSizes[w]!)
        this.liveList[w]!.recordKeyed(outcomeIndex, measures, keys);
    }
    return true;
  }

  /** Whether any call ended within the 15 minutes up to `nowSlot`. */
  hasRecent(nowSlot: number): boolean {
    return this.newest > nowSlot - RING_SLOTS;
  }

  /** Merges into `into` the slots aged [fromAge, toAge) relative to `nowSlot` (age 0 = the current slot). */
  mergeSlots(into: CallAggregate, nowSlot: number, fromAge: number, toAge: number): void {
    for (let age = fromAge; age < toAge; age++) {
      const slot = nowSlot - age;
      if (slot < 0) break;
      const i = slot % RING_SLOTS;
      if (this.epochs[i] !== slot) continue;
      const aggregate = this.slots[i];
      if (aggregate) into.merge(aggregate);
    }
  }

  /**
   * The three windows ending at `nowSlot`. Read-only and shared with later reads: merge them into an
   * aggregate of your own to combine them.
   */
  windows(nowSlot: number): WindowSet {
    if (!this.hasRecent(nowSlot)) return emptyWindowSet();
    if (nowSlot >= this.liveSlot) {
      this.advance(nowSlot);
      return this.live;
    }
    // A read of the past (not used by the engine's own clock, which only moves forward): merge.
    const windows = emptyWindowSet();
    for (const name of WINDOW_NAMES_BY_SIZE) this.mergeSlots(windows[name], nowSlot, 0, WINDOW_SLOTS[name]);
    return windows;
  }

  /** Moves the running windows forward to end at `toSlot`, subtracting the slots that leave them. */
  private advance(toSlot: number): void {
    if (toSlot <= this.liveSlot) return;
    if (this.liveSlot < 0 || toSlot - this.liveSlot >= RING_SLOTS) {
      // Everything the windows held is older than 15 minutes at `toSlot`.
      for (const name of WINDOW_NAMES_BY_SIZE) this.live[name].reset();
      this.liveSlot = toSlot;
      return;
    }
    for (let w = 0; w < 3; w++) {
      const window = this.liveList[w]!;
      const size = this.liveSizes[w]!;
      let stale = 0;
      for (let slot = this.liveSlot + 1; slot <= toSlot; slot++) {
        const leaving = this.slotAggregate(slot - size);
        if (leaving) stale |= window.subtract(leaving);
      }
      if (stale !== 0 && window.requests > 0) this.restoreMinMax(window, toSlot - size + 1, toSlot, stale);
    }
    this.liveSlot = toSlot;
  }

  private slotAggregate(slot: number): CallAggregate | null {
    if (slot < 0) return null;
    const i = slot % RING_SLOTS;
    return this.epochs[i] === slot ? this.slots[i]! : null;
  }

  /** Sets the min and max of the `stale` measures of `window` to the extremes over slots [fromSlot, toSlot]. */
  private restoreMinMax(window: CallAggregate, fromSlot: number, toSlot: number, stale: number): void {
    for (let m = 0; m < MEASURE_COUNT; m++) {
      const sketch = window.sketches[m];
      if ((stale & (1 << m)) === 0 || !sketch || sketch.count === 0) continue;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (let slot = Math.max(0, fromSlot); slot <= toSlot; slot++) {
        const i = slot % RING_SLOTS;
        if (this.epochs[i] !== slot) continue;
        const at = i * MEASURE_COUNT + m;
        if (this.slotMin[at]! < min) min = this.slotMin[at]!;
        if (this.slotMax[at]! > max) max = this.slotMax[at]!;
      }
      sketch.setMinMax(min, max);
    }
  }
}
