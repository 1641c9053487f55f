/**
 * The calls the bench sends, the same to every target. The `x-sim-*` headers set the simulator's timing
 * per request, so one simulator serves instant answers, fast streams and slow streams at once.
 */
import type { CallSpec } from './jobs.ts';
import { BENCH_MODEL } from './targets.ts';

function generate(
  stream: boolean,
  sim: { tokens: number; ttftMs: number; tokenIntervalMs: number },
): CallSpec {
  return {
    method: 'POST',
    path: '/api/generate',
    headers: {
      'content-type': 'application/json',
      'x-sim-tokens': String(sim.tokens),
      'x-sim-ttft-ms': String(sim.ttftMs),
      'x-sim-token-interval-ms': String(sim.tokenIntervalMs),
    },
    body: JSON.stringify({ model: BENCH_MODEL, prompt: 'Why is the sky blue?', stream }),
  };
}

/**
 * A non-streaming generation of one token that the simulator answers at once (~290 bytes). Cheaper
 * calls exist (`/api/version`), but this is the shape of application traffic: a JSON body naming a
 * model, routed by that model, through the gate and the non-streaming budget, with call events.
 */
export const SMALL_CALL: CallSpec = generate(false, { tokens: 1, ttftMs: 0, tokenIntervalMs: 0 });

/** A stream of `tokens` chunks produced as fast as the simulator can. */
export function fastStreamCall(tokens: number): CallSpec {
  return generate(true, { tokens, ttftMs: 0, tokenIntervalMs: 0 });
}

/** A stream whose first token comes `tokenIntervalMs` after the request, then one every `tokenIntervalMs`. */
export function pacedStreamCall(tokens: number, tokenIntervalMs: number): CallSpec {
  return generate(true, { tokens, ttftMs: tokenIntervalMs, tokenIntervalMs });
}
