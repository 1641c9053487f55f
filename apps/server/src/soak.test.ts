import {
  AbortedError,
  BadRequestError,
  ConnectTimeoutError,
  FirstByteTimeoutError,
  IdleTimeoutError,
  type LookoutError,
  NetworkError,
  QueueFullError,
  QueueTimeoutError,
  StreamError,
  TotalTimeoutError,
  UpstreamBusyError,
  UpstreamHttpError,
} from '@lookout/client-core';
import { describe, expect, it } from 'vitest';
import { CUT_ONE_PIECE_CANDIDATES, classifyCall, outcomeOfLookoutMessage } from '../soak/classify.ts';
import type { ClientView } from '../soak/client-call.ts';
import { parseArgs, parseDurationMs, SHORT_RUN } from '../soak/options.ts';
import type { CallPlan, Framing } from '../soak/plan.ts';
import { summaryText } from '../soak/report.ts';
import { runSoak } from '../soak/runner.ts';
import { errorBody, midStreamErrorFrame } from './relay/ollama-errors.ts';

const ctx = { method: 'POST', url: 'http://127.0.0.1:1/api/chat', target: 'sim0', attempt: 1 };

/** One of each error the core produces, as the relay's callers meet them. */
const CORE_ERRORS: LookoutError[] = [
  new ConnectTimeoutError(1_000, ctx),
  new FirstByteTimeoutError(500, ctx),
  new IdleTimeoutError(250, ctx),
  new TotalTimeoutError(1_800, ctx),
  new QueueFullError('sim0', 2, 4, ctx),
  new QueueTimeoutError('sim0', 2_000, ctx),
  new UpstreamBusyError({ status: 503, upstreamMessage: 'server busy' }, ctx),
  new UpstreamHttpError({ status: 500, upstreamMessage: 'llama runner process has terminated' }, ctx),
  new BadRequestError({ status: 400, upstreamMessage: 'bad', refusedLocally: true }, ctx),
  new NetworkError('ECONNRESET', 'socket hang up', ctx),
  new StreamError('error_frame', 'boom', ctx),
  new StreamError('missing_done', undefined, ctx),
  new StreamError('malformed_frame', '{"model":', ctx),
  new AbortedError(ctx),
];

function plan(framing: Framing, path = '/api/chat'): CallPlan {
  return {
    tag: 1,
    role: 'faulty',
    endpoint: path.startsWith('/v1') ? 'openai_chat' : 'chat',
    path,
    model: 'soak-faulty:1b',
    stream: framing !== 'single',
    framing,
    headers: {},
    body: '{}',
    abort: { kind: 'none' },
  };
}

function view(fields: Partial<ClientView>): ClientView {
  return {
    end: 'complete',
    abortPhase: undefined,
    status: 200,
    passedThrough: true,
    contentLengthBytes: undefined,
    bodyBytes: 100,
    frames: 0,
    last: '',
    trailing: '',
    error: undefined,
    durationMs: 10,
    ...fields,
  };
}

describe('soak classifier', () => {
  it("maps every message of the core's errors to that error's outcome", () => {
    for (const error of CORE_ERRORS) {
      expect(outcomeOfLookoutMessage(error.message), error.message).toBe(error.outcome);
      expect(outcomeOfLookoutMessage(`lookout: ${error.message}`), error.message).toBe(error.outcome);
    }
    expect(outcomeOfLookoutMessage('llama runner process has terminated: exit status 2')).toBeUndefined();
  });

  it("reads Lookout's own error statuses by their message, passed-through ones by their status", () => {
    for (const error of CORE_ERRORS.filter((e) => e.outcome !== 'client_abort')) {
      for (const path of ['/api/chat', '/v1/chat/completions']) {
        const seen = view({
          status: 504,
          passedThrough: false,
          last: errorBody(path, 504, `lookout: ${error.message}`),
        });
        expect(classifyCall(plan('single', path), seen).outcome).toBe(error.outcome);
      }
    }
    const upstream = (status: number) =>
      classifyCall(plan('single'), view({ status, last: '{"error":"whatever"}' })).outcome;
    expect([upstream(503), upstream(400), upstream(500), upstream(404)]).toEqual([
      'upstream_busy',
      'bad_request',
      'upstream_error',
      'upstream_error',
    ]);
  });

  it('reads a stream by its last frame', () => {
    const ndjson = (last: string) => classifyCall(plan('ndjson'), view({ frames: 3, last })).outcome;
    expect(ndjson('{"model":"m","done":true,"done_reason":"stop"}')).toBe('ok');
    expect(ndjson(midStreamErrorFrame('/api/chat', `lookout: ${CORE_ERRORS[2]!.message}`).trim())).toBe(
      'timeout_idle',
    );
    expect(ndjson('{"error":"soak: injected runner failure"}')).toBe('upstream_error');
    expect(ndjson('{"model":"m","done":false}')).toBe('unclassified');

    const sse = (last: string) =>
      classifyCall(plan('sse', '/v1/chat/completions'), view({ frames: 3, last })).outcome;
    expect(sse('data: [DONE]')).toBe('ok');
    const frame = midStreamErrorFrame('/v1/chat/completions', `lookout: ${CORE_ERRORS[9]!.message}`);
    expect(sse(frame.trim())).toBe('network_error');
  });

  it('tells a complete one-piece body from one cut after its headers, and an abort from both', () => {
    expect(classifyCall(plan('single'), view({ last: '{"model":"m","done":true}' })).outcome).toBe('ok');
    const cut = classifyCall(plan('single'), view({ end: 'response_error', last: '{"model":"m","resp' }));
    expect(cut).toEqual({
      outcome: 'ambiguous',
      candidates: CUT_ONE_PIECE_CANDIDATES,
      note: 'one_piece_cut_after_headers',
    });
    expect(classifyCall(plan('ndjson'), view({ end: 'aborted', abortPhase: 'mid_stream' })).outcome).toBe(
      'client_abort',
    );
  });

  it('parses the command line', () => {
    expect(parseDurationMs('30s')).toBe(30_000);
    expect(parseDurationMs('5m')).toBe(300_000);
    expect(parseDurationMs('1500ms')).toBe(1_500);
    const options = parseArgs(['--duration', '45s', '--concurrency', '3', '--seed', '7'], SHORT_RUN);
    expect([options.durationMs, options.concurrency, options.seed]).toEqual([45_000, 3, 7]);
    expect(() => parseArgs(['--concurrency', '0'], SHORT_RUN)).toThrow('--concurrency');
    expect(() => parseArgs(['--wat'], SHORT_RUN)).toThrow('unknown option "--wat"');
  });
});

describe('soak (short)', () => {
  it('reconciles outcomes, returns gauges to zero, holds memory and keeps dashboards fed', async () => {
    const result = await runSoak(SHORT_RUN);
    const failed = result.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`);
    expect(failed, summaryText(result)).toEqual([]);
    const counted = Object.fromEntries(result.outcomes.map((r) => [r.outcome, r.engine]));
    expect(result.calls).toBeGreaterThan(100);
    expect(counted.ok).toBeGreaterThan(0);
    expect(counted.client_abort).toBeGreaterThan(0);
  }, 60_000);
});
