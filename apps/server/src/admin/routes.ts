import { type Context, Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import type { AlertService } from '../alerts/index.ts';
import type { Logger } from '../log.ts';
import type { MetricsReader } from '../metrics/index.ts';
import type { Store } from '../store/index.ts';
import type { PinnedLimitTable } from '../targets/pin-table.ts';
import type { TargetRegistry } from '../targets/registry.ts';
import { createTestPromptApi, type TestPromptService } from '../test-prompts/index.ts';
import { createAlertsApi } from './alert-routes.ts';
import { type AuthOptions, requireAuth } from './auth.ts';
import { clientKey } from './client-address.ts';
import { refuseCrossSiteWrites } from './csrf.ts';
import { createHistoryApi } from './history-routes.ts';
import { type RateLimit, TokenBucketLimiter } from './rate-limit.ts';
import { SESSION_COOKIE, SESSION_MAX_AGE_SEC } from './session.ts';
import { createTargetRoutes } from './target-routes.ts';
import { tokenMatches } from './token.ts';

export interface AdminDeps {
  auth: AuthOptions;
  registry: TargetRegistry;
  /** Concurrency limits pinned by hand. */
  pins: PinnedLimitTable;
  metrics: MetricsReader;
  store: Pick<Store, 'rollups'>;
  testPrompts: TestPromptService;
  alerts: AlertService;
  /** Refused sign-ins are logged here (never the token); default: nowhere. */
  log?: Logger;
  /** Origins accepted for cookie-authenticated writes besides the request's own host. */
  trustedOrigins?: readonly string[];
  limits?: Partial<AdminLimits>;
}

/** Per-client rate limits of the admin API. */
export interface AdminLimits {
  /** Refused sign-ins per client address; past it every sign-in attempt gets 429. */
  signIn: RateLimit;
  /** Test prompt requests per client address, refused ones too (a started one occupies a target). */
  testPrompts: RateLimit;
  /** Clock of the limiters, in milliseconds. */
  now: () => number;
}

export const DEFAULT_ADMIN_LIMITS: AdminLimits = {
  signIn: { limit: 10, perMs: 60_000 },
  testPrompts: { limit: 30, perMs: 60_000 },
  now: Date.now,
};

/** `/api/*`: sign-in, and the read side of the fleet for the dashboard. */
export function createAdminApi(deps: AdminDeps): Hono {
  const api = new Hono();
  const limits = { ...DEFAULT_ADMIN_LIMITS, ...deps.limits };
  const signInLimiter = new TokenBucketLimiter({ ...limits.signIn, now: limits.now });
  const testPromptLimiter = new TokenBucketLimiter({ ...limits.testPrompts, now: limits.now });

  api.use(
    refuseCrossSiteWrites({
      ...deps.auth,
      signInPath: '/api/session',
      ...(deps.trustedOrigins ? { trustedOrigins: deps.trustedOrigins } : {}),
    }),
  );

  api.post('/session', async (c) => {
    const client = clientKey(c);
    const body = await c.req.json().catch(() => undefined);
    // Checked after the body is read, so the check, the comparison and the count of a failure happen in
    // one turn of the event loop (parallel attempts cannot all pass the check first). Refused while the
    // client's failures are spent even with the right token: no answer tells a guess was good.
    const allowed = signInLimiter.check(client);
    if (!allowed.ok) {
      deps.log?.debug({ client }, 'sign-in rate limited');
      return tooManyRequests(c, allowed.retryAfterSec, 'too many refused sign-ins from this address');
    }
    const token = (body as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string') {
      signInLimiter.take(client);
      return c.json(
        {
          error: {
            code: 'bad_request',
            message: 'send JSON {"token": "..."}',
            fields: { token: 'required' },
          },
        },
        400,
      );
    }
    if (!tokenMatches(token, deps.auth.adminToken)) {
      signInLimiter.take(client);
      deps.log?.warn({ client, reason: 'wrong_token' }, 'sign-in refused');
      return c.json({ error: { code: 'unauthorized', message: 'wrong admin token' } }, 401);
    }
    setCookie(c, SESSION_COOKIE, deps.auth.sessions.issue(), {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      maxAge: SESSION_MAX_AGE_SEC,
    });
    return c.json({ ok: true });
  });

  api.use(requireAuth(deps.auth));

  api.delete('/session', (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  });

  api.post('/test-prompts', async (c, next) => {
    const decision = testPromptLimiter.take(clientKey(c));
    if (!decision.ok)
      return tooManyRequests(c, decision.retryAfterSec, 'too many test prompts from this address');
    await next();
  });
  api.route('/', createHistoryApi({ store: deps.store }));
  api.route('/', createTestPromptApi(deps.testPrompts));
  api.route('/', createAlertsApi({ alerts: deps.alerts }));

  api.get('/snapshot', (c) => c.json(deps.metrics.buildSnapshot(undefined, deps.alerts.currentStates())));

  api.route('/', createTargetRoutes({ registry: deps.registry, pins: deps.pins }));

  api.notFound((c) =>
    c.json({ error: { code: 'not_found', message: `no such endpoint: ${c.req.path}` } }, 404),
  );
  return api;
}

/** 429 in the REST error shape, with `Retry-After` in seconds. */
function tooManyRequests(c: Context, retryAfterSec: number, what: string): Response {
  c.header('retry-after', String(retryAfterSec));
  return c.json(
    { error: { code: 'rate_limited', message: `${what}; try again in ${retryAfterSec} s` } },
    429,
  );
}
