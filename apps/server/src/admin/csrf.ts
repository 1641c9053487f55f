import type { Context, MiddlewareHandler } from 'hono';
import { type AuthOptions, authMethodOf } from './auth.ts';

/** Methods that change state; the others must not, so they need no origin check. */
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Where a request says it was made: the dashboard's own pages, another site, or nobody said. */
export type RequestSite = 'same-origin' | 'cross-origin' | 'unknown';

/**
 * Whether `origin` (an `Origin` header) is the dashboard itself: its host is the request's `Host`, or
 * it is one of `trustedOrigins` (the public URL behind a proxy that rewrites `Host`).
 */
export function originAllowed(
  origin: string,
  host: string | undefined,
  trustedOrigins: readonly string[] = [],
): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // includes the opaque `null` origin of sandboxed frames and file: pages
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (host !== undefined && url.host === host.toLowerCase()) return true;
  return trustedOrigins.some((t) => originOf(t) === url.origin);
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** Classifies a request by `Origin`, else by `Sec-Fetch-Site` (browsers send one or the other). */
export function requestSite(c: Context, trustedOrigins: readonly string[] = []): RequestSite {
  const origin = c.req.header('origin');
  const host = c.req.header('host') ?? new URL(c.req.url).host;
  if (origin !== undefined)
    return originAllowed(origin, host, trustedOrigins) ? 'same-origin' : 'cross-origin';
  const fetchSite = c.req.header('sec-fetch-site');
  if (fetchSite === 'same-origin') return 'same-origin';
  // `same-site` is another port or subdomain of this host: still another origin.
  if (fetchSite === 'cross-site' || fetchSite === 'same-site') return 'cross-origin';
  return 'unknown';
}

export interface CsrfOptions extends AuthOptions {
  /** The sign-in endpoint, e.g. `/api/session`. */
  signInPath: string;
  /** Origins accepted besides the request's own host (e.g. the public URL). */
  trustedOrigins?: readonly string[];
}

function crossOrigin(c: Context, message: string): Response {
  return c.json({ error: { code: 'cross_origin', message } }, 403);
}

/**
 * Cross-site request forgery guard for `/api`. The session cookie is an ambient credential a browser
 * attaches to any request, so a write it authorises must show it comes from the dashboard's own
 * pages: an `Origin` of this host, or (without one) `Sec-Fetch-Site: same-origin`. Bearer requests
 * are exempt (another site cannot make a browser send the header). Sign-in (`signInPath`) is
 * refused when a browser says it comes from another site, so no page can log a visitor in or probe
 * the token through them. Requests with no valid credential pass on to `requireAuth` (401).
 */
export function refuseCrossSiteWrites(options: CsrfOptions): MiddlewareHandler {
  const trusted = options.trustedOrigins ?? [];
  return async (c, next) => {
    if (!WRITES.has(c.req.method)) return next();
    const site = requestSite(c, trusted);
    if (c.req.method === 'POST' && c.req.path === options.signInPath) {
      if (site === 'cross-origin') return crossOrigin(c, 'sign in from the dashboard itself');
      return next();
    }
    if (authMethodOf(c, options) === 'cookie' && site !== 'same-origin') {
      return crossOrigin(
        c,
        'a change made with the session cookie must come from the dashboard (Origin of this host); ' +
          'scripts should send Authorization: Bearer <admin token>',
      );
    }
    return next();
  };
}
