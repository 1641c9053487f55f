import type { ModelCatalog } from './models.ts';
import type { ModelRuntime, Scheduler } from './scheduler.ts';
import type { CancellationRecord, ModelStats, SimulatorStats } from './types.ts';

/** Counters for tests: requests seen, cancellations with their time, and the scheduler's live state. */
export class StatsRecorder {
  private totalRequests = 0;
  private cancellations: CancellationRecord[] = [];
  private frozen = false;
  /** Baselines subtracted from the runtimes' counters since the last reset. */
  private baselines = new Map<ModelRuntime, { completed: number; loads: number }>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly catalog: ModelCatalog,
  ) {}

  countRequest(): void {
    this.totalRequests++;
  }

  recordCancellation(record: CancellationRecord): void {
    if (!this.frozen) this.cancellations.push(record);
  }

  /** Stops recording cancellations: the simulator is closing and cuts its own connections. */
  freeze(): void {
    this.frozen = true;
  }

  reset(): void {
    this.totalRequests = 0;
    this.cancellations = [];
    this.baselines = new Map();
    for (const runtime of this.scheduler.allRuntimes()) {
      this.baselines.set(runtime, { completed: runtime.completed, loads: runtime.loads });
      runtime.maxInFlightSeen = runtime.runner?.slots.inUse ?? 0;
    }
  }

  snapshot(): SimulatorStats {
    const models: Record<string, ModelStats> = {};
    for (const model of this.catalog.all()) {
      const runtime = this.scheduler.runtime(model);
      const runner = runtime.runner;
      const baseline = this.baselines.get(runtime) ?? { completed: 0, loads: 0 };
      models[model.key] = {
        inFlight: runner?.slots.inUse ?? 0,
        waiting: runtime.queued + (runner?.slots.waiting ?? 0),
        queued: runtime.queued,
        loaded: runner !== undefined,
        maxInFlightSeen: runtime.maxInFlightSeen,
        completed: runtime.completed - baseline.completed,
        loads: runtime.loads - baseline.loads,
      };
    }
    return {
      totalRequests: this.totalRequests,
      models,
      schedulerQueueDepth: this.scheduler.queueDepth,
      cancellations: this.cancellations.map((c) => ({ ...c })),
    };
  }
}
