import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ModelCatalog } from './models.ts';
import type { ModelRuntime, Scheduler } from './scheduler.ts';
import type { CancellationRecord, ConnectionStats, ModelStats, SimulatorStats } from './types.ts';

/** The server's open sockets and unfinished requests (live state: a stats reset leaves it alone). */
export class ConnectionTracker {
  private readonly sockets = new Set<Socket>();
  private activeRequests = 0;

  socketOpened(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  /** A request on the Ollama surface: active until its response is sent in full or cut ('close' covers both). */
  requestStarted(res: ServerResponse): void {
    this.activeRequests++;
    res.once('close', () => this.activeRequests--);
  }

  snapshot(): ConnectionStats {
    let queuedBytes = 0;
    for (const socket of this.sockets) queuedBytes += socket.writableLength;
    return { open: this.sockets.size, activeRequests: this.activeRequests, queuedBytes };
  }
}

/** Counter values at the last reset. */
interface Baseline {
  completed: number;
  loads: number;
  slotWaits: number;
  slotWaitMsTotal: number;
}

const ZERO: Baseline = { completed: 0, loads: 0, slotWaits: 0, slotWaitMsTotal: 0 };

/** Counters for tests: requests seen, cancellations with their time, and the scheduler's live state. */
export class StatsRecorder {
  private totalRequests = 0;
  private cancellations: CancellationRecord[] = [];
  private frozen = false;
  /** Baselines subtracted from the runtimes' counters since the last reset. */
  private baselines = new Map<ModelRuntime, Baseline>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly catalog: ModelCatalog,
    private readonly connections: ConnectionTracker = new ConnectionTracker(),
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
      this.baselines.set(runtime, {
        completed: runtime.completed,
        loads: runtime.loads,
        slotWaits: runtime.slotWaits,
        slotWaitMsTotal: runtime.slotWaitMsTotal,
      });
      runtime.maxInFlightSeen = runtime.runner?.slots.inUse ?? 0;
      runtime.slotWaitMsMax = 0;
    }
  }

  snapshot(): SimulatorStats {
    const models: Record<string, ModelStats> = {};
    let slotWaitMsTotal = 0;
    for (const model of this.catalog.all()) {
      const runtime = this.scheduler.runtime(model);
      const runner = runtime.runner;
      const baseline = this.baselines.get(runtime) ?? ZERO;
      const waitedMs = runtime.slotWaitMsTotal - baseline.slotWaitMsTotal;
      slotWaitMsTotal += waitedMs;
      models[model.key] = {
        inFlight: runner?.slots.inUse ?? 0,
        waiting: runtime.queued + (runner?.slots.waiting ?? 0),
        queued: runtime.queued,
        loaded: runner !== undefined,
        maxInFlightSeen: runtime.maxInFlightSeen,
        completed: runtime.completed - baseline.completed,
        loads: runtime.loads - baseline.loads,
        slots: runner?.slots.slots ?? 0,
        slotWaits: runtime.slotWaits - baseline.slotWaits,
        slotWaitMsTotal: waitedMs,
        slotWaitMsMax: runtime.slotWaitMsMax,
      };
    }
    return {
      totalRequests: this.totalRequests,
      numParallel: this.scheduler.numParallel,
      slotWaitMsTotal,
      models,
      schedulerQueueDepth: this.scheduler.queueDepth,
      cancellations: this.cancellations.map((c) => ({ ...c })),
      connections: this.connections.snapshot(),
    };
  }
}
