import { type CallEvent, type CallEventSink, TargetGate, type Timeouts } from '@lookout/client-core';
import type { LookoutConfig, ModelOverrides, TargetConfig } from '../config/index.ts';
import { ConcurrencyControl, type ConcurrencySetting } from './concurrency.ts';
import { canonicalModel } from './model-names.ts';
import type { RoutableTarget } from './router.ts';

export type TargetHealth = 'up' | 'down' | 'unknown';

/** A model loaded in a target's memory, from its `/api/ps`. */
export interface LoadedModel {
  name: string;
  sizeBytes: number;
  sizeVramBytes: number;
  expiresAt: string;
}

/** One generation probe of a target. */
export interface GenerationProbeResult {
  at: string;
  model: string | undefined;
  status: 'ok' | 'failed' | 'skipped';
  ttftMs?: number;
  totalMs?: number;
  /** Why it failed (the core's error code and message) or was skipped. */
  code?: string;
  message?: string;
}

/** Call budgets and retries for one call on one target and model. */
export interface CallPolicy {
  timeouts: Timeouts;
  maxRetries: number;
}

/** One Ollama instance as Lookout sees it: its gate, what it serves, and how healthy it is. */
export class RelayTarget implements RoutableTarget {
  readonly name: string;
  readonly url: string;
  readonly gate: TargetGate;
  /** Owns `gate`'s maxConcurrent: configured, learned, or pinned by hand. */
  readonly concurrency: ConcurrencyControl;
  health: TargetHealth = 'unknown';
  /** Canonical names from its `/api/tags`; undefined until the first listing. */
  models: ReadonlySet<string> | undefined;
  loadedModels: LoadedModel[] = [];
  version: string | undefined;
  lastProbeAt: string | undefined;
  lastError: { code: string; message: string } | undefined;
  /** The last generation probe: what it measured, or why it failed or was skipped. */
  lastGenerationProbe: GenerationProbeResult | undefined;

  constructor(
    readonly config: TargetConfig,
    private readonly global: LookoutConfig,
  ) {
    this.name = config.name;
    this.url = config.url;
    this.gate = new TargetGate({
      name: config.name,
      maxConcurrent: config.maxConcurrent ?? global.maxConcurrent,
      maxQueue: config.maxQueue ?? global.maxQueue,
      queueTimeoutMs: config.queueTimeoutMs ?? global.queueTimeoutMs,
    });
    this.concurrency = new ConcurrencyControl(this.gate, concurrencySetting(config, global));
  }

  /**
   * What a health probe found. A target that came back up or changed version was restarted: an adaptive
   * limit relearns from scratch. A model swap needs no reset: the limiter keeps a baseline per model.
   */
  observeProbe(found: {
    health: TargetHealth;
    version?: string;
    loadedModels: readonly LoadedModel[];
  }): void {
    const restart = this.#restartSeen(found);
    if (found.version !== undefined) this.version = found.version;
    this.loadedModels = [...found.loadedModels];
    this.health = found.health;
    if (restart) this.concurrency.targetChanged(restart);
  }

  #restartSeen(found: { health: TargetHealth; version?: string }): string | undefined {
    if (this.health === 'down' && found.health === 'up') return 'target back up';
    if (this.version !== undefined && found.version !== undefined && found.version !== this.version) {
      return `version ${this.version} -> ${found.version}`;
    }
    return undefined;
  }

  outstanding(): number {
    return this.gate.inFlight + this.gate.queueDepth;
  }

  setModels(names: Iterable<string>): void {
    this.models = new Set([...names].map(canonicalModel));
  }

  /** Budgets for a call on `model`: global < global model override < target < target model override. */
  policyFor(model: string | undefined): CallPolicy {
    const layers: (ModelOverrides | TargetConfig | LookoutConfig | undefined)[] = [
      this.global,
      model === undefined ? undefined : findModel(this.global.models, model),
      this.config,
      model === undefined ? undefined : findModel(this.config.models, model),
    ];
    const pick = <K extends keyof ModelOverrides>(key: K): number => {
      let value = this.global[key] as number;
      for (const layer of layers) {
        const v = layer?.[key];
        if (typeof v === 'number') value = v;
      }
      return value;
    };
    return {
      timeouts: {
        connectTimeoutMs: pick('connectTimeoutMs'),
        firstByteTimeoutMs: pick('firstByteTimeoutMs'),
        idleTimeoutMs: pick('idleTimeoutMs'),
        totalTimeoutMs: pick('totalTimeoutMs'),
      },
      maxRetries: pick('maxRetries'),
    };
  }
}

function findModel(
  table: Record<string, ModelOverrides> | undefined,
  model: string,
): ModelOverrides | undefined {
  if (!table) return undefined;
  const exact = table[model];
  if (exact) return exact;
  const wanted = canonicalModel(model);
  for (const [name, overrides] of Object.entries(table))
    if (canonicalModel(name) === wanted) return overrides;
  return undefined;
}

function concurrencySetting(target: TargetConfig, global: LookoutConfig): ConcurrencySetting {
  const own = target.concurrency;
  const mode = typeof own === 'object' ? own.mode : (own ?? global.concurrency);
  if (mode === 'static') return { mode, limit: target.maxConcurrent ?? global.maxConcurrent };
  return {
    mode,
    minLimit: (typeof own === 'object' ? own.min : undefined) ?? global.adaptiveMinConcurrent,
    maxLimit: (typeof own === 'object' ? own.max : undefined) ?? global.adaptiveMaxConcurrent,
  };
}

/** The fleet: every configured target, by name and in configured order. */
export class TargetRegistry implements CallEventSink {
  readonly all: readonly RelayTarget[];
  private readonly byName: Map<string, RelayTarget>;

  constructor(config: LookoutConfig) {
    this.all = config.targets.map((t) => new RelayTarget(t, config));
    this.byName = new Map(this.all.map((t) => [t.name, t]));
  }

  get(name: string): RelayTarget | undefined {
    return this.byName.get(name);
  }

  /** Call events, for the targets' concurrency limits (chunks carry nothing they use). */
  onEvent(event: CallEvent): void {
    if (event.type === 'chunk' || event.target === undefined) return;
    this.byName.get(event.target)?.concurrency.onEvent(event);
  }
}
