import { Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import type { AlertService } from '../alerts/index.ts';
import type { MetricsReader } from '../metrics/index.ts';
import type { Store } from '../store/index.ts';
import type { TargetRegistry } from '../targets/registry.ts';
import { createTestPromptApi, type TestPromptService } from '../test-prompts/index.ts';
import { createAlertsApi } from './alert-routes.ts';
import { type AuthOptions, requireAuth } from './auth.ts';
import { createHistoryApi } from './history-routes.ts';
import { SESSION_COOKIE, SESSION_MAX_AGE_SEC } from './session.ts';
import { tokenMatches } from './token.ts';

export interface AdminDeps {
  auth: AuthOptions;
  registry: TargetRegistry;
  metrics: MetricsReader;
  store: Pick<Store, 'rollups'>;
  testPrompts: TestPromptService;
  alerts: AlertService;
}

/** `/api/*`: sign-in, and the read side of the fleet for the dashboard. */
export function createAdminApi(deps: AdminDeps): Hono {
  const api = new Hono();

  api.post('/session', async (c) => {
    const body = await c.req.json().catch(() => undefined);
    const token = (body as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string') {
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

  api.delete('/session', (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  });

  api.use(requireAuth(deps.auth));
  api.route('/', createHistoryApi({ store: deps.store }));
  api.route('/', createTestPromptApi(deps.testPrompts));
  api.route('/', createAlertsApi({ alerts: deps.alerts }));

  api.get('/snapshot', (c) => c.json(deps.metrics.buildSnapshot(undefined, deps.alerts.currentStates())));

  api.get('/targets', (c) =>
    c.json({
      targets: deps.registry.all.map((t) => ({
        name: t.name,
        url: t.url,
        health: t.health,
        version: t.version ?? null,
        lastProbeAt: t.lastProbeAt ?? null,
        lastError: t.lastError ?? null,
        models: t.models ? [...t.models].sort() : [],
        loadedModels: t.loadedModels,
        queueDepth: t.gate.queueDepth,
        inFlight: t.gate.inFlight,
        limits: t.gate.limits,
      })),
    }),
  );

  api.notFound((c) =>
    c.json({ error: { code: 'not_found', message: `no such endpoint: ${c.req.path}` } }, 404),
  );
  return api;
}
