import { describe, expect, test } from 'vitest';
import {
  AbortedError,
  BadRequestError,
  ConnectTimeoutError,
  FirstByteTimeoutError,
  IdleTimeoutError,
  isAbortedError,
  isHttpError,
  isLookoutError,
  isQueueError,
  isStreamError,
  isTimeoutError,
  NetworkError,
  QueueFullError,
  QueueTimeoutError,
  StreamError,
  TotalTimeoutError,
  UpstreamBusyError,
  UpstreamHttpError,
} from './errors.ts';
import { OUTCOMES } from './events.ts';

const ctx = { method: 'POST', url: 'http://127.0.0.1:11434/api/chat', target: 'a', attempt: 1 };

const all = [
  new ConnectTimeoutError(5000, ctx),
  new FirstByteTimeoutError(120000, ctx),
  new IdleTimeoutError(30000, ctx),
  new TotalTimeoutError(600000, { ...ctx, phase: 'body' }),
  new QueueFullError('a', 4, 64, ctx),
  new QueueTimeoutError('a', 30000, ctx),
  new UpstreamBusyError({ status: 503, upstreamMessage: 'server busy' }, ctx),
  new UpstreamHttpError({ status: 404, upstreamMessage: "model 'x' not found" }, ctx),
  new BadRequestError({ status: 400, upstreamMessage: 'missing request body' }, ctx),
  new NetworkError('ECONNREFUSED', 'connect ECONNREFUSED', ctx),
  new StreamError('missing_done', undefined, ctx),
  new AbortedError(ctx),
];

describe('errors', () => {
  test('each class has its own literal code and exactly one non-ok outcome', () => {
    const codes = all.map((e) => e.code);
    expect(new Set(codes).size).toBe(all.length);
    for (const e of all) {
      expect(e.code).toMatch(/^LOOKOUT_[A-Z_]+$/);
      expect(OUTCOMES).toContain(e.outcome);
      expect(e.outcome).not.toBe('ok');
    }
    expect(all.map((e) => e.outcome)).toEqual([
      'timeout_connect',
      'timeout_first_byte',
      'timeout_idle',
      'timeout_total',
      'queue_full',
      'queue_timeout',
      'upstream_busy',
      'upstream_error',
      'bad_request',
      'network_error',
      'upstream_error',
      'client_abort',
    ]);
  });

  test('messages carry method, URL, phase and the budget that ran out', () => {
    const e = new FirstByteTimeoutError(120000, ctx);
    expect(e.message).toBe(
      'first-byte timeout after 120000 ms: POST http://127.0.0.1:11434/api/chat (phase first_byte, target a, attempt 1)',
    );
    expect(new ConnectTimeoutError(5000, ctx).message).toContain('phase connect');
    expect(new TotalTimeoutError(600000, { ...ctx, phase: 'body' }).message).toContain(
      'total timeout after 600000 ms',
    );
    expect(new QueueFullError('a', 4, 64, ctx).message).toContain(
      'queue of a is full: 4 running, 64 waiting',
    );
    expect(new UpstreamHttpError({ status: 404, upstreamMessage: 'nope' }, ctx).message).toContain(
      'upstream HTTP 404 "nope"',
    );
    expect(all[0]!.name).toBe('ConnectTimeoutError');
  });

  test('the original error is kept as cause', () => {
    const cause = new Error('ECONNRESET');
    expect(new NetworkError('ECONNRESET', 'reset', { cause }).cause).toBe(cause);
  });

  test('guards check the brand and the code, not instanceof', () => {
    for (const e of all) expect(isLookoutError(e)).toBe(true);
    expect(all.filter(isTimeoutError).map((e) => e.code)).toEqual([
      'LOOKOUT_CONNECT_TIMEOUT',
      'LOOKOUT_FIRST_BYTE_TIMEOUT',
      'LOOKOUT_IDLE_TIMEOUT',
      'LOOKOUT_TOTAL_TIMEOUT',
    ]);
    expect(all.filter(isQueueError)).toHaveLength(2);
    expect(all.filter(isHttpError)).toHaveLength(3);
    expect(all.filter(isStreamError)).toHaveLength(1);
    expect(all.filter(isAbortedError)).toHaveLength(1);
    // A copy from another package instance: same brand symbol and code, different class.
    const foreign = Object.assign(new Error('x'), {
      code: 'LOOKOUT_IDLE_TIMEOUT',
      [Symbol.for('lookout.client-core.error')]: true,
    });
    expect(isTimeoutError(foreign)).toBe(true);
    expect(isLookoutError({ code: 'LOOKOUT_IDLE_TIMEOUT' })).toBe(false);
    expect(isLookoutError(new Error('x'))).toBe(false);
    expect(isLookoutError(null)).toBe(false);
  });

  test('toJSON gives the wire shape {code, message}', () => {
    expect(JSON.parse(JSON.stringify(new AbortedError(ctx)))).toEqual({
      code: 'LOOKOUT_ABORTED',
      message: 'aborted by the caller: POST http://127.0.0.1:11434/api/chat (target a, attempt 1)',
    });
  });
});
