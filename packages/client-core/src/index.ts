/**
 * @lookout/client-core: the timeout-aware core every call to Ollama goes through (relay, probes,
 * test prompts), and a typed Ollama client built on it.
 */

// Adaptive concurrency limits (learned per target from its call events).
export * from './adaptive/index.ts';
export {
  backoffDelayMs,
  DEFAULT_RETRY,
  isRetriable,
  parseRetryAfterMs,
  type RetryPolicy,
  resolveRetryPolicy,
} from './backoff.ts';
export type { SinkErrorHandler } from './call-events.ts';
// Request classification and headers.
export { classifyRequest, createCallInfo, type RequestClass } from './classify.ts';
// High-level client.
export {
  type CallOptions,
  createOllamaClient,
  normalizeHost,
  type OllamaClient,
  type OllamaClientOptions,
  type OllamaStream,
} from './client.ts';
// Errors and guards.
export {
  AbortedError,
  BadRequestError,
  type CallPhase,
  ConnectTimeoutError,
  type ErrorContext,
  FirstByteTimeoutError,
  type HttpErrorDetails,
  IdleTimeoutError,
  isAbortedError,
  isHttpError,
  isLookoutError,
  isNetworkError,
  isQueueError,
  isStreamError,
  isTimeoutError,
  LookoutError,
  type LookoutErrorCode,
  LookoutTimeoutError,
  NetworkError,
  QueueFullError,
  QueueTimeoutError,
  ShutdownError,
  StreamError,
  type StreamFailure,
  TotalTimeoutError,
  UpstreamBusyError,
  UpstreamHttpError,
} from './errors.ts';
// Events (the contract with the metrics engine).
export * from './events.ts';
export {
  type AttemptFailure,
  type CallTarget,
  type ExecuteCallOptions,
  executeCall,
  type PickTarget,
  type StartedCall,
  startCall,
  type UpstreamRequest,
  type UpstreamResponse,
} from './execute-call.ts';
// Gate.
export {
  type AcquireOptions,
  type CallGate,
  DEFAULT_GATE_LIMITS,
  type GateLease,
  type GateLimits,
  TargetGate,
} from './gate.ts';
export {
  forwardableResponseHeaders,
  type HeadersInput,
  type ResponseHeaders,
  upstreamRequestHeaders,
  withoutHopByHop,
} from './headers.ts';
// Body observers (NDJSON, SSE, single bodies).
export {
  type BodyObserver,
  createBodyObserver,
  framingOf,
  NdjsonObserver,
  type ObservedBody,
  SingleBodyObserver,
  SseObserver,
} from './observe/index.ts';
export type * from './ollama-types.ts';
// Transport and the call itself.
export { type PoolStats, UpstreamPool, type UpstreamPoolOptions } from './pool.ts';
// Budgets and retry policy.
export { DEFAULT_TIMEOUTS, resolveTimeouts, type Timeouts } from './timeouts.ts';
