import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Dashboard sessions as signed cookies: `v1.<issuedAtMs>.<hmac>`, keyed by the admin token. They survive
 * a server restart (the dashboard reconnects without a new sign-in) and die when the token changes.
 */
export const SESSION_COOKIE = 'lookout_session';
export const SESSION_MAX_AGE_SEC = 30 * 24 * 3600;

export class SessionSigner {
  constructor(
    private readonly adminToken: string,
    private readonly now: () => number = Date.now,
  ) {}

  issue(): string {
    const issuedAt = String(this.now());
    return `v1.${issuedAt}.${this.sign(issuedAt)}`;
  }

  verify(cookie: string | undefined): boolean {
    if (!cookie) return false;
    const [version, issuedAt, mac] = cookie.split('.');
    if (version !== 'v1' || !issuedAt || !mac || !/^\d{1,16}$/.test(issuedAt)) return false;
    const age = this.now() - Number(issuedAt);
    if (age < 0 || age > SESSION_MAX_AGE_SEC * 1000) return false;
    const expected = Buffer.from(this.sign(issuedAt));
    const got = Buffer.from(mac);
    return got.length === expected.length && timingSafeEqual(got, expected);
  }

  private sign(issuedAt: string): string {
    return createHmac('sha256', `lookout-session:${this.adminToken}`).update(issuedAt).digest('base64url');
  }
}
