import { describe, expect, test } from 'vitest';
import { backoffDelayMs, isRetriable, parseRetryAfterMs, resolveRetryPolicy } from './backoff.ts';
import {
  ConnectTimeoutError,
  FirstByteTimeoutError,
  NetworkError,
  StreamError,
  UpstreamBusyError,
  UpstreamHttpError,
} from './errors.ts';

describe('backoff', () => {
  test('full jitter: uniform below a cap that doubles per retry and stops at maxDelayMs', () => {
    const policy = resolveRetryPolicy({ baseDelayMs: 100, maxDelayMs: 1000 });
    const top = { ...policy, random: () => 0.999999 };
    const bottom = { ...policy, random: () => 0 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, top))).toEqual([99, 199, 399, 799, 999, 999]);
    expect([1, 2, 3].map((n) => backoffDelayMs(n, bottom))).toEqual([0, 0, 0]);
    for (let i = 0; i < 1000; i++) {
      const d = backoffDelayMs(3, policy);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(400);
    }
  });

  test('Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfterMs('2')).toBe(2000);
    expect(parseRetryAfterMs(['3'])).toBe(3000);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfterMs('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfterMs('Tue, 31 Dec 2024 00:00:05 GMT', now)).toBe(0);
    expect(parseRetryAfterMs('soon')).toBeUndefined();
    expect(parseRetryAfterMs(undefined)).toBeUndefined();
  });

  test('only safe failures are retriable', () => {
    expect(isRetriable(new ConnectTimeoutError(1))).toBe(true);
    expect(isRetriable(new NetworkError('ECONNREFUSED', ''))).toBe(true);
    expect(isRetriable(new NetworkError('UND_ERR_SOCKET', 'other side closed'))).toBe(true);
    expect(isRetriable(new NetworkError('POOL_CLOSED', ''))).toBe(false);
    expect(isRetriable(new UpstreamBusyError({ status: 503 }))).toBe(true);
    expect(isRetriable(new UpstreamHttpError({ status: 502 }))).toBe(true);
    expect(isRetriable(new UpstreamHttpError({ status: 504 }))).toBe(true);
    expect(isRetriable(new UpstreamHttpError({ status: 500 }))).toBe(false);
    expect(isRetriable(new UpstreamHttpError({ status: 404 }))).toBe(false);
    expect(isRetriable(new FirstByteTimeoutError(1))).toBe(false);
    expect(isRetriable(new StreamError('missing_done', undefined))).toBe(false);
    expect(isRetriable(new Error('x'))).toBe(false);
  });

  test('policy validation names the bad value', () => {
    expect(() => resolveRetryPolicy({ maxRetries: -1 })).toThrow(/maxRetries .* got -1/);
    expect(() => resolveRetryPolicy({ baseDelayMs: Number.POSITIVE_INFINITY })).toThrow(/baseDelayMs/);
    expect(resolveRetryPolicy(undefined)).toEqual({ maxRetries: 2, baseDelayMs: 250, maxDelayMs: 4000 });
  });
});
