import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { mountWebApp, securityHeaders } from './web-app.ts';

function builtApp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-web-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(join(dir, 'assets', 'app-abc123.js'), 'console.log(1)');
  return dir;
}

describe('the web app on the dashboard listener', () => {
  it('serves files, index.html for app routes, and security headers', async () => {
    const app = new Hono();
    app.use(securityHeaders);
    app.get('/api/x', (c) => c.json({ ok: true }));
    mountWebApp(app, builtApp());

    const root = await app.request('/');
    expect(root.status).toBe(200);
    expect(await root.text()).toContain('id="root"');
    expect(root.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(root.headers.get('x-content-type-options')).toBe('nosniff');

    const route = await app.request('/alerts/rules');
    expect(await route.text()).toContain('id="root"');

    const asset = await app.request('/assets/app-abc123.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');

    expect((await app.request('/api/x')).status).toBe(200);
    expect((await app.request('/api/missing')).status).toBe(404);
  });

  it('puts the security headers on errors and misses too', async () => {
    const app = new Hono();
    app.use(securityHeaders);
    app.get('/boom', () => {
      throw new Error('boom');
    });
    mountWebApp(app, mkdtempSync(join(tmpdir(), 'lookout-empty-')));
    app.notFound((c) => c.json({ error: { code: 'not_found', message: 'no' } }, 404));
    app.onError((_e, c) => c.json({ error: { code: 'internal_error', message: 'failed' } }, 500));
    for (const [path, status] of [
      ['/boom', 500],
      ['/nope', 404],
      ['/', 503],
    ] as const) {
      const res = await app.request(path);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });

  it('says how to build it when there is no build', async () => {
    const app = new Hono();
    mountWebApp(app, mkdtempSync(join(tmpdir(), 'lookout-empty-')));
    const res = await app.request('/');
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/pnpm --filter @lookout\/web build/);
  });
});
