import type { AlertState, Outcome, Snapshot, TargetConcurrency, TargetState } from '@lookout/contracts';
import type { CallEventSink, CallSource } from './call-events.ts';

/** Where the relay, probes and test prompts send call events; in-process now, shared (Redis) later. */
export type MetricsSink = CallEventSink;

/** Queue depth and in-flight calls of one model on a target, as its gate counts them. */
export interface ModelGauges {
  readonly queueDepth: number;
  readonly inFlight: number;
}

/** A target's gate, now. */
export interface TargetGauges {
  readonly name: string;
  readonly url: string;
  readonly queueDepth: number;
  readonly inFlight: number;
  readonly maxConcurrent: number;
  /** How `maxConcurrent` is set, and what an adaptive limit learned. */
  readonly concurrency?: TargetConcurrency;
  /** Changes of `maxConcurrent` since start. */
  readonly concurrencyChangesTotal?: number;
  /** Per requested model, when the gate counts them; models absent here read 0. */
  readonly models?: Readonly<Record<string, ModelGauges>>;
}

/**
 * The gauges come from the gates, not from call events (a queue's depth is the gate's truth). The
 * list is also the list of configured targets, in the order the snapshot shows them.
 */
export interface GaugeSource {
  targets(): readonly TargetGauges[];
}

/** What the probes know about a target; the metrics engine only passes it through. */
export type TargetProbeInfo = Pick<TargetState, 'health' | 'loadedModels'> &
  Partial<Pick<TargetState, 'version' | 'lastProbeAt' | 'lastError'>>;

export interface TargetInfoSource {
  /** Undefined when the target was never probed: it shows as health "unknown". */
  info(target: string): TargetProbeInfo | undefined;
}

/** Calls by outcome since start for one (target, model, source). */
export interface RequestTotals {
  readonly target: string;
  readonly model: string;
  readonly source: CallSource;
  readonly requests: number;
  readonly outcomes: Readonly<Record<Outcome, number>>;
}

/** Things the engine saw that the call event contract says should not happen, since start. */
export interface EngineAnomalies {
  /** A second terminal event for a call (ignored). */
  readonly duplicateTerminals: number;
  /** Calls still open after `maxOpenCallAgeMs` (dropped, not counted). */
  readonly abandonedCalls: number;
  /** Terminal events older than the 15-minute ring (counted in totals, not in windows). */
  readonly lateEvents: number;
  /** Exceptions caught inside `onEvent` (the sink never throws to the caller). */
  readonly internalErrors: number;
}

/** The read side: what the live hub, the admin API, the alerts and `/metrics` ask of the metrics. */
export interface MetricsReader {
  /** The snapshot at monotonic time `nowMs` (default: the engine's clock), with the given alert states. */
  buildSnapshot(nowMs?: number, alerts?: readonly AlertState[]): Snapshot;
  /** The Prometheus text exposition at `nowMs`. */
  renderPrometheus(nowMs?: number): string;
  /** Counters of every series, every source included. */
  requestTotals(): RequestTotals[];
  anomalies(): EngineAnomalies;
  /** Calls open now (between their first and terminal event). */
  readonly openCalls: number;
}
