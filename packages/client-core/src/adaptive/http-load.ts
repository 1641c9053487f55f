/**
 * Closed-loop load over real HTTP, for the adaptive limit's integration test and benchmark: N clients,
 * each sending a streamed chat through `executeCall` (gate, events, budgets) and reading it to the end
 * before sending the next. Records per call its end-to-end time and the time the simulator says it
 * waited for a slot (`x-sim-queue-ms`). Bounded: it stops starting calls on `stop()` and resolves when
 * every call under way has ended.
 */
import { randomUUID } from 'node:crypto';
import { createCallInfo } from '../classify.ts';
import type { CallEvent, CallEventSink } from '../events.ts';
import { executeCall } from '../execute-call.ts';
import type { CallGate } from '../gate.ts';
import { headerValue } from '../headers.ts';
import type { UpstreamPool } from '../pool.ts';

/** One finished call. */
export interface LoadCallRecord {
  /** Client sent it (monotonic ms). */
  startedAtMs: number;
  endedAtMs: number;
  /** Waited for a slot inside the simulator, from its `x-sim-queue-ms` header. */
  simQueueMs: number;
  /** Waited in the gate. */
  gateWaitMs: number;
  ok: boolean;
}

export interface HttpLoadOptions {
  url: string;
  gate: CallGate;
  pool: UpstreamPool;
  clients: number;
  /** Also receives every call event (e.g. the adaptive limiter). */
  sink?: CallEventSink;
  model?: string;
  /** The simulator's timing of each call: time to the first token once a slot is held, tokens, gap between tokens. */
  ttftMs: number;
  tokens: number;
  tokenIntervalMs: number;
}

export interface HttpLoad {
  readonly records: LoadCallRecord[];
  /** Errors of calls that failed (their message), for a test to show. */
  readonly errors: string[];
  /** Stops sending; resolves when every client has finished its last call. */
  stop(): Promise<void>;
}

/** Starts the clients at once. */
export function startHttpLoad(options: HttpLoadOptions): HttpLoad {
  const records: LoadCallRecord[] = [];
  const errors: string[] = [];
  let stopped = false;
  const body = new TextEncoder().encode(
    JSON.stringify({
      model: options.model ?? 'llama3.2:1b',
      messages: [{ role: 'user', content: 'hello' }],
      stream: true,
    }),
  );
  const headers = {
    'content-type': 'application/json',
    'x-sim-ttft-ms': String(options.ttftMs),
    'x-sim-tokens': String(options.tokens),
    'x-sim-token-interval-ms': String(options.tokenIntervalMs),
  };
  const target = { name: options.gate.name, url: options.url, gate: options.gate };
  const sink: CallEventSink | undefined = options.sink;

  const oneCall = async (): Promise<void> => {
    const startedAtMs = performance.now();
    const info = createCallInfo({
      method: 'POST',
      path: '/api/chat',
      body,
      source: 'app',
      callId: randomUUID(),
    });
    try {
      const res = await executeCall({
        info,
        request: { headers, body },
        pickTarget: () => target,
        pool: options.pool,
        retry: { maxRetries: 0 },
        timeouts: { firstByteTimeoutMs: 60_000, idleTimeoutMs: 10_000, totalTimeoutMs: 120_000 },
        ...(sink === undefined ? {} : { sink: { onEvent: (e: CallEvent) => sink.onEvent(e) } }),
      });
      for await (const _chunk of res.body) {
        // read to the end: the call ends with its body
      }
      const end = await res.settled;
      records.push({
        startedAtMs,
        endedAtMs: performance.now(),
        simQueueMs: Number(headerValue(res.headers, 'x-sim-queue-ms') ?? Number.NaN),
        gateWaitMs: res.queueWaitMs,
        ok: end.type === 'done',
      });
    } catch (error) {
      errors.push(error instanceof Error ? error.message : String(error));
      records.push({
        startedAtMs,
        endedAtMs: performance.now(),
        simQueueMs: Number.NaN,
        gateWaitMs: 0,
        ok: false,
      });
    }
  };

  const client = async (): Promise<void> => {
    while (!stopped) await oneCall();
  };
  const running = Promise.all(Array.from({ length: options.clients }, client));
  return {
    records,
    errors,
    stop: async () => {
      stopped = true;
      await running;
    },
  };
}
