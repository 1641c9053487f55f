import { describe, expect, it } from 'vitest';
import { SESSION_MAX_AGE_SEC, SessionSigner } from './session.ts';

describe('SessionSigner', () => {
  it('verifies its own cookies, across instances with the same token', () => {
    let now = 1_000_000;
    const a = new SessionSigner('token-aaaaaaaaaaaaaaaa', () => now);
    const cookie = a.issue();
    expect(a.verify(cookie)).toBe(true);
    expect(new SessionSigner('token-aaaaaaaaaaaaaaaa', () => now).verify(cookie)).toBe(true);
    expect(new SessionSigner('token-bbbbbbbbbbbbbbbb', () => now).verify(cookie)).toBe(false);
    now += SESSION_MAX_AGE_SEC * 1000 + 1;
    expect(a.verify(cookie)).toBe(false);
  });

  it('refuses tampered and malformed cookies', () => {
    const s = new SessionSigner('token-aaaaaaaaaaaaaaaa');
    const [v, at, mac] = s.issue().split('.');
    expect(s.verify(`${v}.${Number(at) + 1}.${mac}`)).toBe(false);
    expect(s.verify(`${v}.${at}.${mac}x`)).toBe(false);
    expect(s.verify('garbage')).toBe(false);
    expect(s.verify(undefined)).toBe(false);
  });
});
