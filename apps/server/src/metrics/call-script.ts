import type { Outcome } from '@lookout/contracts';
import type { CallEvent, CallInfo, CallSource } from './call-events.ts';

/**
 * Plays the events of one call, in the order client-core emits them, for tests and benchmarks:
 * queued -> dispatched -> headers -> first_token -> chunks -> done, or a failure at the matching step.
 */
export interface ScriptedCall {
  readonly callId: string;
  readonly startedAtMs: number;
  readonly target?: string;
  readonly model?: string;
  readonly source?: CallSource;
  readonly outcome?: Outcome;
  /** Queue wait before dispatch; omit for a call that never got dispatched. */
  readonly queueWaitMs?: number;
  /** Start -> first token; omit for a call without generated content. */
  readonly ttftMs?: number;
  /** Start -> terminal event. */
  readonly totalMs: number;
  readonly chunks?: number;
  readonly evalCount?: number;
  readonly evalDurationNs?: number;
}

export function scriptCall(spec: ScriptedCall): CallEvent[] {
  const outcome = spec.outcome ?? 'ok';
  const target = spec.target ?? 'gpu-1';
  const call: CallInfo = {
    callId: spec.callId,
    source: spec.source ?? 'app',
    method: 'POST',
    path: '/api/chat',
    endpoint: 'chat',
    model: spec.model,
    streaming: true,
    startedAtMs: spec.startedAtMs,
  };
  const t0 = spec.startedAtMs;
  const end = t0 + spec.totalMs;
  const events: CallEvent[] = [];
  const reachedTarget = spec.queueWaitMs !== undefined;
  if (outcome !== 'bad_request') events.push({ type: 'queued', call, atMs: t0, target, queueDepth: 1 });
  if (reachedTarget) {
    const at = t0 + spec.queueWaitMs;
    events.push({ type: 'dispatched', call, atMs: at, target, attempt: 1 });
    events.push({ type: 'headers', call, atMs: at + 1, target, attempt: 1, status: 200 });
  }
  if (spec.ttftMs !== undefined) {
    const first = t0 + spec.ttftMs;
    events.push({ type: 'first_token', call, atMs: first, target });
    const chunks = spec.chunks ?? 0;
    for (let i = 0; i < chunks; i++) {
      const at = first + ((end - first) * i) / Math.max(1, chunks);
      events.push({ type: 'chunk', call, atMs: at, target, bytes: 120, tokens: 1 });
    }
  }
  if (outcome === 'ok') {
    const metrics =
      spec.evalCount === undefined
        ? {}
        : { evalCount: spec.evalCount, evalDurationNs: spec.evalDurationNs ?? 1e9, doneReason: 'stop' };
    events.push({ type: 'done', call, atMs: end, target, status: 200, attempts: 1, metrics });
  } else {
    events.push({
      type: 'failed',
      call,
      atMs: end,
      target: reachedTarget || outcome.startsWith('queue') ? target : undefined,
      outcome,
      code: `TEST_${outcome.toUpperCase()}`,
      message: `scripted ${outcome}`,
      status: undefined,
      attempts: 1,
      afterFirstByte: spec.ttftMs !== undefined,
    });
  }
  return events;
}

/** A seeded generator so failures reproduce (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
