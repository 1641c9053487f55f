/** The shapes `executeCall` takes and gives. */
import type { RetryPolicy } from './backoff.ts';
import type { SinkErrorHandler } from './call-events.ts';
import type { LookoutError } from './errors.ts';
import type { CallEventSink, CallInfo, DoneEvent, FailedEvent } from './events.ts';
import type { CallGate } from './gate.ts';
import type { HeadersInput, ResponseHeaders } from './headers.ts';
import type { UpstreamPool } from './pool.ts';
import type { Timeouts } from './timeouts.ts';

/** Where one attempt goes. `url` is the Ollama base URL (`http://host:11434`, a path prefix is kept). */
export interface CallTarget {
  name: string;
  url: string;
  gate: CallGate;
  /** Per-target budgets over the call's. */
  timeouts?: Partial<Timeouts> | undefined;
}

/** An attempt that failed before the caller got anything. */
export interface AttemptFailure {
  attempt: number;
  target: string;
  error: LookoutError;
}

/** Picks the target of attempt `attempt` (from 1); `undefined` ends the call with the last failure. */
export type PickTarget = (attempt: number, failures: readonly AttemptFailure[]) => CallTarget | undefined;

/** The request as it goes upstream: the body bytes are sent as they are. */
export interface UpstreamRequest {
  /** Defaults to `info.method`. */
  method?: string | undefined;
  /** Path with query; defaults to `info.path`. */
  path?: string | undefined;
  headers?: HeadersInput | undefined;
  body?: Uint8Array | undefined;
}

export interface ExecuteCallOptions {
  info: CallInfo;
  request: UpstreamRequest;
  pickTarget: PickTarget;
  pool: UpstreamPool;
  timeouts?: Partial<Timeouts> | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  signal?: AbortSignal | undefined;
  sink?: CallEventSink | undefined;
  /** Receives exceptions thrown by `sink` (default: a process warning). */
  onSinkError?: SinkErrorHandler | undefined;
}

/** A response whose headers arrived. Read `body` to the end (or break out of it) to end the call. */
export interface UpstreamResponse {
  readonly status: number;
  readonly headers: ResponseHeaders;
  /** Name of the target that answered. */
  readonly target: string;
  /** Attempts made, this one included. */
  readonly attempts: number;
  readonly framing: 'ndjson' | 'sse' | 'single';
  /** Time spent waiting in gates, over all attempts. */
  readonly queueWaitMs: number;
  /** The body, chunk by chunk as undici produced it; single use. */
  readonly body: AsyncIterableIterator<Buffer>;
  /** Settles with the call's terminal event; never rejects. */
  readonly settled: Promise<DoneEvent | FailedEvent>;
  /** The call's failure once it has failed (also for handed-through error statuses). */
  readonly failure: LookoutError | undefined;
  /** Ends the call now with `error` (default: an `AbortedError`) and closes the upstream request. */
  cancel(error?: LookoutError): void;
}
