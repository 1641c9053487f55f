import {
  type CallEventSink,
  createOllamaClient,
  isLookoutError,
  type OllamaClient,
  type UpstreamPool,
} from '@lookout/client-core';
import type { Logger } from '../log.ts';
import { canonicalModel } from '../targets/model-names.ts';
import type { GenerationProbeResult, RelayTarget } from '../targets/registry.ts';

export interface GenerationProberOptions {
  targets: readonly RelayTarget[];
  pool: UpstreamPool;
  sink: CallEventSink;
  /** Default period; a target's `generationProbe.intervalMs` overrides it. 0 turns probing off. */
  intervalMs: number;
  log: Logger;
}

const DEFAULT_PROMPT = 'Say OK.';

interface TargetProbe {
  target: RelayTarget;
  client: OllamaClient;
  timer: NodeJS.Timeout | undefined;
  running: boolean;
  /** Models that answered "does not support generate" (embedding-only): never probed again. */
  notGenerative: Set<string>;
}

/**
 * Measures each target's time to first token with a one-token generation. By default only against a
 * model already loaded (a probe must not load models or evict the ones users need), never more than one
 * at a time per target, and through the target's gate so it never exceeds the concurrency limit.
 * Calls are counted under the `probe` source, apart from application traffic.
 */
export class GenerationProber {
  private readonly probes: TargetProbe[];

  constructor(private readonly options: GenerationProberOptions) {
    this.probes = options.targets.map((target) => ({
      target,
      client: createOllamaClient({
        host: target.url,
        name: target.name,
        gate: target.gate,
        pool: options.pool,
        sink: options.sink,
        source: 'probe',
        retry: { maxRetries: 0 },
        timeouts: target.policyFor(undefined).timeouts,
      }),
      timer: undefined,
      running: false,
      notGenerative: new Set(),
    }));
  }

  start(): void {
    for (const probe of this.probes) {
      const config = probe.target.config.generationProbe;
      const intervalMs = config?.intervalMs ?? this.options.intervalMs;
      if (config?.enabled === false || intervalMs <= 0 || probe.timer) continue;
      probe.timer = setInterval(() => void this.probe(probe.target), intervalMs);
      probe.timer.unref();
    }
  }

  stop(): void {
    for (const probe of this.probes) {
      clearInterval(probe.timer);
      probe.timer = undefined;
    }
  }

  /** Probes one target now (skipped while its previous probe runs); resolves with what it recorded. */
  async probe(target: RelayTarget): Promise<GenerationProbeResult | undefined> {
    const probe = this.probes.find((p) => p.target === target);
    if (!probe || probe.running) return undefined;
    probe.running = true;
    try {
      const result = await this.run(probe);
      target.lastGenerationProbe = result;
      return result;
    } finally {
      probe.running = false;
    }
  }

  private async run(probe: TargetProbe): Promise<GenerationProbeResult> {
    const { target } = probe;
    const at = new Date().toISOString();
    const model = this.pickModel(probe);
    if (target.health === 'down') return { at, model, status: 'skipped', message: 'target is down' };
    if (model === undefined) {
      return { at, model, status: 'skipped', message: 'no generation model is loaded' };
    }
    const prompt = target.config.generationProbe?.prompt ?? DEFAULT_PROMPT;
    const started = performance.now();
    let ttftMs: number | undefined;
    try {
      const stream = await probe.client.generate({
        model,
        prompt,
        stream: true,
        options: { num_predict: 1 },
      });
      for await (const part of stream) {
        if (ttftMs === undefined && (part.response.length > 0 || part.done))
          ttftMs = performance.now() - started;
      }
      const totalMs = performance.now() - started;
      return { at, model, status: 'ok', totalMs, ...(ttftMs === undefined ? {} : { ttftMs }) };
    } catch (error) {
      const code = isLookoutError(error) ? error.code : 'LOOKOUT_PROBE_FAILED';
      const message = error instanceof Error ? error.message : String(error);
      if (/does not support generate/.test(message)) probe.notGenerative.add(canonicalModel(model));
      if (code === 'LOOKOUT_QUEUE_FULL' || code === 'LOOKOUT_QUEUE_TIMEOUT') {
        return { at, model, status: 'skipped', code, message: 'target busy: the probe found no free slot' };
      }
      this.options.log.debug({ target: target.name, code }, 'generation probe failed');
      return { at, model, status: 'failed', code, message };
    }
  }

  /** The configured model when loaded (or when loading it is allowed), else the first loaded generation model. */
  private pickModel(probe: TargetProbe): string | undefined {
    const config = probe.target.config.generationProbe;
    const loaded = probe.target.loadedModels
      .map((m) => m.name)
      .filter((name) => !probe.notGenerative.has(canonicalModel(name)));
    if (config?.model !== undefined) {
      const wanted = canonicalModel(config.model);
      return config.loadModel || loaded.some((n) => canonicalModel(n) === wanted) ? config.model : undefined;
    }
    return loaded[0];
  }
}
