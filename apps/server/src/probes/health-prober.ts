import {
  type CallEventSink,
  createOllamaClient,
  isLookoutError,
  type OllamaClient,
  type UpstreamPool,
} from '@lookout/client-core';
import type { Logger } from '../log.ts';
import type { RelayTarget } from '../targets/registry.ts';

export interface HealthProberOptions {
  targets: readonly RelayTarget[];
  pool: UpstreamPool;
  sink: CallEventSink;
  intervalMs: number;
  log: Logger;
  /** Consecutive failed rounds before a target is marked down (no flapping on one lost probe). */
  failuresToDown?: number;
  /** Consecutive good rounds before a down target is marked up again. */
  successesToUp?: number;
  /** Budget of each probe request. */
  probeTimeoutMs?: number;
}

interface ProbeState {
  client: OllamaClient;
  running: boolean;
  goodStreak: number;
  badStreak: number;
}

/**
 * Checks every target each interval: alive and its version (`/api/version`), the models it has
 * (`/api/tags`, which routing uses) and the models loaded now (`/api/ps`). Probe requests do not take
 * a slot of the target's gate: they use no Ollama slot, and a busy target must not look dead.
 */
export class HealthProber {
  private readonly states = new Map<RelayTarget, ProbeState>();
  private timer: NodeJS.Timeout | undefined;
  private readonly failuresToDown: number;
  private readonly successesToUp: number;

  constructor(private readonly options: HealthProberOptions) {
    this.failuresToDown = options.failuresToDown ?? 2;
    this.successesToUp = options.successesToUp ?? 1;
    const budget = options.probeTimeoutMs ?? Math.min(10_000, Math.max(1_000, options.intervalMs));
    for (const target of options.targets) {
      this.states.set(target, {
        client: createOllamaClient({
          host: target.url,
          name: target.name,
          pool: options.pool,
          sink: options.sink,
          source: 'probe',
          retry: { maxRetries: 0 },
          timeouts: {
            connectTimeoutMs: Math.min(budget, 2_000),
            firstByteTimeoutMs: budget,
            idleTimeoutMs: budget,
            totalTimeoutMs: budget,
          },
        }),
        running: false,
        goodStreak: 0,
        badStreak: 0,
      });
    }
  }

  /** Probes every interval (the caller runs the first round, usually awaiting it before serving). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.probeAll(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round over every target; a target whose previous round is still running is skipped. */
  async probeAll(): Promise<void> {
    await Promise.all(this.options.targets.map((t) => this.probe(t)));
  }

  async probe(target: RelayTarget): Promise<void> {
    const state = this.states.get(target);
    if (!state || state.running) return;
    state.running = true;
    try {
      const [version, tags, ps] = await Promise.all([
        state.client.version(),
        state.client.list(),
        state.client.ps(),
      ]);
      target.setModels(tags.models.map((m) => m.name));
      state.badStreak = 0;
      state.goodStreak++;
      target.lastError = undefined;
      const comesUp =
        target.health !== 'up' && (target.health === 'unknown' || state.goodStreak >= this.successesToUp);
      if (comesUp && target.health === 'down')
        this.options.log.info({ target: target.name }, 'target is up again');
      target.observeProbe({
        health: comesUp ? 'up' : target.health,
        version: version.version,
        loadedModels: ps.models.map((m) => ({
          name: m.name,
          sizeBytes: m.size,
          sizeVramBytes: m.size_vram,
          expiresAt: m.expires_at,
        })),
      });
    } catch (error) {
      state.goodStreak = 0;
      state.badStreak++;
      target.lastError = isLookoutError(error)
        ? { code: error.code, message: error.message }
        : { code: 'LOOKOUT_PROBE_FAILED', message: String((error as Error)?.message ?? error) };
      if (
        target.health !== 'down' &&
        (target.health === 'unknown' || state.badStreak >= this.failuresToDown)
      ) {
        this.options.log.warn({ target: target.name, error: target.lastError }, 'target is down');
        target.health = 'down';
      }
    } finally {
      target.lastProbeAt = new Date().toISOString();
      state.running = false;
    }
  }
}
