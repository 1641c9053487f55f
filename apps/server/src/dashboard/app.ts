import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requireAuth } from '../admin/auth.ts';
import { type AdminDeps, createAdminApi } from '../admin/routes.ts';
import { mountWebApp, securityHeaders, webAppDir } from './web-app.ts';

/**
 * Largest request body on the dashboard listener. The biggest legitimate one is a test prompt of
 * 20 000 characters, up to 6 bytes each once JSON-escaped: 256 KiB leaves room and nothing more.
 */
export const DASHBOARD_MAX_BODY_BYTES = 256 * 1024;

export interface DashboardOptions {
  /** Where the built web app is; default {@link webAppDir}. */
  webDir?: string;
  maxBodyBytes?: number;
}

export interface DashboardDeps extends AdminDeps, DashboardOptions {
  metricsPublic: boolean;
}

/** The dashboard listener: liveness, Prometheus metrics, the admin API and the web app. */
export function createDashboardApp(deps: DashboardDeps): Hono {
  const app = new Hono();
  const maxBodyBytes = deps.maxBodyBytes ?? DASHBOARD_MAX_BODY_BYTES;
  app.use(securityHeaders);
  // Before anything reads a body: a declared length is refused at once, a chunked one when it passes.
  app.use(
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: (c) => {
        // The rest of the body is not read: the connection cannot carry another request.
        c.header('connection', 'close');
        return c.json(
          {
            error: {
              code: 'body_too_large',
              message: `request bodies are limited to ${maxBodyBytes} bytes on the dashboard`,
            },
          },
          413,
        );
      },
    }),
  );
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  if (!deps.metricsPublic) app.use('/metrics', requireAuth(deps.auth));
  app.get('/metrics', (c) =>
    c.body(deps.metrics.renderPrometheus(), 200, {
      'content-type': 'text/plain; version=0.0.4; charset=utf-8',
    }),
  );
  // The WebSocket is served by the HTTP server's upgrade handler; a plain GET only learns that.
  app.get('/ws', requireAuth(deps.auth), (c) =>
    c.json(
      { error: { code: 'upgrade_required', message: 'GET /ws is a WebSocket: send Upgrade: websocket' } },
      426,
    ),
  );
  app.route('/api', createAdminApi(deps));
  mountWebApp(app, deps.webDir ?? webAppDir());
  app.notFound((c) =>
    c.json({ error: { code: 'not_found', message: `no such endpoint: ${c.req.method} ${c.req.path}` } }, 404),
  );
  app.onError((error, c) => {
    deps.log?.error({ err: error, path: c.req.path }, 'dashboard request failed');
    return c.json(
      { error: { code: 'internal_error', message: 'the request failed; see the server log' } },
      500,
    );
  });
  return app;
}
