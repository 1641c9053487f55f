/**
 * AdaptiveConcurrency: learns a target's concurrency limit from its call events (a Vegas-style
 * limiter). Each call gives a sample of the time Ollama spent on it that its reported work does not
 * explain; the lowest sample over a window is the no-load baseline, and the excess over it is time
 * spent waiting for a slot. Once per round (a cohort of calls dispatched under the current limit,
 * followed to their end), Little's law turns the excess into "calls waiting inside Ollama": at or
 * above `waitingThreshold` the limit drops to what the target actually runs at once; on a clean round
 * where calls queued in the gate it grows (doubling until the first wait, then by one). See the
 * package README for the reasoning.
 */
import type { CallEvent, CallEventSink } from '../events.ts';
import type { GateLimits } from '../gate.ts';
import { type CallSample, CallSampler } from './call-samples.ts';
import {
  type AdaptiveConcurrencyOptions,
  type ResolvedAdaptiveOptions,
  resolveAdaptiveOptions,
} from './options.ts';
import { WindowedMin } from './windowed-min.ts';

/** What the limiter needs of a gate; `TargetGate` has it. The limiter owns `maxConcurrent` from then on. */
export interface AdaptiveGate {
  readonly name: string;
  readonly inFlight: number;
  readonly queueDepth: number;
  readonly limits: Readonly<GateLimits>;
  setLimits(partial: Partial<GateLimits>): void;
}

/**
 * Why the limit moved: `initial` (the constructor set it), `slow_start` (doubled: no wait seen yet),
 * `grow` (one more after clean rounds at the limit), `waiting` (calls waited inside Ollama),
 * `overload` (Ollama answered 503, or a first byte timed out), `reset` (`reset()` was called).
 */
export type LimitChangeReason = 'initial' | 'slow_start' | 'grow' | 'waiting' | 'overload' | 'reset';

export interface LimitChange {
  /** When, on the limiter's clock (monotonic ms). */
  atMs: number;
  from: number;
  to: number;
  reason: LimitChangeReason;
  /** The reason given to `reset()`, or the failure outcome of an `overload`. */
  detail?: string;
}

/** `slow_start` until the first wait inside Ollama is seen (and after a reset), then `steady`. */
export type AdaptivePhase = 'slow_start' | 'steady';

/** Fewest calls a round judges on, whatever the limit. */
const MIN_ROUND_CALLS = 3;

interface RoundSample {
  waitMs: number;
  atTargetMs: number;
  inFlight: number;
}

/**
 * Adapts a gate's `maxConcurrent` within [minLimit, maxLimit]. Feed it every call event (it is a
 * `CallEventSink`); it never throws from `onEvent`.
 * @example
 * const gate = new TargetGate({ name: 'gpu-1', maxQueue: 64 });
 * const adaptive = new AdaptiveConcurrency(gate, { minLimit: 1, maxLimit: 32 });
 * executeCall({ ..., sink: { onEvent: (e) => { metrics.onEvent(e); adaptive.onEvent(e); } } });
 */
export class AdaptiveConcurrency implements CallEventSink {
  readonly #gate: AdaptiveGate;
  readonly #o: ResolvedAdaptiveOptions;
  readonly #sampler: CallSampler;
  readonly #baseline: WindowedMin;
  readonly #changes: LimitChange[] = [];
  /** Changes recorded since construction, the `initial` one aside (`#changes` keeps only the latest). */
  #changesTotal = 0;
  #limit: number;
  #phase: AdaptivePhase = 'slow_start';
  /** Clean saturated rounds still to wait before probing upward. */
  #holdRounds = 0;
  /** Probes in a row that found waiting; each doubles the next hold (up to `maxProbeAfterRounds`). */
  #failedProbes = 0;
  /** The last decision raised the limit: the round under way tests the new one. */
  #probing = false;
  /** Samples of calls dispatched before this (the last reset) are ignored. */
  #epochStartMs: number;
  /** An overload signal from a call dispatched before this was already answered by a decrease. */
  #lastDecreaseAtMs: number;
  #roundStartMs: number;
  /** The round's cohort: the first calls dispatched under the current limit, still to finish. */
  readonly #cohort = new Set<string>();
  #cohortSize = 0;
  #roundSamples: RoundSample[] = [];
  #roundSaturated = false;
  #lastKey: string | undefined;
  #lastSampleMs: number | undefined;
  #waitingEstimate: number | undefined;

  constructor(gate: AdaptiveGate, options: AdaptiveConcurrencyOptions) {
    this.#o = resolveAdaptiveOptions(options);
    this.#gate = gate;
    this.#sampler = new CallSampler(gate.name);
    this.#baseline = new WindowedMin(this.#o.baselineWindowMs);
    const now = this.#o.now();
    this.#epochStartMs = now;
    this.#lastDecreaseAtMs = now;
    this.#roundStartMs = now;
    const from = gate.limits.maxConcurrent;
    this.#limit = this.#o.initialLimit;
    gate.setLimits({ maxConcurrent: this.#limit });
    if (from !== this.#limit) this.#record({ atMs: now, from, to: this.#limit, reason: 'initial' });
  }

  /** The limit in force (the gate's `maxConcurrent`). */
  get limit(): number {
    return this.#limit;
  }

  /** The learned no-load time of the last sample's model and form (ms), while the window holds one. */
  get baselineMs(): number | undefined {
    return this.#lastKey === undefined ? undefined : this.#baseline.get(this.#lastKey, this.#o.now());
  }

  /** The last sample: dispatch -> first byte (or end) less the work Ollama reported, ms. */
  get lastSampleMs(): number | undefined {
    return this.#lastSampleMs;
  }

  /** Calls estimated to have waited inside Ollama over the last round that decided. */
  get waitingEstimate(): number | undefined {
    return this.#waitingEstimate;
  }

  get phase(): AdaptivePhase {
    return this.#phase;
  }

  /** Every change since construction but the `initial` one, including those `changes()` no longer keeps. */
  get changesTotal(): number {
    return this.#changesTotal;
  }

  /** Recent changes, oldest first (at most `historySize`). */
  changes(): readonly LimitChange[] {
    return this.#changes.map((c) => ({ ...c }));
  }

  /** Reads one call event; events of other targets are ignored. */
  onEvent(event: CallEvent): void {
    const signal = this.#sampler.read(event, this.#gate.inFlight);
    if (signal === undefined) return;
    switch (signal.type) {
      case 'queued':
        this.#roundSaturated = true;
        return;
      case 'dispatched':
        this.#onDispatched(signal.callId, signal.atMs, signal.inFlight);
        return;
      case 'sample':
        if (signal.sample.dispatchedAtMs >= this.#epochStartMs) this.#onSample(signal.callId, signal.sample);
        return;
      case 'unsampled':
        if (signal.overload !== undefined && signal.dispatchedAtMs >= this.#lastDecreaseAtMs) {
          this.#overload(signal.overload);
        } else if (this.#cohort.delete(signal.callId)) {
          this.#maybeDecide();
        }
        return;
    }
  }

  /**
   * The target restarted or swapped models: forget the baseline and the calls in flight, go back to
   * `initialLimit` and slow start (so the first calls learn a clean baseline, and the limit doubles
   * back up within a few rounds).
   */
  reset(reason: string): void {
    const now = this.#o.now();
    this.#sampler.clear();
    this.#baseline.clear();
    this.#epochStartMs = now;
    this.#lastDecreaseAtMs = now;
    this.#phase = 'slow_start';
    this.#holdRounds = 0;
    this.#failedProbes = 0;
    this.#probing = false;
    this.#lastKey = undefined;
    this.#lastSampleMs = undefined;
    this.#waitingEstimate = undefined;
    this.#newRound(now);
    this.#apply(this.#o.initialLimit, 'reset', now, reason);
  }

  /**
   * Calls in a round's cohort: one limit's worth (as Vegas measures once per round trip), at least
   * three so a low limit is not judged on one call, at most `maxCallsPerRound`.
   */
  get #roundSize(): number {
    return Math.min(this.#o.maxCallsPerRound, Math.max(MIN_ROUND_CALLS, this.#limit));
  }

  /**
   * The round's cohort is chosen in dispatch order: the first calls to finish are those that waited
   * least, so a round closed on the first samples to arrive would miss the wait it is looking for.
   */
  #onDispatched(callId: string, atMs: number, inFlight: number): void {
    // Only calls sent under the current limit tell about it. A call granted just before a decrease (the
    // gate hands a freed slot on before the terminal event that decided) shows as one above the limit.
    if (atMs < this.#roundStartMs || inFlight > this.#limit || this.#cohortSize >= this.#roundSize) return;
    this.#cohort.add(callId);
    this.#cohortSize++;
  }

  #onSample(callId: string, sample: CallSample): void {
    const baselineMs = this.#baseline.add(sample.key, sample.unexplainedMs, this.#o.now());
    this.#lastKey = sample.key;
    this.#lastSampleMs = sample.unexplainedMs;
    if (!this.#cohort.delete(callId)) return;
    this.#roundSamples.push({
      waitMs: sample.unexplainedMs - baselineMs,
      atTargetMs: sample.atTargetMs,
      inFlight: sample.inFlightAtDispatch,
    });
    this.#maybeDecide();
  }

  /** A round ends when its whole cohort has finished. */
  #maybeDecide(): void {
    if (this.#cohortSize < this.#roundSize || this.#cohort.size > 0) return;
    const now = this.#o.now();
    if (this.#roundSamples.length === 0) this.#newRound(now);
    else this.#decide(now);
  }

  /** End of a round: waiting inside Ollama brings the limit down; a clean round at the limit lets it grow. */
  #decide(now: number): void {
    let waitMs = 0;
    let atTargetMs = 0;
    let inFlight = 0;
    for (const s of this.#roundSamples) {
      waitMs += s.waitMs;
      atTargetMs += s.atTargetMs;
      inFlight += s.inFlight;
    }
    // Little's law: calls waiting = arrival rate x wait = (in flight / time at target) x wait.
    const waiting = atTargetMs > 0 ? (inFlight * waitMs) / atTargetMs / this.#roundSamples.length : 0;
    const meanInFlight = inFlight / this.#roundSamples.length;
    this.#waitingEstimate = waiting;
    const saturated = this.#roundSaturated || this.#gate.queueDepth > 0;
    const probing = this.#probing;
    this.#probing = false;
    this.#newRound(now);
    if (waiting >= this.#o.waitingThreshold) {
      // What the target runs at once: those in flight less those waiting; always at least one less.
      const runs = Math.min(this.#limit - 1, Math.round(meanInFlight - waiting));
      // A probe one above a level that holds failed again: probe it less often. Any other wait (the
      // target lost slots) starts the backoff afresh, so a later gain is found soon.
      this.#failedProbes = probing && runs >= this.#limit - 1 ? this.#failedProbes + 1 : 0;
      this.#phase = 'steady';
      this.#holdRounds = this.#probeHold();
      this.#lastDecreaseAtMs = now;
      this.#apply(runs, 'waiting', now);
    } else if (saturated) {
      if (probing) this.#failedProbes = 0;
      if (this.#phase === 'slow_start') this.#raise(this.#limit * 2, 'slow_start', now);
      else if (this.#holdRounds > 0) this.#holdRounds--;
      else this.#raise(this.#limit + 1, 'grow', now);
    }
  }

  /** Rounds to hold before the next probe: `probeAfterRounds`, doubled per failed probe, capped. */
  #probeHold(): number {
    const { probeAfterRounds, maxProbeAfterRounds } = this.#o;
    return Math.min(maxProbeAfterRounds, probeAfterRounds * 2 ** Math.min(this.#failedProbes, 16));
  }

  #raise(wanted: number, reason: 'slow_start' | 'grow', now: number): void {
    const before = this.#limit;
    this.#apply(wanted, reason, now);
    this.#probing = this.#limit > before;
  }

  #overload(outcome: string): void {
    const now = this.#o.now();
    this.#phase = 'steady';
    this.#failedProbes = 0;
    this.#probing = false;
    this.#holdRounds = this.#probeHold();
    this.#lastDecreaseAtMs = now;
    this.#newRound(now);
    this.#apply(Math.floor(this.#limit / 2), 'overload', now, outcome);
  }

  #newRound(now: number): void {
    this.#roundStartMs = now;
    this.#cohort.clear();
    this.#cohortSize = 0;
    this.#roundSamples = [];
    this.#roundSaturated = false;
  }

  #apply(wanted: number, reason: LimitChangeReason, now: number, detail?: string): void {
    const to = Math.min(this.#o.maxLimit, Math.max(this.#o.minLimit, wanted));
    const from = this.#limit;
    if (to === from && reason !== 'reset') return;
    this.#limit = to;
    this.#gate.setLimits({ maxConcurrent: to });
    this.#record(
      detail === undefined ? { atMs: now, from, to, reason } : { atMs: now, from, to, reason, detail },
    );
  }

  #record(change: LimitChange): void {
    if (change.reason !== 'initial') this.#changesTotal++;
    this.#changes.push(change);
    if (this.#changes.length > this.#o.historySize) this.#changes.shift();
  }
}
