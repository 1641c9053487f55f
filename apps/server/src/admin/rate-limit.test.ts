import { describe, expect, it } from 'vitest';
import { addressKey } from './client-address.ts';
import { TokenBucketLimiter } from './rate-limit.ts';

function clock(startMs = 1_000_000) {
  const c = { nowMs: startMs, now: () => c.nowMs };
  return c;
}

describe('TokenBucketLimiter', () => {
  it('allows a burst of `limit`, then refuses with the seconds until the next request', () => {
    const t = clock();
    const limiter = new TokenBucketLimiter({ limit: 10, perMs: 60_000, now: t.now });
    for (let i = 0; i < 10; i++) expect(limiter.take('a')).toEqual({ ok: true });
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSec: 6 });
    expect(limiter.check('a')).toEqual({ ok: false, retryAfterSec: 6 });
    t.nowMs += 3_000;
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSec: 3 });
    t.nowMs += 3_000;
    expect(limiter.take('a')).toEqual({ ok: true }); // one refilled after 60 s / 10
    expect(limiter.take('a').ok).toBe(false);
    t.nowMs += 60_000;
    for (let i = 0; i < 10; i++) expect(limiter.take('a').ok).toBe(true); // never more than the burst
    expect(limiter.take('a').ok).toBe(false);
  });

  it('keeps clients apart, and check spends nothing', () => {
    const t = clock();
    const limiter = new TokenBucketLimiter({ limit: 2, perMs: 1_000, now: t.now });
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
    for (let i = 0; i < 5; i++) expect(limiter.check('b').ok).toBe(true);
    expect(limiter.take('b').ok).toBe(true);
  });

  it('survives a clock that goes back, and forgets the least recent clients past maxKeys', () => {
    const t = clock();
    const limiter = new TokenBucketLimiter({ limit: 1, perMs: 60_000, now: t.now, maxKeys: 3 });
    expect(limiter.take('a').ok).toBe(true);
    t.nowMs -= 10_000;
    expect(limiter.take('a').ok).toBe(false);
    for (const k of ['b', 'c', 'd', 'e']) limiter.take(k);
    expect(limiter.size).toBe(3);
    expect(limiter.take('a').ok).toBe(true); // forgotten: starts afresh
  });

  it('refuses nonsense settings', () => {
    expect(() => new TokenBucketLimiter({ limit: 0, perMs: 1000 })).toThrow(RangeError);
    expect(() => new TokenBucketLimiter({ limit: 1, perMs: Number.NaN })).toThrow(RangeError);
  });
});

describe('addressKey', () => {
  it('unmaps IPv4 and keys IPv6 by its /64', () => {
    expect(addressKey('127.0.0.1')).toBe('127.0.0.1');
    expect(addressKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:ffff::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('64:ff9b::1.2.3.4')).toBe('64:ff9b:0:0::/64');
  });
});
