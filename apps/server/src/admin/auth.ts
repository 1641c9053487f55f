import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { SESSION_COOKIE, type SessionSigner } from './session.ts';
import { tokenMatches } from './token.ts';

export interface AuthOptions {
  adminToken: string;
  sessions: SessionSigner;
}

/** How a request proved who it is, if it did. */
export type AuthMethod = 'bearer' | 'cookie';

export function authMethodOf(c: Context, options: AuthOptions): AuthMethod | undefined {
  const header = c.req.header('authorization');
  if (header?.startsWith('Bearer ')) {
    return tokenMatches(header.slice(7).trim(), options.adminToken) ? 'bearer' : undefined;
  }
  return options.sessions.verify(getCookie(c, SESSION_COOKIE)) ? 'cookie' : undefined;
}

/** Refuses with 401 `{error:{code,message}}` unless the admin token or a valid session cookie is shown. */
export function requireAuth(options: AuthOptions): MiddlewareHandler {
  return async (c, next) => {
    if (authMethodOf(c, options) === undefined) {
      return c.json(
        { error: { code: 'unauthorized', message: 'sign in, or send Authorization: Bearer <admin token>' } },
        401,
      );
    }
    await next();
  };
}
