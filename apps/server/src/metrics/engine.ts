import type { AlertState, Outcome, Snapshot } from '@lookout/contracts';
import { OUTCOMES } from '@lookout/contracts';
import { OUTCOME_INDEX } from './aggregate.ts';
import type { CallEvent, CallEventSink, DoneEvent, FailedEvent } from './call-events.ts';
import { OpenCalls } from './open-calls.ts';
import { renderPrometheus } from './prometheus.ts';
import { NO_MODEL, NO_TARGET, SeriesStore } from './series.ts';
import { SLOT_MS, slotOf } from './slots.ts';
import { buildSnapshot } from './snapshot.ts';
import type { SeriesSpan } from './span.ts';
import { aggregateSpan } from './span.ts';
import type {
  EngineAnomalies,
  GaugeSource,
  MetricsReader,
  MetricsSink,
  RequestTotals,
  TargetInfoSource,
} from './types.ts';

export interface MetricsEngineOptions {
  /** The gates' queue depth and in-flight counts, and the list of configured targets. */
  readonly gauges: GaugeSource;
  /** Health, version and loaded models from the probes; without it every target is "unknown". */
  readonly targetInfo?: TargetInfoSource;
  /** Monotonic milliseconds on the clock of `CallEvent.atMs` (default `performance.now`). */
  readonly now?: () => number;
  /** Wall-clock epoch milliseconds of a monotonic time (default `performance.timeOrigin + ms`). */
  readonly toEpochMs?: (monotonicMs: number) => number;
  /** A call open longer than this is dropped as abandoned (default 1 hour). */
  readonly maxOpenCallAgeMs?: number;
  /** Distinct models kept per target before new ones count as "(other)" (default 200). */
  readonly maxModelsPerTarget?: number;
}

/**
 * Turns call events into windows of counts and sketches per (target, model, source), and reads them
 * out as the dashboard snapshot and the Prometheus exposition.
 *
 * A call counts once, in the 10 s slot of its terminal event: `latencyMs` (ok calls), `ttftMs`,
 * `queueWaitMs` and `tokensPerSec` are all taken at that moment from the call's open state.
 */
export class MetricsEngine implements MetricsSink, CallEventSink, MetricsReader {
  private readonly store: SeriesStore;
  private readonly calls = new OpenCalls();
  private readonly gauges: GaugeSource;
  private readonly targetInfo: TargetInfoSource | undefined;
  private readonly now: () => number;
  private readonly toEpochMs: (monotonicMs: number) => number;
  private readonly maxOpenCallAgeMs: number;
  private lastSweepMs = Number.NEGATIVE_INFINITY;
  /** Scratch for one call's measures, reused (the engine is single-threaded and synchronous). */
  private readonly measures = new Float64Array(4);
  private duplicateTerminals = 0;
  private abandonedCalls = 0;
  private lateEvents = 0;
  private internalErrors = 0;

  constructor(options: MetricsEngineOptions) {
    this.gauges = options.gauges;
    this.targetInfo = options.targetInfo;
    this.now = options.now ?? (() => performance.now());
    this.toEpochMs = options.toEpochMs ?? ((ms) => performance.timeOrigin + ms);
    this.maxOpenCallAgeMs = options.maxOpenCallAgeMs ?? 3_600_000;
    this.store = new SeriesStore(options.maxModelsPerTarget ?? 200);
  }

  /** Never throws: a failure inside is counted in `anomalies().internalErrors`. */
  onEvent(event: CallEvent): void {
    try {
      // Chunks are most of the events and count for nothing here: leave before anything else.
      if (event.type === 'chunk') return;
      switch (event.type) {
        case 'queued':
          this.calls.touch(event.call);
          return;
        case 'dispatched': {
          const state = this.calls.touch(event.call);
          if (state && Number.isNaN(state.dispatchedAtMs)) state.dispatchedAtMs = event.atMs;
          return;
        }
        case 'first_token': {
          const state = this.calls.touch(event.call);
          if (state && Number.isNaN(state.firstTokenAtMs)) state.firstTokenAtMs = event.atMs;
          return;
        }
        case 'done':
          this.close(event, 'ok', event.target);
          return;
        case 'failed':
          this.close(event, event.outcome, event.target);
          return;
        default:
          // headers, retry: nothing to count.
          return;
      }
    } catch {
      this.internalErrors++;
    }
  }

  buildSnapshot(nowMs: number = this.now(), alerts: readonly AlertState[] = []): Snapshot {
    this.sweep(nowMs);
    return buildSnapshot({
      store: this.store,
      gauges: this.gauges.targets(),
      targetInfo: this.targetInfo,
      nowSlot: slotOf(nowMs),
      atIso: new Date(this.toEpochMs(nowMs)).toISOString(),
      alerts,
    });
  }

  renderPrometheus(nowMs: number = this.now()): string {
    this.sweep(nowMs);
    return renderPrometheus({
      store: this.store,
      gauges: this.gauges.targets(),
      targetInfo: this.targetInfo,
      nowSlot: slotOf(nowMs),
      openCalls: this.calls.size,
      anomalies: this.anomalies(),
    });
  }

  requestTotals(): RequestTotals[] {
    const totals: RequestTotals[] = [];
    for (const series of this.store.all()) {
      const outcomes = {} as Record<Outcome, number>;
      let requests = 0;
      OUTCOMES.forEach((o, i) => {
        outcomes[o] = series.outcomeTotals[i]!;
        requests += series.outcomeTotals[i]!;
      });
      totals.push({ target: series.target, model: series.model, source: series.source, requests, outcomes });
    }
    return totals;
  }

  anomalies(): EngineAnomalies {
    return {
      duplicateTerminals: this.duplicateTerminals,
      abandonedCalls: this.abandonedCalls,
      lateEvents: this.lateEvents,
      internalErrors: this.internalErrors,
    };
  }

  /** Monotonic milliseconds now, on the engine's clock (that of `CallEvent.atMs`). */
  nowMs(): number {
    return this.now();
  }

  /** Wall-clock epoch milliseconds of a monotonic time on the engine's clock. */
  epochMsOf(monotonicMs: number): number {
    return this.toEpochMs(monotonicMs);
  }

  /**
   * Per (target, model, source) with any, the calls that ended in [fromMs, toMs) of monotonic time,
   * counted by whole 10 s slots (a slot counts when its start is in the span); slots older than 15
   * minutes may be gone. The history rollups read each minute through this.
   */
  spanAggregates(fromMs: number, toMs: number): SeriesSpan[] {
    return aggregateSpan(this.store, Math.ceil(fromMs / SLOT_MS), Math.ceil(toMs / SLOT_MS));
  }

  get openCalls(): number {
    return this.calls.size;
  }

  private close(event: DoneEvent | FailedEvent, outcome: Outcome, target: string | undefined): void {
    const { call } = event;
    const state = this.calls.close(call.callId);
    if (state === 'duplicate') {
      this.duplicateTerminals++;
      return;
    }
    const m = this.measures;
    const startedAtMs = call.startedAtMs;
    m[0] = outcome === 'ok' ? nonNegative(event.atMs - startedAtMs) : Number.NaN;
    m[1] = state ? nonNegative(state.firstTokenAtMs - startedAtMs) : Number.NaN;
    m[2] = state ? nonNegative(state.dispatchedAtMs - startedAtMs) : Number.NaN;
    m[3] = event.type === 'done' ? tokensPerSec(event) : Number.NaN;
    const series = this.store.get(target ?? NO_TARGET, call.model ?? NO_MODEL, call.source);
    if (!series.record(slotOf(event.atMs), OUTCOME_INDEX[outcome], m)) this.lateEvents++;
    if (event.atMs - this.lastSweepMs >= SLOT_MS) this.sweep(event.atMs);
  }

  private sweep(nowMs: number): void {
    this.lastSweepMs = nowMs;
    this.abandonedCalls += this.calls.sweep(nowMs, this.maxOpenCallAgeMs);
  }
}

/**
 * A measure as the sketches take it: monotonic clocks make durations non-negative, so clamp float
 * noise to 0; anything not finite (NaN when absent, or a broken timestamp) is absent.
 */
function nonNegative(ms: number): number {
  return Number.isFinite(ms) ? Math.max(ms, 0) : Number.NaN;
}

/** `eval_count / eval_duration` of the final chunk, in tokens per second; NaN when not reported. */
function tokensPerSec(event: DoneEvent): number {
  const { evalCount, evalDurationNs } = event.metrics;
  if (evalCount === undefined || evalDurationNs === undefined || !(evalDurationNs > 0) || !(evalCount >= 0)) {
    return Number.NaN;
  }
  const rate = (evalCount / evalDurationNs) * 1e9;
  return Number.isFinite(rate) ? rate : Number.NaN;
}
