import {
  ANSWER_HEADERS,
  ANSWER_MS,
  type Answer,
  BUDGETS,
  type Expectation,
  type FaultCase,
  MODEL,
  SLOW_LOAD_MS,
  type Variant,
} from './matrix.ts';

/**
 * The fault matrix: every simulator fault x streaming or not x native or `/v1` x one target or two,
 * with what the client must get. With two targets the fault is on `sim0`, the one a fresh relay picks
 * first (ties rotate from the first target), and `sim1` is healthy.
 */

const B = BUDGETS;
const lookoutError = (status: number, message: RegExp): Answer => ({
  kind: 'error',
  status,
  by: 'lookout',
  message,
});
/** Retried before the first byte: the other target answers, or the last failure is the answer. */
const failover = (v: Variant, alone: Omit<Expectation, 'attempts' | 'servedBy'>, withinMs: number) =>
  v.targets === 2
    ? {
        answer: { kind: 'whole' } as const,
        outcome: 'ok' as const,
        servedBy: 'sim1' as const,
        attempts: ['sim0', 'sim1'],
        withinMs,
        upstreamCancelled: false,
      }
    : { ...alone, servedBy: 'sim0' as const, attempts: ['sim0', 'sim0'] };
/** Not retried: the same answer whatever the number of targets. */
const onSim0 = (e: Omit<Expectation, 'attempts' | 'servedBy'>): Expectation => ({
  ...e,
  servedBy: 'sim0',
  attempts: ['sim0'],
});

export const FAULT_CASES: readonly FaultCase[] = [
  {
    name: 'refuse',
    what: 'connection refused (port closed)',
    fault: { kind: 'refuse' },
    headers: ANSWER_HEADERS,
    expect: (v) =>
      failover(
        v,
        {
          answer: lookoutError(502, /^lookout: network error ECONNREFUSED/),
          outcome: 'network_error',
          withinMs: 2 * B.connectTimeoutMs + B.retryMaxDelayMs,
          upstreamCancelled: false,
        },
        B.connectTimeoutMs + B.retryMaxDelayMs + ANSWER_MS,
      ),
  },
  {
    name: 'hang',
    what: 'hangs before the headers',
    fault: { kind: 'hang', model: MODEL },
    headers: ANSWER_HEADERS,
    // A first-byte or total timeout is not retried: the upstream may still be working on the call.
    expect: (v) => {
      const budgetMs = v.stream ? B.firstByteTimeoutMs : B.totalTimeoutMs;
      const which = v.stream ? 'first-byte' : 'total';
      return onSim0({
        answer: lookoutError(504, new RegExp(`^lookout: ${which} timeout after ${budgetMs} ms`)),
        outcome: v.stream ? 'timeout_first_byte' : 'timeout_total',
        withinMs: budgetMs,
        atLeastMs: budgetMs,
        upstreamCancelled: true,
      });
    },
  },
  {
    name: 'stall',
    what: 'stalls after the first chunk',
    fault: { kind: 'stall', model: MODEL },
    headers: ANSWER_HEADERS,
    // A non-stream's headers come with the whole answer; the simulator then sends half the body and stalls.
    expect: (v) =>
      onSim0({
        answer: v.stream
          ? {
              kind: 'stream_error',
              by: 'lookout',
              message: new RegExp(`^lookout: idle timeout after ${B.idleTimeoutMs} ms`),
            }
          : { kind: 'cut' },
        outcome: 'timeout_idle',
        withinMs: (v.stream ? 0 : ANSWER_MS) + B.idleTimeoutMs + 50,
        atLeastMs: B.idleTimeoutMs,
        upstreamCancelled: true,
      }),
  },
  {
    name: 'reset',
    what: 'resets the connection after the first chunk',
    fault: { kind: 'reset', model: MODEL },
    headers: ANSWER_HEADERS,
    // A non-stream is reset before its headers leave the simulator: a failure before the first byte, retried.
    expect: (v) =>
      v.stream
        ? onSim0({
            answer: { kind: 'stream_error', by: 'lookout', message: /^lookout: network error ECONNRESET/ },
            outcome: 'network_error',
            withinMs: ANSWER_MS,
            upstreamCancelled: false,
          })
        : failover(
            v,
            {
              answer: lookoutError(502, /^lookout: network error ECONNRESET/),
              outcome: 'network_error',
              withinMs: 2 * ANSWER_MS + B.retryMaxDelayMs,
              upstreamCancelled: false,
            },
            2 * ANSWER_MS + B.retryMaxDelayMs,
          ),
  },
  {
    name: 'http_500',
    what: 'answers 500 (runner crashed)',
    fault: { kind: 'http_500', model: MODEL },
    headers: ANSWER_HEADERS,
    // Passed through: a 500 is Ollama's answer about the call, not a sign another target would do better.
    expect: () =>
      onSim0({
        answer: {
          kind: 'error',
          status: 500,
          by: 'upstream',
          message: /^llama runner process has terminated/,
        },
        outcome: 'upstream_error',
        withinMs: ANSWER_MS,
        upstreamCancelled: false,
      }),
  },
  {
    name: 'http_503',
    what: 'answers 503 (server busy)',
    fault: { kind: 'http_503', model: MODEL },
    headers: ANSWER_HEADERS,
    expect: (v) =>
      failover(
        v,
        {
          answer: { kind: 'error', status: 503, by: 'upstream', message: /^server busy, please try again/ },
          outcome: 'upstream_busy',
          withinMs: B.retryMaxDelayMs + 50,
          upstreamCancelled: false,
        },
        B.retryMaxDelayMs + ANSWER_MS,
      ),
  },
  {
    name: 'error_line',
    what: 'sends an error line after the first chunk',
    fault: { kind: 'error_line', model: MODEL },
    headers: ANSWER_HEADERS,
    // Native: Ollama's own error line reaches the client. /v1: Ollama 0.12.6 turns it into an empty chunk
    // and ends the stream without [DONE]; Lookout adds the error event. Non-stream: Ollama answers 500.
    expect: (v) =>
      onSim0({
        answer: !v.stream
          ? {
              kind: 'error',
              status: 500,
              by: 'upstream',
              message: /^llama runner process has terminated/,
            }
          : v.api === 'native'
            ? { kind: 'stream_error', by: 'upstream', message: /^llama runner process has terminated/ }
            : {
                kind: 'stream_error',
                by: 'lookout',
                message: /^lookout: stream ended without a final frame/,
              },
        outcome: 'upstream_error',
        withinMs: ANSWER_MS,
        upstreamCancelled: false,
      }),
  },
  {
    name: 'drip',
    what: '8 bytes every 100 ms (under the idle budget, past the total)',
    fault: { kind: 'drip', model: MODEL, dripBytes: 8, dripIntervalMs: 100 },
    headers: { ...ANSWER_HEADERS, 'x-sim-tokens': '40' },
    expect: (v) =>
      onSim0({
        answer: v.stream
          ? {
              kind: 'stream_error',
              by: 'lookout',
              message: new RegExp(`^lookout: total timeout after ${B.totalTimeoutMs} ms`),
            }
          : { kind: 'cut' },
        outcome: 'timeout_total',
        withinMs: B.totalTimeoutMs,
        atLeastMs: B.totalTimeoutMs,
        upstreamCancelled: true,
      }),
  },
  {
    name: 'malformed_line',
    what: 'sends a line that is not JSON after the first chunk',
    fault: { kind: 'malformed_line', model: MODEL },
    headers: ANSWER_HEADERS,
    // Streams: the bad frame is passed on, then Lookout ends the stream and the upstream request.
    // One-piece: the simulator sends half the document with a matching Content-Length; passed on as is,
    // counted as the upstream's error (the body does not end as a JSON object does).
    expect: (v) =>
      onSim0(
        v.stream
          ? {
              answer: { kind: 'stream_error', by: 'lookout', message: /^lookout: malformed stream frame/ },
              outcome: 'upstream_error',
              withinMs: ANSWER_MS,
              upstreamCancelled: true,
            }
          : {
              answer: { kind: 'passed_through' },
              outcome: 'upstream_error',
              withinMs: ANSWER_MS,
              upstreamCancelled: false,
            },
      ),
  },
  {
    name: 'slow_load',
    what: `model load of ${SLOW_LOAD_MS} ms (past the first-byte budget)`,
    sim0: { loadTimeMs: SLOW_LOAD_MS },
    headers: ANSWER_HEADERS,
    // A non-stream's first-byte budget is its total budget, which the load fits in.
    expect: (v) =>
      onSim0(
        v.stream
          ? {
              answer: lookoutError(
                504,
                new RegExp(`^lookout: first-byte timeout after ${B.firstByteTimeoutMs} ms`),
              ),
              outcome: 'timeout_first_byte',
              withinMs: B.firstByteTimeoutMs,
              atLeastMs: B.firstByteTimeoutMs,
              upstreamCancelled: true,
            }
          : {
              answer: { kind: 'whole' },
              outcome: 'ok',
              withinMs: SLOW_LOAD_MS + ANSWER_MS,
              upstreamCancelled: false,
            },
      ),
  },
];
