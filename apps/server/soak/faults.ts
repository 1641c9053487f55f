/**
 * The rotating fault schedule: every `everyMs` one simulator gets the next fault kind of a seeded
 * rotation (all nine kinds, reshuffled each round), armed for a few requests (`remaining`) or a
 * while (`forMs`). Faults aim at the faulty and embedding models only, never at the model whose calls
 * the clients abort; a whole-server refuse goes only to the simulator that does not serve that model.
 */
import { FAULT_KINDS, type FaultKind, type FaultSpec } from '@lookout/ollama-sim';
import { REFUSING_SIM, SOAK_MODELS } from './fleet.ts';
import type { SeededRandom } from './rng.ts';
import type { SimulatorFleet } from './sims.ts';

/** Text of injected runner failures, so they read apart from anything Lookout writes. */
export const INJECTED_FAILURE = 'soak: injected runner failure';

export class FaultSchedule {
  /** Faults armed, by kind (a whole-server refuse counted as `refuse_server`). */
  readonly armed: Record<string, number> = {};
  /** Control requests the simulator process refused or did not answer. */
  readonly errors: string[] = [];
  #rotation: FaultKind[] = [];
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly sims: SimulatorFleet,
    private readonly random: SeededRandom,
    private readonly everyMs: number,
  ) {}

  start(): void {
    this.#timer = setInterval(() => this.armNext(), this.everyMs);
  }

  /** Stops arming and clears every simulator's faults (a stopped listener listens again). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#inFlight;
    await Promise.all(this.sims.urls.map((_, i) => this.#control(this.sims.clearFaults(i))));
  }

  /** Arms the next fault of the rotation on one simulator. */
  armNext(): void {
    if (this.#rotation.length === 0) this.#rotation = this.#shuffled();
    const kind = this.#rotation.pop()!;
    const r = this.random;
    const every = this.sims.urls.map((_, i) => i);
    let sims: number[];
    let spec: FaultSpec;
    if (kind === 'refuse' && r.chance(0.5)) {
      sims = [REFUSING_SIM];
      spec = { kind: 'refuse', forMs: r.int(800, 2_000) };
      this.#count('refuse_server');
    } else {
      spec = this.#spec(kind);
      // Busy or refusing everywhere at once, so retries and failover run out too.
      const everywhere = (kind === 'http_503' || kind === 'refuse') && r.chance(0.5);
      sims = everywhere ? every : [r.pick(every)];
      this.#count(everywhere ? `${kind}_everywhere` : kind);
    }
    this.#inFlight = this.#control(
      Promise.all(sims.map((i) => this.sims.setFaults(i, [spec]))).then(() => {}),
    );
  }

  #control(request: Promise<void>): Promise<void> {
    return request.catch((error: unknown) => {
      this.errors.push(error instanceof Error ? error.message : String(error));
    });
  }

  #spec(kind: FaultKind): FaultSpec {
    const r = this.random;
    const lifetime = r.chance(0.5) ? { remaining: r.int(1, 4) } : { forMs: r.int(1_000, 2_500) };
    const either = r.chance(0.7) ? SOAK_MODELS.faulty : SOAK_MODELS.embed;
    switch (kind) {
      case 'refuse':
        return { kind, model: SOAK_MODELS.faulty, ...lifetime };
      case 'hang':
      case 'http_503':
        return { kind, model: either, ...lifetime };
      case 'http_500':
        return { kind, model: either, message: INJECTED_FAILURE, ...lifetime };
      case 'error_line':
        return {
          kind,
          model: SOAK_MODELS.faulty,
          afterChunks: r.int(0, 4),
          message: INJECTED_FAILURE,
          ...lifetime,
        };
      case 'stall':
      case 'reset':
      case 'malformed_line':
        return { kind, model: SOAK_MODELS.faulty, afterChunks: r.int(0, 4), ...lifetime };
      case 'drip':
        return {
          kind,
          model: SOAK_MODELS.faulty,
          dripIntervalMs: r.int(10, 60),
          dripBytes: r.int(8, 64),
          ...lifetime,
        };
    }
  }

  #shuffled(): FaultKind[] {
    const kinds = [...FAULT_KINDS];
    for (let i = kinds.length - 1; i > 0; i--) {
      const j = this.random.int(0, i);
      [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
    }
    return kinds;
  }

  #count(kind: string): void {
    this.armed[kind] = (this.armed[kind] ?? 0) + 1;
  }
}
