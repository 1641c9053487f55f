import { Hono } from 'hono';
import { requireAuth } from '../admin/auth.ts';
import { type AdminDeps, createAdminApi } from '../admin/routes.ts';
import { mountWebApp, securityHeaders, webAppDir } from './web-app.ts';

export interface DashboardDeps extends AdminDeps {
  metricsPublic: boolean;
  /** Where the built web app is; default {@link webAppDir}. */
  webDir?: string;
}

/** The dashboard listener: liveness, Prometheus metrics and the admin API. */
export function createDashboardApp(deps: DashboardDeps): Hono {
  const app = new Hono();
  app.use(securityHeaders);
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  if (!deps.metricsPublic) app.use('/metrics', requireAuth(deps.auth));
  app.get('/metrics', (c) =>
    c.body(deps.metrics.renderPrometheus(), 200, {
      'content-type': 'text/plain; version=0.0.4; charset=utf-8',
    }),
  );
  app.route('/api', createAdminApi(deps));
  mountWebApp(app, deps.webDir ?? webAppDir());
  return app;
}
