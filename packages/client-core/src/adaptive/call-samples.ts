/**
 * Turns one target's call events into samples of "time not spent working": how long a call took
 * from dispatch to its first byte (streams) or to its end (whole answers), minus the work Ollama
 * reports in its final metrics (model load, prompt evaluation, generation). With no load that is
 * network and bookkeeping, a few milliseconds whatever the prompt; any wait for a slot inside Ollama
 * adds to it one for one.
 */
import type { CallEvent, DoneEvent, OllamaFinalMetrics } from '../events.ts';

/** How a sample was measured; samples are only compared with a baseline of the same model and form. */
export type SampleForm =
  /** Streamed: dispatch -> headers, less load, prompt evaluation and the first token (native metrics). */
  | 'stream'
  /** Streamed without Ollama's durations (`/v1`): dispatch -> headers as it is. */
  | 'stream_raw'
  /** Whole answer (`stream:false`): dispatch -> end, less load, prompt evaluation and generation. */
  | 'whole'
  /** Embeddings: dispatch -> end, less load (Ollama reports no prompt evaluation time for them). */
  | 'embed';

/** One finished call's measurement. */
export interface CallSample {
  /** Baseline key: the model and the form. */
  readonly key: string;
  readonly form: SampleForm;
  /** Time not explained by the work Ollama reports, ms (>= 0). */
  readonly unexplainedMs: number;
  /** Dispatch -> end of the call, ms: the call's time at the target. */
  readonly atTargetMs: number;
  readonly dispatchedAtMs: number;
  /** Calls in flight at the target when this one was dispatched (itself included). */
  readonly inFlightAtDispatch: number;
}

/** What one event meant for the limit. */
export type SampleSignal =
  /** A call had to wait in the gate: demand is above the limit. */
  | { readonly type: 'queued' }
  /** A call was sent to the target with `inFlight` calls there (itself included). */
  | { readonly type: 'dispatched'; readonly callId: string; readonly atMs: number; readonly inFlight: number }
  | { readonly type: 'sample'; readonly callId: string; readonly sample: CallSample }
  /**
   * A dispatched call ended without a sample (failed, failed over, or its timing says nothing).
   * `overload` is set when Ollama said it is overloaded (503) or the first byte never came in time.
   */
  | {
      readonly type: 'unsampled';
      readonly callId: string;
      readonly dispatchedAtMs: number;
      readonly overload: string | undefined;
    };

interface Attempt {
  attempt: number;
  dispatchedAtMs: number;
  headersAtMs: number | undefined;
  inFlightAtDispatch: number;
}

/** Outcomes read as "the target is overloaded", not as a broken call. */
const OVERLOAD_OUTCOMES: ReadonlySet<string> = new Set(['timeout_first_byte', 'upstream_busy']);

/** Calls tracked at once; far above any limit (a terminal event always removes its call). */
const MAX_TRACKED = 10_000;

const msOfNs = (ns: number | undefined): number => (ns === undefined ? 0 : ns / 1e6);

/** Tracks the calls of one target from dispatch to their terminal event. */
export class CallSampler {
  readonly #target: string;
  readonly #attempts = new Map<string, Attempt>();

  constructor(target: string) {
    this.#target = target;
  }

  /** Calls dispatched to the target and not finished. */
  get tracked(): number {
    return this.#attempts.size;
  }

  /** Forgets every call in flight (the target restarted: their timings say nothing about the new one). */
  clear(): void {
    this.#attempts.clear();
  }

  /** Reads one event; `inFlight` is the gate's count at that moment. */
  read(event: CallEvent, inFlight: number): SampleSignal | undefined {
    const callId = event.call.callId;
    if (event.target !== this.#target) {
      // A call that failed over from this target ends elsewhere.
      if (event.type === 'done' || event.type === 'failed') return this.#forget(callId, undefined);
      return undefined;
    }
    switch (event.type) {
      case 'queued':
        return { type: 'queued' };
      case 'dispatched':
        if (this.#attempts.size >= MAX_TRACKED) {
          const oldest = this.#attempts.keys().next().value;
          if (oldest !== undefined) this.#attempts.delete(oldest);
        }
        this.#attempts.set(callId, {
          attempt: event.attempt,
          dispatchedAtMs: event.atMs,
          headersAtMs: undefined,
          inFlightAtDispatch: inFlight,
        });
        return { type: 'dispatched', callId, atMs: event.atMs, inFlight };
      case 'headers': {
        const attempt = this.#attempts.get(callId);
        if (attempt !== undefined && attempt.attempt === event.attempt) attempt.headersAtMs = event.atMs;
        return undefined;
      }
      case 'retry':
      case 'failed':
        return this.#forget(callId, OVERLOAD_OUTCOMES.has(event.outcome) ? event.outcome : undefined);
      case 'done':
        return this.#done(event);
      default:
        return undefined;
    }
  }

  #forget(callId: string, overload: string | undefined): SampleSignal | undefined {
    const attempt = this.#attempts.get(callId);
    if (attempt === undefined) return undefined;
    this.#attempts.delete(callId);
    return { type: 'unsampled', callId, dispatchedAtMs: attempt.dispatchedAtMs, overload };
  }

  #done(event: DoneEvent): SampleSignal | undefined {
    const callId = event.call.callId;
    const attempt = this.#attempts.get(callId);
    if (attempt === undefined) return undefined;
    const measured = attempt.attempt === event.attempts ? measure(event, attempt) : undefined;
    if (measured === undefined) return this.#forget(callId, undefined);
    this.#attempts.delete(callId);
    return {
      type: 'sample',
      callId,
      sample: {
        key: `${event.call.model ?? ''}\u0000${measured.form}`,
        form: measured.form,
        unexplainedMs: Math.max(0, measured.unexplainedMs),
        atTargetMs: Math.max(0, event.atMs - attempt.dispatchedAtMs),
        dispatchedAtMs: attempt.dispatchedAtMs,
        inFlightAtDispatch: attempt.inFlightAtDispatch,
      },
    };
  }
}

/** The sample of a finished call, or undefined when its timing cannot be told apart from its work. */
function measure(
  event: DoneEvent,
  attempt: Attempt,
): { form: SampleForm; unexplainedMs: number } | undefined {
  const { call, metrics } = event;
  // Ollama reports total_duration on every native final object; `/v1` answers carry no durations.
  const native = metrics.totalDurationNs !== undefined;
  const work = native ? metricsWorkMs(metrics) : undefined;
  if (call.streaming) {
    if (attempt.headersAtMs === undefined) return undefined;
    const toHeadersMs = attempt.headersAtMs - attempt.dispatchedAtMs;
    if (work === undefined) return { form: 'stream_raw', unexplainedMs: toHeadersMs };
    // Headers go out with the first token: load, prompt evaluation and one token's decoding precede them.
    return { form: 'stream', unexplainedMs: toHeadersMs - work.beforeFirstTokenMs };
  }
  if (work === undefined) return undefined; // a whole `/v1` answer: its length is unknown, so is its wait
  const toEndMs = event.atMs - attempt.dispatchedAtMs;
  if (call.endpoint === 'embed' || call.endpoint === 'openai_embeddings') {
    return { form: 'embed', unexplainedMs: toEndMs - work.loadMs - work.promptEvalMs };
  }
  if (metrics.evalDurationNs === undefined) return undefined;
  return { form: 'whole', unexplainedMs: toEndMs - work.allMs };
}

function metricsWorkMs(m: OllamaFinalMetrics): {
  loadMs: number;
  promptEvalMs: number;
  beforeFirstTokenMs: number;
  allMs: number;
} {
  const loadMs = msOfNs(m.loadDurationNs);
  const promptEvalMs = msOfNs(m.promptEvalDurationNs);
  const evalMs = msOfNs(m.evalDurationNs);
  const firstTokenMs = m.evalCount !== undefined && m.evalCount > 0 ? evalMs / m.evalCount : 0;
  return {
    loadMs,
    promptEvalMs,
    beforeFirstTokenMs: loadMs + promptEvalMs + firstTokenMs,
    allMs: loadMs + promptEvalMs + evalMs,
  };
}
