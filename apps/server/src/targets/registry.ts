import { TargetGate, type Timeouts } from '@lookout/client-core';
import type { LookoutConfig, ModelOverrides, TargetConfig } from '../config/index.ts';
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

/** The fleet: every configured target, by name and in configured order. */
export class TargetRegistry {
  readonly all: readonly RelayTarget[];
  private readonly byName: Map<string, RelayTarget>;

  constructor(config: LookoutConfig) {
    this.all = config.targets.map((t) => new RelayTarget(t, config));
    this.byName = new Map(this.all.map((t) => [t.name, t]));
  }

  get(name: string): RelayTarget | undefined {
    return this.byName.get(name);
  }
}
