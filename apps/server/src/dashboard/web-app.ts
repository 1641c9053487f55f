import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono, MiddlewareHandler } from 'hono';

/** The built web app (`pnpm --filter @lookout/web build`), unless `LOOKOUT_WEB_DIR` points elsewhere. */
export function webAppDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return resolve(env.LOOKOUT_WEB_DIR ?? fileURLToPath(new URL('../../../web/dist', import.meta.url)));
}

/**
 * Headers for every page of the dashboard: no framing (clickjacking), no sniffing, no referrer, and a
 * CSP that allows only this origin (inline style attributes are what the charts draw with).
 */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header(
    'content-security-policy',
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
      "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  );
  c.header('x-content-type-options', 'nosniff');
  c.header('x-frame-options', 'DENY');
  c.header('referrer-policy', 'no-referrer');
};

/**
 * Serves the web app's files, and its `index.html` for any other GET outside `/api`, `/ws`,
 * `/metrics` (the app routes in the browser). Without a build, `/` says how to make one.
 */
export function mountWebApp(app: Hono, dir: string): void {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) {
    app.get('/', (c) =>
      c.text('The dashboard is not built: run `pnpm --filter @lookout/web build` (pnpm start does it).', 503),
    );
    return;
  }
  const html = readFileSync(index, 'utf8');
  app.use('/assets/*', async (c, next) => {
    await next();
    // Vite names assets by content hash: they never change under one name.
    if (c.res.status === 200) c.header('cache-control', 'public, max-age=31536000, immutable');
  });
  app.use('/*', serveStatic({ root: dir }));
  app.get('*', (c) => {
    if (/^\/(api|ws|metrics|healthz)(\/|$)/.test(c.req.path)) return c.notFound();
    c.header('cache-control', 'no-cache');
    return c.html(html);
  });
}
