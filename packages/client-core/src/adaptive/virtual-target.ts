/**
 * Test fixture: an Ollama target in virtual time. N slots with an unbounded FIFO queue in front
 * (Ollama's slot semaphore), closed-loop clients going through a real `TargetGate`, and the call
 * events executeCall would emit (queued, dispatched, headers, done with Ollama's final metrics), in
 * executeCall's order (the lease is released before `done` is sent). A seeded generator varies
 * prompts and network time, so a run is the same every time and minutes of load take milliseconds.
 */
import type { CallEvent, CallInfo, EndpointKind, OllamaFinalMetrics } from '../events.ts';
import { TargetGate } from '../gate.ts';

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Timer {
  atMs: number;
  seq: number;
  fn: () => void;
}

/** A clock that only moves when `run` fires its timers, in time order (ties in scheduling order). */
export class VirtualClock {
  nowMs = 0;
  #seq = 0;
  readonly #timers: Timer[] = [];

  readonly now = (): number => this.nowMs;

  at(atMs: number, fn: () => void): void {
    this.#timers.push({ atMs: Math.max(atMs, this.nowMs), seq: this.#seq++, fn });
    this.#timers.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.at(this.nowMs + ms, resolve));
  }

  /** Fires every timer due by `untilMs` (and those they schedule), letting promises settle after each. */
  async run(untilMs: number): Promise<void> {
    for (;;) {
      // Let pending promise chains run first: they may schedule the next timer.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const timer = this.#timers[0];
      if (timer === undefined || timer.atMs > untilMs) break;
      this.#timers.shift();
      this.nowMs = timer.atMs;
      timer.fn();
    }
    if (Number.isFinite(untilMs)) this.nowMs = Math.max(this.nowMs, untilMs);
  }

  get pending(): number {
    return this.#timers.length;
  }
}

/** How one call is shaped: what it asks of the target. */
export interface CallShape {
  model: string;
  /** native_stream: /api/chat streamed; openai_stream: /v1 streamed (no durations in the metrics);
   * native_whole: /api/chat with stream:false; embed: /api/embed. */
  kind: 'native_stream' | 'openai_stream' | 'native_whole' | 'embed';
  promptEvalMs: number;
  tokens: number;
  tokenMs: number;
  /** Network time each way. */
  netMs: number;
}

export interface VirtualTargetOptions {
  clock: VirtualClock;
  name?: string;
  slots: number;
  /** Extra load time Ollama reports as load_duration on the first call after `swapModel`. */
  loadMs?: number;
}

/** The slots of one target: holders keep theirs when the count drops; waiters are served in order. */
export class VirtualTarget {
  readonly gate: TargetGate;
  readonly #clock: VirtualClock;
  #slots: number;
  #used = 0;
  readonly #waiters: (() => void)[] = [];
  #pendingLoadMs = 0;
  #loadMs: number;
  /** Waits for a slot (ms), with when the slot was granted. */
  readonly slotWaits: { atMs: number; waitedMs: number }[] = [];
  maxQueue = 0;

  constructor(options: VirtualTargetOptions) {
    this.#clock = options.clock;
    this.#slots = options.slots;
    this.#loadMs = options.loadMs ?? 0;
    this.gate = new TargetGate({
      name: options.name ?? 'gpu-1',
      maxConcurrent: 1,
      maxQueue: 10_000,
      queueTimeoutMs: 600_000,
    });
  }

  get slots(): number {
    return this.#slots;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  setSlots(slots: number): void {
    this.#slots = slots;
    this.#drain();
  }

  /** The next call loads a model first (a swap): its load_duration covers it. */
  swapModel(): void {
    this.#pendingLoadMs = this.#loadMs;
  }

  /** Takes a slot (FIFO); resolves with the wait in ms. */
  acquire(): Promise<number> {
    const askedAtMs = this.#clock.nowMs;
    return new Promise((resolve) => {
      const grant = (): void => {
        this.#used++;
        const waitedMs = this.#clock.nowMs - askedAtMs;
        this.slotWaits.push({ atMs: this.#clock.nowMs, waitedMs });
        resolve(waitedMs);
      };
      if (this.#used < this.#slots && this.#waiters.length === 0) grant();
      else {
        this.#waiters.push(grant);
        this.maxQueue = Math.max(this.maxQueue, this.#waiters.length);
      }
    });
  }

  release(): void {
    this.#used--;
    this.#drain();
  }

  /** Load time the next call reports (once). */
  takeLoadMs(): number {
    const ms = this.#pendingLoadMs;
    this.#pendingLoadMs = 0;
    return ms;
  }

  #drain(): void {
    while (this.#used < this.#slots && this.#waiters.length > 0) this.#waiters.shift()!();
  }
}

const ENDPOINT: Record<CallShape['kind'], { path: string; endpoint: EndpointKind; streaming: boolean }> = {
  native_stream: { path: '/api/chat', endpoint: 'chat', streaming: true },
  openai_stream: { path: '/v1/chat/completions', endpoint: 'openai_chat', streaming: true },
  native_whole: { path: '/api/chat', endpoint: 'chat', streaming: false },
  embed: { path: '/api/embed', endpoint: 'embed', streaming: false },
};

let callSeq = 0;

/** One call through the gate and the target, emitting its events to `emit`. Resolves at its end. */
export async function virtualCall(
  target: VirtualTarget,
  clock: VirtualClock,
  shape: CallShape,
  emit: (event: CallEvent) => void,
): Promise<void> {
  const route = ENDPOINT[shape.kind];
  const call: CallInfo = {
    callId: `c${++callSeq}`,
    source: 'app',
    method: 'POST',
    path: route.path,
    endpoint: route.endpoint,
    model: shape.model,
    streaming: route.streaming,
    startedAtMs: clock.nowMs,
  };
  const name = target.gate.name;
  const lease = await target.gate.acquire({
    onQueued: (queueDepth) => emit({ type: 'queued', call, atMs: clock.nowMs, target: name, queueDepth }),
  });
  emit({ type: 'dispatched', call, atMs: clock.nowMs, target: name, attempt: 1 });
  await clock.sleep(shape.netMs);
  const arrivedAtMs = clock.nowMs;
  const loadMs = target.takeLoadMs();
  if (loadMs > 0) await clock.sleep(loadMs);
  await target.acquire();
  const evalMs = shape.kind === 'embed' ? 0 : shape.tokens * shape.tokenMs;
  if (route.streaming) {
    await clock.sleep(shape.promptEvalMs + shape.tokenMs);
    const firstTokenAtMs = clock.nowMs;
    clock.at(firstTokenAtMs + shape.netMs, () =>
      emit({ type: 'headers', call, atMs: clock.nowMs, target: name, attempt: 1, status: 200 }),
    );
    await clock.sleep(evalMs - shape.tokenMs);
  } else {
    await clock.sleep(shape.promptEvalMs + evalMs);
  }
  const endedAtMs = clock.nowMs;
  target.release();
  await clock.sleep(shape.netMs);
  if (!route.streaming) {
    emit({ type: 'headers', call, atMs: clock.nowMs, target: name, attempt: 1, status: 200 });
  }
  const metrics: OllamaFinalMetrics =
    shape.kind === 'openai_stream'
      ? { evalCount: shape.tokens, promptEvalCount: 10 }
      : shape.kind === 'embed'
        ? {
            totalDurationNs: ms(endedAtMs - arrivedAtMs),
            promptEvalCount: 10,
            ...nonZero('loadDurationNs', loadMs),
          }
        : {
            totalDurationNs: ms(endedAtMs - arrivedAtMs),
            ...nonZero('loadDurationNs', loadMs),
            promptEvalCount: 10,
            promptEvalDurationNs: ms(shape.promptEvalMs),
            evalCount: shape.tokens,
            evalDurationNs: ms(evalMs),
          };
  lease.release(); // executeCall releases the lease before it sends the terminal event
  emit({ type: 'done', call, atMs: clock.nowMs, target: name, status: 200, attempts: 1, metrics });
}

const ms = (value: number): number => Math.round(value * 1e6);

/** Ollama leaves zero durations out. */
function nonZero(key: 'loadDurationNs', valueMs: number): OllamaFinalMetrics {
  return valueMs > 0 ? { [key]: ms(valueMs) } : {};
}

export interface ClosedLoadOptions {
  clients: number;
  /** Clients start no new call from then on; calls under way finish. */
  stopAtMs: number;
  shape: (random: () => number) => CallShape;
  seed?: number;
  /** Pause of a client between two calls. */
  thinkMs?: number;
}

/** Closed-loop clients: each sends a call, waits for its end (and `thinkMs`), sends the next. */
export function closedLoad(
  target: VirtualTarget,
  clock: VirtualClock,
  emit: (event: CallEvent) => void,
  options: ClosedLoadOptions,
): Promise<void> {
  const random = seededRandom(options.seed ?? 1);
  const client = async (): Promise<void> => {
    while (clock.nowMs < options.stopAtMs) {
      await virtualCall(target, clock, options.shape(random), emit);
      if (options.thinkMs !== undefined) await clock.sleep(options.thinkMs);
    }
  };
  return Promise.all(Array.from({ length: options.clients }, client)).then(() => undefined);
}

/** Records `read()` every `everyMs` from `fromMs` to `untilMs`: a timeline to assert on. */
export function sampleEvery(
  clock: VirtualClock,
  fromMs: number,
  untilMs: number,
  everyMs: number,
  read: () => number,
): { atMs: number; value: number }[] {
  const out: { atMs: number; value: number }[] = [];
  for (let t = fromMs; t <= untilMs; t += everyMs) clock.at(t, () => out.push({ atMs: t, value: read() }));
  return out;
}

/** A streamed native chat: prompt evaluation drawn in [promptMinMs, promptMaxMs], network 0.2-2 ms. */
export function nativeStream(
  options: {
    model?: string;
    promptMinMs?: number;
    promptMaxMs?: number;
    tokens?: number;
    tokenMs?: number;
  } = {},
): (random: () => number) => CallShape {
  const { model = 'llama3.2:1b', promptMinMs = 100, promptMaxMs = 300, tokens = 50, tokenMs = 30 } = options;
  return (random) => ({
    model,
    kind: 'native_stream',
    promptEvalMs: promptMinMs + random() * (promptMaxMs - promptMinMs),
    tokens,
    tokenMs,
    netMs: 0.2 + random() * 1.8,
  });
}
