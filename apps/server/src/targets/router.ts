import type { PoolConfig } from '../config/index.ts';
import { canonicalModel, modelPatternMatches } from './model-names.ts';

/** What routing needs to know of a target. */
export interface RoutableTarget {
  readonly name: string;
  readonly health: 'up' | 'down' | 'unknown';
  /** Canonical names of the models it has, or undefined before the first listing. */
  readonly models: ReadonlySet<string> | undefined;
  /** In flight + queued: the load routing balances. */
  outstanding(): number;
}

const HEALTH_RANK = { up: 0, unknown: 1, down: 2 } as const;

/**
 * Orders the targets a call may go to: only those its pool allows and that have the model (all allowed
 * ones when none lists it, so Ollama itself answers "model not found"), up before unknown before down,
 * then the fewest outstanding calls. Ties rotate so equal targets share the load.
 */
export class TargetRouter<T extends RoutableTarget> {
  private rotation = 0;

  constructor(
    private readonly targets: readonly T[],
    private readonly pools: readonly PoolConfig[],
  ) {}

  /** Candidates for a call on `model` (undefined for calls without one), best first. */
  candidates(model: string | undefined): T[] {
    let allowed = this.targets as T[];
    if (model !== undefined) {
      const pools = this.pools.filter((p) => p.models.some((pattern) => modelPatternMatches(pattern, model)));
      if (pools.length > 0) {
        const names = new Set(pools.flatMap((p) => p.targets));
        allowed = allowed.filter((t) => names.has(t.name));
      }
      const wanted = canonicalModel(model);
      const having = allowed.filter((t) => t.models?.has(wanted));
      if (having.length > 0) allowed = having;
    }
    const start = this.rotation++ % Math.max(1, allowed.length);
    const rotated = [...allowed.slice(start), ...allowed.slice(0, start)];
    const load = new Map(rotated.map((t) => [t, t.outstanding()]));
    // Array.prototype.sort is stable: the rotation breaks ties.
    return rotated.sort(
      (a, b) => HEALTH_RANK[a.health] - HEALTH_RANK[b.health] || load.get(a)! - load.get(b)!,
    );
  }

  /**
   * The target for attempt `attempt` (1-based) of a call: the best candidate not yet tried, or, when
   * every candidate has failed, the best one again (a retry on the same target after backoff).
   */
  pick(model: string | undefined, tried: ReadonlySet<string>): T | undefined {
    const list = this.candidates(model);
    return list.find((t) => !tried.has(t.name)) ?? list[0];
  }
}
