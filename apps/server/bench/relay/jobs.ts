/**
 * The jobs the bench sends to its load process over IPC, and what each one answers. The load process
 * runs one job at a time; every duration is in milliseconds measured with `performance.now()`.
 */

/** One small HTTP call, the same for every target. */
export interface CallSpec {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** Requests sent on a fixed schedule, round-robin over `connections` keep-alive connections. */
export interface OpenLoopJob {
  kind: 'open-loop';
  origin: string;
  call: CallSpec;
  connections: number;
  ratePerSec: number;
  /** Sent at the same rate before the measured window; their latencies are dropped. */
  warmupMs: number;
  measureMs: number;
}

export interface OpenLoopResult {
  kind: 'open-loop';
  /** Latency of every measured request, from its scheduled time to the last byte of its answer. */
  latenciesMs: number[];
  /** Measured requests that failed (transport error or a status other than 200). */
  errors: number;
  /** The first error seen, for the report. */
  firstError?: string;
  /** How late the generator itself sent requests (send time minus scheduled time), p99. */
  sendLagP99Ms: number;
  /** Measured requests answered per second of the measured window (falls short of the rate when the target saturates). */
  answeredPerSec: number;
}

/** Every connection sends again as soon as its previous answer ended. */
export interface ClosedLoopJob {
  kind: 'closed-loop';
  origin: string;
  call: CallSpec;
  connections: number;
  warmupMs: number;
  measureMs: number;
}

export interface ClosedLoopResult {
  kind: 'closed-loop';
  /** Answers completed inside the measured window. */
  completed: number;
  /** Answers completed over the whole job, warm-up included (CPU time per request divides by it). */
  completedAll: number;
  errors: number;
  firstError?: string;
  requestsPerSec: number;
}

/** `connections` streams at once, each started again when it ends; NDJSON lines counted as they arrive. */
export interface StreamThroughputJob {
  kind: 'stream-throughput';
  origin: string;
  call: CallSpec;
  connections: number;
  warmupMs: number;
  measureMs: number;
}

export interface StreamThroughputResult {
  kind: 'stream-throughput';
  /** NDJSON lines (one per Ollama chunk) received inside the measured window. */
  lines: number;
  bytes: number;
  streamsCompleted: number;
  errors: number;
  firstError?: string;
  linesPerSec: number;
}

/** New streams started on a fixed schedule; time from the scheduled start to the first body byte. */
export interface StreamTtftJob {
  kind: 'stream-ttft';
  origin: string;
  call: CallSpec;
  connections: number;
  streamsPerSec: number;
  warmupMs: number;
  measureMs: number;
}

export interface StreamTtftResult {
  kind: 'stream-ttft';
  ttftMs: number[];
  errors: number;
  firstError?: string;
}

/** Opens `streams` slow streams and keeps them open until a `release-streams` job. */
export interface HoldStreamsJob {
  kind: 'hold-streams';
  origin: string;
  call: CallSpec;
  streams: number;
  /** Streams opened per second while ramping up. */
  openPerSec: number;
  /** Give up waiting for every stream's first chunk after this long. */
  openTimeoutMs: number;
}

export interface HoldStreamsResult {
  kind: 'hold-streams';
  /** Streams whose first chunk arrived and that are still open. */
  open: number;
  errors: number;
  firstError?: string;
}

export interface ReleaseStreamsJob {
  kind: 'release-streams';
}

export interface ReleaseStreamsResult {
  kind: 'release-streams';
  /** Streams that ended on their own (the upstream finished or failed) before the release. */
  endedEarly: number;
}

export type LoadJob =
  | OpenLoopJob
  | ClosedLoopJob
  | StreamThroughputJob
  | StreamTtftJob
  | HoldStreamsJob
  | ReleaseStreamsJob;

export type LoadResult =
  | OpenLoopResult
  | ClosedLoopResult
  | StreamThroughputResult
  | StreamTtftResult
  | HoldStreamsResult
  | ReleaseStreamsResult;

/** The result type a job kind answers with. */
export type ResultOf<J extends LoadJob> = Extract<LoadResult, { kind: J['kind'] }>;

/** Messages over the IPC channel. */
export type LoadRequest = { id: number; job: LoadJob };
export type LoadReply =
  | { id: number; ok: true; result: LoadResult }
  | { id: number; ok: false; message: string };
