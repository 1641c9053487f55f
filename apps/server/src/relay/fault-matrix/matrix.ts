import type { Outcome } from '@lookout/client-core';
import type { FaultSpec, SimulatorOptions } from '@lookout/ollama-sim';

/**
 * The dimensions of the fault matrix (streaming or not x native or `/v1` x one target or two), the
 * budgets it runs with, and the shape of a cell's expectation. The faults themselves are in cases.ts.
 */

export const MODEL = 'llama3.2:1b';

/** Small budgets so the whole matrix runs in seconds. */
export const BUDGETS = {
  connectTimeoutMs: 300,
  firstByteTimeoutMs: 400,
  idleTimeoutMs: 400,
  totalTimeoutMs: 2_000,
  maxRetries: 1,
  retryBaseDelayMs: 20,
  retryMaxDelayMs: 100,
} as const;

/** Added to every time bound: the machine is shared and busy. */
export const MARGIN_MS = 600;

/** Every answer is 8 tokens 25 ms apart unless a case says otherwise: ~200 ms of generation. */
export const ANSWER_MS = 200;
export const ANSWER_HEADERS = { 'x-sim-tokens': '8', 'x-sim-token-interval-ms': '25' };

/** How long a model takes to load in the slow-load case: past the first-byte budget, within the total. */
export const SLOW_LOAD_MS = 800;

export type Api = 'native' | 'openai';

export interface Variant {
  stream: boolean;
  api: Api;
  targets: 1 | 2;
}

/** What the client receives. */
export type Answer =
  /** 200 and the whole answer: a native stream ending `done:true`, an SSE stream ending `[DONE]`, or one JSON document. */
  | { kind: 'whole' }
  /** An error status with an error body in the flavour's shape, from Lookout (`lookout: ...`) or passed through from Ollama. */
  | { kind: 'error'; status: number; by: 'lookout' | 'upstream'; message: RegExp }
  /** 200, some frames, then an error frame (NDJSON `{"error"}` line / SSE error event), no `done:true` nor `[DONE]`. */
  | { kind: 'stream_error'; by: 'lookout' | 'upstream'; message: RegExp }
  /** 200, then the connection closes before the end of the one-piece body (nothing can follow a JSON document that has begun). */
  | { kind: 'cut' }
  /** 200 and the upstream's bytes exactly as sent, which are not valid JSON (Lookout does not parse one-piece bodies). */
  | { kind: 'passed_through' };

export interface Expectation {
  answer: Answer;
  /** The one outcome the metrics count for the call. */
  outcome: Outcome;
  /** `X-Lookout-Target` of the answer. */
  servedBy: 'sim0' | 'sim1';
  /** Targets the call was sent to, one per attempt. */
  attempts: string[];
  /** The call ends within this (ms from the request), plus MARGIN_MS. */
  withinMs: number;
  /** A timeout must not fire early: the call lasts at least this long. */
  atLeastMs?: number;
  /** Lookout cut the upstream request: the faulty simulator records one cancellation. */
  upstreamCancelled: boolean;
}

export type FaultName =
  | 'refuse'
  | 'hang'
  | 'stall'
  | 'reset'
  | 'http_500'
  | 'http_503'
  | 'error_line'
  | 'drip'
  | 'malformed_line'
  | 'slow_load';

export interface FaultCase {
  name: FaultName;
  /** The fault in words, for the README table. */
  what: string;
  /** Options of the faulty simulator (sim0). */
  sim0?: SimulatorOptions;
  /** The fault armed on sim0 before the call. */
  fault?: FaultSpec;
  /** `x-sim-*` headers of the call. */
  headers: Record<string, string>;
  expect(v: Variant): Expectation;
}

/** Every combination, in table order. */
export function variants(): Variant[] {
  const out: Variant[] = [];
  for (const stream of [true, false])
    for (const api of ['native', 'openai'] as const)
      for (const targets of [1, 2] as const) out.push({ stream, api, targets });
  return out;
}

/** The path and body of the call for a variant: native streams on /api/chat, native one-piece on /api/generate. */
export function requestFor(v: Variant): { path: string; body: string } {
  if (v.api === 'openai') {
    return {
      path: '/v1/chat/completions',
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: v.stream }),
    };
  }
  if (v.stream) {
    return {
      path: '/api/chat',
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true }),
    };
  }
  return { path: '/api/generate', body: JSON.stringify({ model: MODEL, prompt: 'hi', stream: false }) };
}
