import { epochMs, RequestCancelled, sleep } from './clock.ts';
import type { CatalogModel } from './models.ts';
import { SlotSemaphore } from './slot-semaphore.ts';

/** Go's time.Duration(math.MaxInt64), which a negative keep_alive becomes, in milliseconds. */
const FOREVER_MS = 9_223_372_036_854.775;

export interface SchedulerConfig {
  numParallel: number;
  maxQueue: number;
  maxLoadedModels: number;
  loadTimeMs: number;
  keepAliveMs: number;
}

/** The scheduler refused a request: the queue in front of model loads is full. */
export class QueueFullError extends Error {
  readonly code = 'SIM_QUEUE_FULL';
  constructor() {
    super('server busy, please try again.  maximum pending requests exceeded');
  }
}

/** A model loaded in memory (Ollama's runnerRef). */
export interface Runner {
  model: CatalogModel;
  /** Runner options it was loaded with; a request asking for others reloads it. */
  optionsKey: string;
  numCtx: number;
  slots: SlotSemaphore;
  refCount: number;
  sessionDurationMs: number;
  expiresAtEpochMs: number | undefined;
  expireTimer: NodeJS.Timeout | undefined;
  unloaded: Promise<void>;
  markUnloaded: () => void;
}

/** Per-model counters that outlive loads. */
export interface ModelRuntime {
  model: CatalogModel;
  runner: Runner | undefined;
  queued: number;
  completed: number;
  loads: number;
  maxInFlightSeen: number;
  /** Slots granted, and the time their requests waited for them (ms): the queue Ollama does not show. */
  slotWaits: number;
  slotWaitMsTotal: number;
  slotWaitMsMax: number;
}

interface PendingRequest {
  runtime: ModelRuntime;
  keepAliveMs: number | undefined;
  optionsKey: string;
  numCtx: number;
  signal: AbortSignal;
  resolve: (lease: RunnerLease) => void;
  reject: (err: Error) => void;
}

/** A request's reference on a loaded runner; keeps it from unloading until released. */
export interface RunnerLease {
  runner: Runner;
  /** The request waited for its model to be loaded (load_duration then includes the load). */
  waitedForLoad: boolean;
  release(): void;
}

/**
 * Ollama's scheduler: requests for a loaded model go straight to its runner; the others wait in a bounded
 * queue processed one at a time (loads, swaps and evictions block everyone behind them).
 */
export class Scheduler {
  private readonly runtimes = new Map<string, ModelRuntime>();
  private readonly queue: PendingRequest[] = [];
  private current: PendingRequest | undefined;
  private processing = false;
  private closed = false;

  constructor(private readonly config: SchedulerConfig) {}

  runtime(model: CatalogModel): ModelRuntime {
    let runtime = this.runtimes.get(model.canonical);
    if (!runtime) {
      runtime = {
        model,
        runner: undefined,
        queued: 0,
        completed: 0,
        loads: 0,
        maxInFlightSeen: 0,
        slotWaits: 0,
        slotWaitMsTotal: 0,
        slotWaitMsMax: 0,
      };
      this.runtimes.set(model.canonical, runtime);
    }
    return runtime;
  }

  allRuntimes(): ModelRuntime[] {
    return [...this.runtimes.values()];
  }

  /** Requests held by the scheduler queue, the one being loaded for included. */
  get queueDepth(): number {
    return this.queue.length + (this.current ? 1 : 0);
  }

  loadedRunners(): Runner[] {
    return this.allRuntimes().flatMap((r) => (r.runner ? [r.runner] : []));
  }

  /** Gets a runner for `model`, loading it (and evicting others) when needed. Throws QueueFullError or RequestCancelled. */
  acquireRunner(
    model: CatalogModel,
    request: { keepAliveMs: number | undefined; optionsKey: string; numCtx: number; signal: AbortSignal },
  ): Promise<RunnerLease> {
    if (this.closed || request.signal.aborted) return Promise.reject(new RequestCancelled());
    const runtime = this.runtime(model);
    const runner = runtime.runner;
    if (runner && runner.optionsKey === request.optionsKey) {
      return Promise.resolve(this.lease(runner, request.keepAliveMs, false));
    }
    if (this.queue.length >= this.config.maxQueue) return Promise.reject(new QueueFullError());
    return new Promise<RunnerLease>((resolve, reject) => {
      const onAbort = () => {
        const index = this.queue.indexOf(pending);
        if (index >= 0) {
          this.queue.splice(index, 1);
          runtime.queued--;
        }
        reject(new RequestCancelled());
      };
      const pending: PendingRequest = {
        runtime,
        ...request,
        resolve: (lease) => {
          request.signal.removeEventListener('abort', onAbort);
          resolve(lease);
        },
        reject: (err) => {
          request.signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      request.signal.addEventListener('abort', onAbort, { once: true });
      runtime.queued++;
      this.queue.push(pending);
      void this.processQueue();
    });
  }

  private async processQueue(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      while (!this.closed) {
        const pending = this.queue.shift();
        if (!pending) break;
        this.current = pending;
        try {
          await this.serve(pending);
        } catch (err) {
          pending.reject(err instanceof Error ? err : new Error(String(err)));
        } finally {
          pending.runtime.queued--;
          this.current = undefined;
        }
      }
    } finally {
      this.processing = false;
    }
  }

  /** One pending request: evict or reload until its model can load, then load it. */
  private async serve(pending: PendingRequest): Promise<void> {
    const { runtime } = pending;
    for (let attempt = 0; attempt < 1000; attempt++) {
      if (pending.signal.aborted || this.closed) throw new RequestCancelled();
      const runner = runtime.runner;
      let victim: Runner | undefined;
      if (runner && runner.optionsKey === pending.optionsKey) {
        // It waited in the queue for a load (its own model's, or one ahead of it).
        pending.resolve(this.lease(runner, pending.keepAliveMs, true));
        return;
      }
      if (runner) victim = runner;
      else if (this.loadedRunners().length >= this.config.maxLoadedModels) victim = this.findRunnerToUnload();
      if (!victim) {
        await sleep(this.config.loadTimeMs, pending.signal);
        const loaded = this.load(pending);
        pending.resolve(this.lease(loaded, pending.keepAliveMs, true));
        return;
      }
      this.expire(victim);
      await victim.unloaded;
    }
    throw new Error('scheduler: eviction did not converge');
  }

  /** Idle runners first, then the shortest keep-alive, then by name (Ollama's findRunnerToUnload). */
  private findRunnerToUnload(): Runner | undefined {
    const runners = this.loadedRunners().sort(
      (a, b) =>
        a.sessionDurationMs - b.sessionDurationMs || a.model.canonical.localeCompare(b.model.canonical),
    );
    return runners.find((r) => r.refCount === 0) ?? runners[0];
  }

  private load(pending: PendingRequest): Runner {
    const { runtime } = pending;
    let markUnloaded = () => {};
    const unloaded = new Promise<void>((resolve) => {
      markUnloaded = resolve;
    });
    const capacity = runtime.model.embedding ? 1 : this.config.numParallel;
    const runner: Runner = {
      model: runtime.model,
      optionsKey: pending.optionsKey,
      numCtx: pending.numCtx,
      slots: new SlotSemaphore(capacity, (inUse) => {
        runtime.maxInFlightSeen = Math.max(runtime.maxInFlightSeen, inUse);
      }),
      refCount: 0,
      sessionDurationMs: pending.keepAliveMs ?? this.config.keepAliveMs,
      expiresAtEpochMs: undefined,
      expireTimer: undefined,
      unloaded,
      markUnloaded,
    };
    runtime.runner = runner;
    runtime.loads++;
    return runner;
  }

  private lease(runner: Runner, keepAliveMs: number | undefined, waitedForLoad: boolean): RunnerLease {
    runner.refCount++;
    clearTimeout(runner.expireTimer);
    runner.expireTimer = undefined;
    if (keepAliveMs !== undefined) runner.sessionDurationMs = keepAliveMs;
    let released = false;
    return {
      runner,
      waitedForLoad,
      release: () => {
        if (released) return;
        released = true;
        runner.refCount--;
        if (runner.refCount <= 0) this.becameIdle(runner);
      },
    };
  }

  private becameIdle(runner: Runner): void {
    if (runner.sessionDurationMs <= 0 || this.closed) {
      this.unload(runner);
      return;
    }
    if (runner.sessionDurationMs >= FOREVER_MS) {
      runner.expiresAtEpochMs = epochMs() + FOREVER_MS;
      return;
    }
    clearTimeout(runner.expireTimer);
    runner.expireTimer = setTimeout(() => this.unload(runner), runner.sessionDurationMs);
    runner.expiresAtEpochMs = epochMs() + runner.sessionDurationMs;
  }

  /** Unloads as soon as idle (keep_alive 0, eviction, reload). */
  private expire(runner: Runner): void {
    clearTimeout(runner.expireTimer);
    runner.expireTimer = undefined;
    runner.sessionDurationMs = 0;
    runner.expiresAtEpochMs = epochMs();
    if (runner.refCount <= 0) this.unload(runner);
  }

  /** The `keep_alive: 0` shortcut with an empty prompt. */
  expireModel(model: CatalogModel): void {
    const runner = this.runtimes.get(model.canonical)?.runner;
    if (runner) this.expire(runner);
  }

  private unload(runner: Runner): void {
    clearTimeout(runner.expireTimer);
    runner.expireTimer = undefined;
    const runtime = this.runtimes.get(runner.model.canonical);
    if (runtime?.runner === runner) runtime.runner = undefined;
    runner.markUnloaded();
  }

  /** When /api/ps says the runner expires: idle ones by their timer, busy ones one keep-alive from now. */
  expiresAt(runner: Runner): number {
    if (runner.refCount > 0 || runner.expiresAtEpochMs === undefined) {
      return epochMs() + Math.min(runner.sessionDurationMs, FOREVER_MS);
    }
    return runner.expiresAtEpochMs;
  }

  /** Slots of generation models (`OLLAMA_NUM_PARALLEL`) as configured now. */
  get numParallel(): number {
    return this.config.numParallel;
  }

  setNumParallel(numParallel: number): void {
    this.config.numParallel = numParallel;
    for (const runner of this.loadedRunners()) {
      if (!runner.model.embedding) runner.slots.setCapacity(numParallel);
    }
  }

  /** Stops the queue and every expiry timer; pending requests are cancelled by their own signals. */
  close(): void {
    this.closed = true;
    for (const runner of this.loadedRunners()) {
      clearTimeout(runner.expireTimer);
      runner.expireTimer = undefined;
      runner.markUnloaded();
    }
    for (const pending of this.queue.splice(0)) {
      pending.runtime.queued--;
      pending.reject(new RequestCancelled());
    }
  }
}
