/** Test helper: runs calls through executeCall against a URL, recording events. */
import { randomUUID } from 'node:crypto';
import type { RetryPolicy } from '../backoff.ts';
import { createCallInfo } from '../classify.ts';
import type { CallEvent } from '../events.ts';
import { type CallTarget, executeCall, type PickTarget, type UpstreamResponse } from '../execute-call.ts';
import { TargetGate } from '../gate.ts';
import type { HeadersInput } from '../headers.ts';
import { UpstreamPool } from '../pool.ts';
import type { Timeouts } from '../timeouts.ts';
import { type RecordingSink, recordingSink } from './sink.ts';

export interface RunOptions {
  method?: string;
  path?: string;
  body?: unknown;
  headers?: HeadersInput;
  timeouts?: Partial<Timeouts>;
  retry?: Partial<RetryPolicy>;
  signal?: AbortSignal;
  pickTarget?: PickTarget;
  gate?: TargetGate;
}

export interface Drained {
  bytes: Buffer;
  chunks: number;
  error: unknown;
}

export interface Harness {
  pool: UpstreamPool;
  sink: RecordingSink;
  gate: TargetGate;
  target(url: string, name?: string): CallTarget;
  run(url: string, options?: RunOptions): Promise<UpstreamResponse>;
  /** Reads the whole body; a thrown error is returned, not thrown. */
  drain(res: UpstreamResponse): Promise<Drained>;
  /** Events of one call id, or all. */
  events(callId?: string): CallEvent[];
  close(): Promise<void>;
}

export const NO_RETRY: Partial<RetryPolicy> = { maxRetries: 0 };

export function createHarness(): Harness {
  const pool = new UpstreamPool();
  const sink = recordingSink();
  const gate = new TargetGate({ name: 't', maxConcurrent: 16, maxQueue: 16 });
  const target = (url: string, name = 't'): CallTarget => ({ name, url, gate });
  return {
    pool,
    sink,
    gate,
    target,
    run: (url, o = {}) => {
      const method = o.method ?? 'POST';
      const path = o.path ?? '/api/chat';
      const body =
        o.body === undefined
          ? method === 'GET'
            ? undefined
            : new TextEncoder().encode(JSON.stringify({ model: 'm', messages: [] }))
          : new TextEncoder().encode(typeof o.body === 'string' ? o.body : JSON.stringify(o.body));
      const info = createCallInfo({ method, path, body, source: 'app', callId: randomUUID() });
      const t = { ...target(url), gate: o.gate ?? gate };
      return executeCall({
        info,
        request: { headers: o.headers ?? { 'content-type': 'application/json' }, body },
        pickTarget: o.pickTarget ?? (() => t),
        pool,
        sink,
        timeouts: o.timeouts,
        retry: o.retry ?? NO_RETRY,
        signal: o.signal,
      });
    },
    drain: async (res) => {
      const parts: Buffer[] = [];
      let error: unknown;
      try {
        for await (const chunk of res.body) parts.push(chunk);
      } catch (e) {
        error = e;
      }
      return { bytes: Buffer.concat(parts), chunks: parts.length, error };
    },
    events: (callId) =>
      callId === undefined ? sink.events : sink.events.filter((e) => e.call.callId === callId),
    close: () => pool.close(),
  };
}

/** Asserts exactly one terminal event for each call seen by the sink; returns them. */
export function terminalsByCall(events: CallEvent[]): Map<string, CallEvent[]> {
  const byCall = new Map<string, CallEvent[]>();
  for (const e of events) {
    if (!byCall.has(e.call.callId)) byCall.set(e.call.callId, []);
    if (e.type === 'done' || e.type === 'failed') byCall.get(e.call.callId)!.push(e);
  }
  return byCall;
}

/** Time between two monotonic stamps, rounded for messages. */
export function elapsedMs(fromMs: number): number {
  return Math.round(performance.now() - fromMs);
}

/** Ollama-like NDJSON chat frames. */
export function chatFrame(content: string): string {
  return `${JSON.stringify({ model: 'm', created_at: '2025-01-01T00:00:00Z', message: { role: 'assistant', content }, done: false })}\n`;
}

export function finalFrame(evalCount = 3): string {
  return `${JSON.stringify({
    model: 'm',
    created_at: '2025-01-01T00:00:00Z',
    message: { role: 'assistant', content: '' },
    done: true,
    done_reason: 'stop',
    total_duration: 1_000_000,
    eval_count: evalCount,
    eval_duration: 500_000,
  })}\n`;
}
