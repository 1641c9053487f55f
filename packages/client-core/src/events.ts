/**
 * Call events: the one typed stream every call emits, whoever makes it (relay, probe, test prompt).
 * The metrics engine consumes these and nothing else, so their shape is a contract between packages.
 *
 * Timestamps (`atMs`) are monotonic milliseconds from `performance.now()`; add `performance.timeOrigin`
 * for wall-clock time. Every call emits exactly one terminal event: `done` or `failed`.
 */

const OUTCOME_LIST = [
  'ok',
  'timeout_connect',
  'timeout_first_byte',
  'timeout_idle',
  'timeout_total',
  'queue_full',
  'queue_timeout',
  'upstream_busy',
  'upstream_error',
  'network_error',
  'client_abort',
  'bad_request',
] as const;

/** How a call ended; one per call, as in the snapshot schema. */
export type Outcome = (typeof OUTCOME_LIST)[number];

/** Every outcome, in the snapshot schema's order. */
export const OUTCOMES: readonly Outcome[] = OUTCOME_LIST;

/** Who made the call: probes and test prompts are counted apart from application traffic. */
export type CallSource = 'app' | 'probe' | 'test_prompt';

/** What kind of Ollama endpoint a call hits; decides streaming defaults and what to parse. */
export type EndpointKind =
  | 'generate'
  | 'chat'
  | 'embed'
  | 'openai_chat'
  | 'openai_completions'
  | 'openai_embeddings'
  | 'pull'
  | 'other';

/** Body framing of a response, as observed: NDJSON (native streams), SSE (`/v1` streams) or one body. */
export type BodyFraming = 'ndjson' | 'sse' | 'single';

/** Static facts about a call, shared by reference by all its events. */
export interface CallInfo {
  readonly callId: string;
  readonly source: CallSource;
  readonly method: string;
  /** Path with query, as sent upstream (e.g. `/api/chat`). */
  readonly path: string;
  readonly endpoint: EndpointKind;
  /** The request's `model` field, when it has one. */
  readonly model: string | undefined;
  /** Whether the response streams, decided from the request (endpoint + `stream` field + defaults). */
  readonly streaming: boolean;
  /** When the call started (for the relay: when the request was received), monotonic ms. */
  readonly startedAtMs: number;
}

/** Ollama's final-chunk metrics (durations in nanoseconds, as Ollama reports them). */
export interface OllamaFinalMetrics {
  totalDurationNs?: number;
  loadDurationNs?: number;
  promptEvalCount?: number;
  promptEvalDurationNs?: number;
  evalCount?: number;
  evalDurationNs?: number;
  doneReason?: string;
}

interface EventBase {
  readonly call: CallInfo;
  readonly atMs: number;
}

/** Waiting in a target's gate. */
export interface QueuedEvent extends EventBase {
  readonly type: 'queued';
  readonly target: string;
  /** Queue depth right after this call joined. */
  readonly queueDepth: number;
}

/** Left the gate and sent upstream. `attempt` counts from 1. */
export interface DispatchedEvent extends EventBase {
  readonly type: 'dispatched';
  readonly target: string;
  readonly attempt: number;
}

/** Response headers arrived (for Ollama: the first token is ready, or a non-stream is complete). */
export interface HeadersEvent extends EventBase {
  readonly type: 'headers';
  readonly target: string;
  readonly attempt: number;
  readonly status: number;
}

/** The first chunk carrying generated content (generation endpoints only). */
export interface FirstTokenEvent extends EventBase {
  readonly type: 'first_token';
  readonly target: string;
}

/** A body chunk passed to the caller; `tokens` counts content-bearing frames in it where parsed. */
export interface ChunkEvent extends EventBase {
  readonly type: 'chunk';
  readonly target: string;
  readonly bytes: number;
  readonly tokens: number;
}

/** An attempt failed before any byte reached the caller and another will follow after `delayMs`. */
export interface RetryEvent extends EventBase {
  readonly type: 'retry';
  readonly target: string;
  /** The attempt that failed. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly code: string;
  readonly outcome: Outcome;
}

/** The call completed; its outcome is `ok`. */
export interface DoneEvent extends EventBase {
  readonly type: 'done';
  readonly target: string;
  readonly status: number;
  readonly attempts: number;
  readonly metrics: OllamaFinalMetrics;
}

/** The call failed; `target` is absent when it never reached one (queue full, bad request). */
export interface FailedEvent extends EventBase {
  readonly type: 'failed';
  readonly target: string | undefined;
  readonly outcome: Exclude<Outcome, 'ok'>;
  readonly code: string;
  readonly message: string;
  /** HTTP status from upstream, when there was one. */
  readonly status: number | undefined;
  readonly attempts: number;
  /** Whether any response byte had reached the caller when it failed. */
  readonly afterFirstByte: boolean;
}

export type CallEvent =
  | QueuedEvent
  | DispatchedEvent
  | HeadersEvent
  | FirstTokenEvent
  | ChunkEvent
  | RetryEvent
  | DoneEvent
  | FailedEvent;

/** Where call events go. Implementations must not throw and must be cheap: they run on the hot path. */
export interface CallEventSink {
  onEvent(event: CallEvent): void;
}
