/** Options of {@link startSimulator}; every field is optional. */
export interface SimulatorOptions {
  /** Bind address, default '127.0.0.1'. */
  host?: string;
  /** Port, default 0 (ephemeral). */
  port?: number;
  /** Installed models, default ['llama3.2:1b', 'nomic-embed-text']; a name containing 'embed' is embedding-only unless its spec says otherwise. */
  models?: (string | SimModelSpec)[];
  /** Slots per loaded generation model (OLLAMA_NUM_PARALLEL), default 1. Embedding-only models always get 1. */
  numParallel?: number;
  /** Bound of the scheduler queue (OLLAMA_MAX_QUEUE), default 512. */
  maxQueue?: number;
  /** Models loaded at once (OLLAMA_MAX_LOADED_MODELS), default 3. */
  maxLoadedModels?: number;
  /** Time a model takes to load, default 0. */
  loadTimeMs?: number;
  /** Default keep-alive of a loaded model once idle (OLLAMA_KEEP_ALIVE), default 300_000. */
  keepAliveMs?: number;
  /** Generation rate, default 1000; 0 or Infinity = as fast as possible. */
  tokensPerSec?: number;
  /** Prompt evaluation rate, default 100_000; 0 or Infinity = instant. */
  promptTokensPerSec?: number;
  /** Tokens generated when neither `x-sim-tokens` nor `num_predict` says otherwise, default 12. */
  tokensPerResponse?: number;
  /** Enforce Ollama's loopback `Host` check, default false. */
  checkHost?: boolean;
  /** Reported by /api/version, default '0.12.6'. */
  version?: string;
  /** Faults active from the start. */
  faults?: FaultSpec[];
  /** Seed of the generated text, default 0. */
  seed?: number;
  /** Fixed `created_at`/`created` and durations computed from the configured rates instead of the clock. */
  deterministicTimestamps?: boolean;
  /** Names `/api/pull` can fetch besides the installed ones; default: any valid name. */
  pullableModels?: string[];
  /** Gap between two `/api/pull` progress lines, default 5. */
  pullProgressIntervalMs?: number;
}

/** One installed model. */
export interface SimModelSpec {
  name: string;
  embedding?: boolean;
  sizeBytes?: number;
  sizeVramBytes?: number;
  parameterSize?: string;
  quantization?: string;
  family?: string;
  /** Maximum context of the model (model_info `<family>.context_length`). */
  contextLength?: number;
  /** Length of the vectors /api/embed returns. */
  embeddingLength?: number;
}

export type FaultKind =
  | 'refuse'
  | 'hang'
  | 'stall'
  | 'reset'
  | 'http_500'
  | 'http_503'
  | 'error_line'
  | 'drip'
  | 'malformed_line';

/** A failure to inject; the first matching fault of the list applies to a request. */
export interface FaultSpec {
  kind: FaultKind;
  /** Only requests for this model; absent = every model-bearing request (for 'refuse'/'hang': every request). */
  model?: string;
  /** stall/reset/error_line/malformed_line: body chunks (NDJSON lines or SSE events) sent first, default 1. */
  afterChunks?: number;
  /** drip: one small chunk every K ms, default 50. */
  dripIntervalMs?: number;
  /** drip: bytes per small chunk, default 16. */
  dripBytes?: number;
  /** Apply to the next N matching requests (or connections, for a global 'refuse') only; absent = until cleared. */
  remaining?: number;
  /** The fault clears itself this long after it was set. */
  forMs?: number;
  /** Text of http_500 / error_line. */
  message?: string;
}

export interface SimulatorHandle {
  /** e.g. 'http://127.0.0.1:41234' */
  url: string;
  port: number;
  /** Replaces the fault list ('refuse' stops listening and destroys open sockets until cleared; the same port is reused afterwards). */
  setFaults(faults: FaultSpec[]): void;
  clearFaults(): void;
  /**
   * Changes the slots of loaded and future generation models at once (the hidden true parallelism a
   * client has to discover). Fewer slots: holders keep theirs, new requests wait until enough have ended.
   */
  setNumParallel(n: number): void;
  stats(): SimulatorStats;
  resetStats(): void;
  /** Destroys every socket and clears every timer. */
  close(): Promise<void>;
}

export type CancellationPhase = 'queued' | 'waiting_slot' | 'generating' | 'hung';

export interface CancellationRecord {
  /** performance.timeOrigin + performance.now() when the client's socket closed. */
  atMs: number;
  path: string;
  model: string | undefined;
  /** queued: scheduler queue (or the load); waiting_slot: slot semaphore; generating: holding a slot; hung: held by a 'hang' fault. */
  phase: CancellationPhase;
}

export interface ModelStats {
  /** Slots held right now. */
  inFlight: number;
  /** Requests holding no slot yet: `queued` plus those waiting for a slot. */
  waiting: number;
  /** Of `waiting`, those in the scheduler queue (waiting for a load, a swap or an eviction). */
  queued: number;
  loaded: boolean;
  maxInFlightSeen: number;
  /** Requests on this model answered in full. */
  completed: number;
  /** Times the model was loaded. */
  loads: number;
  /** Slots of the loaded runner (0 when not loaded). */
  slots: number;
  /** Slots granted to requests on this model since the last reset. */
  slotWaits: number;
  /** Time those requests waited for their slot, summed (ms): the slot queue Ollama hides. */
  slotWaitMsTotal: number;
  /** The longest of those waits (ms). */
  slotWaitMsMax: number;
}

/** What is open at the simulator now: enough for a test to prove a client left nothing behind. */
export interface ConnectionStats {
  /** Sockets open now (idle keep-alive connections included). */
  open: number;
  /** Requests on the Ollama surface whose response has neither been sent in full nor been cut. */
  activeRequests: number;
  /**
   * Bytes the simulator has written to its open sockets that the kernel has not taken yet: they grow
   * when the peer stops reading (its receive window and our send buffer are full), i.e. under backpressure.
   */
  queuedBytes: number;
}

export interface SimulatorStats {
  /** Requests received on the Ollama surface (the control endpoint is not counted). */
  totalRequests: number;
  /** Slots of generation models as configured now (`OLLAMA_NUM_PARALLEL`, changed by `setNumParallel`). */
  numParallel: number;
  /** Time requests waited for a slot since the last reset, summed over models (ms). */
  slotWaitMsTotal: number;
  /** Keyed by the model names as configured. */
  models: Record<string, ModelStats>;
  /** Requests held in the scheduler queue, the one whose model is loading included. */
  schedulerQueueDepth: number;
  cancellations: CancellationRecord[];
  /** Sockets and requests open right now, and the bytes still waiting for the peer to read them. */
  connections: ConnectionStats;
  /** Set while listening again after a 'refuse' failed (another process took the port). */
  listenError?: string;
}
