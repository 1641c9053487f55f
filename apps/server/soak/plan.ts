/**
 * What each soak call does, drawn from a seeded source: endpoint, streaming, model role, the
 * simulator's timing headers, and whether (and when) its client aborts.
 */
import { SOAK_MODELS } from './fleet.ts';
import type { SeededRandom } from './rng.ts';

export type Endpoint = 'chat' | 'generate' | 'openai_chat' | 'embed' | 'openai_embed';

/**
 * Why the call was made the way it was (the model it names follows from it). `burst` calls come many
 * at once, on the model only two targets serve, to fill the gates' queues past their bounds.
 */
export type CallRole = 'clean' | 'tight' | 'faulty' | 'embed' | 'missing' | 'bad_request' | 'burst';

/**
 * The client's abort: `before_headers` aborts `delayMs` after Lookout has the call (queued or
 * dispatched) if no response came; `mid_stream` aborts after reading `afterFrames` stream frames.
 */
export type AbortPlan =
  | { kind: 'none' }
  | { kind: 'before_headers'; delayMs: number }
  | { kind: 'mid_stream'; afterFrames: number };

export type Framing = 'ndjson' | 'sse' | 'single';

export interface CallPlan {
  tag: number;
  role: CallRole;
  endpoint: Endpoint;
  path: string;
  model: string;
  stream: boolean;
  /** How the body comes when the call succeeds. */
  framing: Framing;
  headers: Record<string, string>;
  body: string;
  abort: AbortPlan;
}

const ROLE_WEIGHTS: Record<Exclude<CallRole, 'burst'>, number> = {
  clean: 40,
  tight: 20,
  faulty: 25,
  embed: 8,
  missing: 3,
  bad_request: 4,
};

const GENERATION_WEIGHTS = { chat: 40, generate: 30, openai_chat: 30 } as const;

const PATHS: Record<Endpoint, string> = {
  chat: '/api/chat',
  generate: '/api/generate',
  openai_chat: '/v1/chat/completions',
  embed: '/api/embed',
  openai_embed: '/v1/embeddings',
};

const WORDS = ['queue', 'relay', 'token', 'budget', 'stream', 'probe', 'slot', 'window', 'gauge', 'fleet'];

/** Time to first token beyond any abort delay: the call cannot answer before its client aborts. */
export const HELD_TTFT_MS = 4_000;
/** A stream long enough (80 tokens, 25 ms apart) that a mid-stream abort lands well before its end. */
const LONG_STREAM = { tokens: 80, intervalMs: 25 } as const;

/** Chance that a client's next turn is a burst, and the burst's size. */
const BURST = { chance: 0.01, calls: 8 } as const;

/** Draws call plans; `tag` numbers them from 0. */
export class CallPlanner {
  #nextTag = 0;

  constructor(private readonly random: SeededRandom) {}

  get planned(): number {
    return this.#nextTag;
  }

  /** A client's next turn: one call, or now and then a burst of calls made at once. */
  nextTurn(): CallPlan[] {
    if (!this.random.chance(BURST.chance)) return [this.next()];
    return Array.from({ length: BURST.calls }, () => this.next('burst'));
  }

  next(forcedRole?: CallRole): CallPlan {
    const r = this.random;
    const tag = this.#nextTag++;
    const role: CallRole = forcedRole ?? r.weighted(ROLE_WEIGHTS);
    const prompt = `soak ${tag}: ${r.pick(WORDS)} ${r.pick(WORDS)} ${r.pick(WORDS)}`;
    if (role === 'embed') {
      const endpoint: Endpoint = r.chance(0.75) ? 'embed' : 'openai_embed';
      const ttftMs = r.chance(0.1) ? r.int(1_600, 2_200) : r.int(0, 80);
      return {
        tag,
        role,
        endpoint,
        path: PATHS[endpoint],
        model: SOAK_MODELS.embed,
        stream: false,
        framing: 'single',
        headers: { 'x-sim-ttft-ms': String(ttftMs) },
        body: JSON.stringify({ model: SOAK_MODELS.embed, input: prompt }),
        abort: { kind: 'none' },
      };
    }
    if (role === 'bad_request') {
      // Generation on an embedding-only model: upstream answers 400 "does not support generate".
      const body = JSON.stringify({ model: SOAK_MODELS.embed, prompt, stream: r.chance(0.5) });
      return {
        tag,
        role,
        endpoint: 'generate',
        path: PATHS.generate,
        model: SOAK_MODELS.embed,
        stream: false,
        framing: 'single',
        headers: {},
        body,
        abort: { kind: 'none' },
      };
    }

    const endpoint: Endpoint = r.weighted(GENERATION_WEIGHTS);
    const stream = r.chance(0.6);
    const framing: Framing = !stream ? 'single' : endpoint === 'openai_chat' ? 'sse' : 'ndjson';
    const model = SOAK_MODELS[role === 'burst' ? 'clean' : role];
    let ttftMs = r.int(0, 250);
    let tokens = r.int(3, 30);
    let intervalMs = r.int(1, 15);
    let abort: AbortPlan = { kind: 'none' };
    if (role === 'clean') {
      const roll = r.next();
      if (roll < 0.12) {
        abort = { kind: 'before_headers', delayMs: r.int(0, 700) };
        ttftMs = HELD_TTFT_MS;
      } else if (roll < 0.24 && stream) {
        abort = { kind: 'mid_stream', afterFrames: r.int(1, 6) };
        tokens = LONG_STREAM.tokens;
        intervalMs = LONG_STREAM.intervalMs;
      }
    } else if (role === 'burst') {
      // Each holds a slot for about a second.
      ttftMs = r.int(300, 800);
      tokens = r.int(10, 20);
      intervalMs = r.int(20, 40);
    } else if (role === 'tight') {
      // Often past its budgets: first byte 500 ms, idle 250 ms, total 1.8 s.
      if (r.chance(0.25)) ttftMs = r.int(450, 900);
      if (r.chance(0.2)) intervalMs = r.int(200, 350);
      if (r.chance(0.2)) {
        tokens = r.int(90, 140);
        intervalMs = r.int(12, 20);
      }
    }
    const headers = {
      'x-sim-ttft-ms': String(ttftMs),
      'x-sim-tokens': String(tokens),
      'x-sim-token-interval-ms': String(intervalMs),
    };
    const body =
      role === 'missing' || endpoint !== 'generate'
        ? JSON.stringify({
            model,
            messages: [{ role: 'user', content: prompt }],
            stream,
            ...(endpoint === 'openai_chat' && stream && r.chance(0.5)
              ? { stream_options: { include_usage: true } }
              : {}),
          })
        : JSON.stringify({ model, prompt, stream });
    return {
      tag,
      role,
      endpoint: role === 'missing' && endpoint === 'generate' ? 'chat' : endpoint,
      path: role === 'missing' && endpoint === 'generate' ? PATHS.chat : PATHS[endpoint],
      model,
      stream,
      framing,
      headers,
      body,
      abort,
    };
  }
}
