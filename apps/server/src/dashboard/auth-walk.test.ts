import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiErrorSchema } from '@lookout/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Fleet, startFleet, TEST_ADMIN_TOKEN } from '../testing/harness.ts';

/** A built web app in a temp dir, so the static routes are mounted as in production. */
function builtWebApp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-web-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(join(dir, 'assets', 'app-abc123.js'), 'console.log(1)');
  return dir;
}

const WRONG_BEARER = { authorization: 'Bearer not-the-admin-token-0000' };
const FORGED_COOKIE = {
  cookie: `lookout_session=v1.${Date.now()}.Zm9yZ2VkLW1hYy1vZi00My1jaGFyYWN0ZXJzLWxvbmdpc2g`,
};
const MANGLED_COOKIE = { cookie: 'lookout_session=%E0%A4%A; other=1' };
const BAD_CREDENTIALS = { none: {}, WRONG_BEARER, FORGED_COOKIE, MANGLED_COOKIE };

interface WalkedRoute {
  method: string;
  /** As registered, e.g. `/api/rules/:id`. */
  pattern: string;
  /** With parameters filled in, e.g. `/api/rules/x`. */
  path: string;
}

/**
 * Every route of the dashboard app, from its own route table: a route added later is walked too.
 * Middleware (method ALL) is left out; wildcard routes are returned apart, for the caller to vet.
 */
function routesOf(fleet: Fleet): { concrete: WalkedRoute[]; wildcard: string[] } {
  const seen = new Set<string>();
  const concrete: WalkedRoute[] = [];
  const wildcard: string[] = [];
  for (const r of fleet.lookout.dashboardApp.routes) {
    if (r.method === 'ALL') continue;
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (r.path.includes('*')) wildcard.push(key);
    else concrete.push({ method: r.method, pattern: r.path, path: r.path.replace(/:\w+(\{[^}]*\})?/g, 'x') });
  }
  return { concrete, wildcard };
}

function expectSecurityHeaders(res: Response, what: string): void {
  expect(res.headers.get('content-security-policy'), what).toContain("frame-ancestors 'none'");
  expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(res.headers.get('x-frame-options'), what).toBe('DENY');
}

async function request(
  fleet: Fleet,
  route: { method: string; path: string },
  headers: Record<string, string>,
): Promise<Response> {
  const write = route.method !== 'GET' && route.method !== 'HEAD';
  return fetch(`${fleet.dashboard}${route.path}`, {
    method: route.method,
    headers: {
      ...headers,
      ...(write ? { 'content-type': 'application/json', origin: fleet.dashboard } : {}),
    },
    ...(write ? { body: '{}' } : {}),
  });
}

/** Opens /ws with `headers`; resolves with the HTTP status of a refusal, or 101 when it opened. */
function upgradeStatus(fleet: Fleet, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${fleet.dashboard.replace('http', 'ws')}/ws`, { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

function walkEveryRoute(metricsPublic: boolean): void {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet([{}], { metricsPublic }, { dashboard: { webDir: builtWebApp() } });
  });
  afterAll(() => fleet.close());

  const publicRoutes = ['GET /healthz', 'POST /api/session', ...(metricsPublic ? ['GET /metrics'] : [])];

  it('has no public route but the known ones; the web app is the only wildcard', () => {
    const { concrete, wildcard } = routesOf(fleet);
    expect(wildcard).toEqual(['GET /*']);
    expect(concrete.length).toBeGreaterThan(25);
    for (const expected of ['GET /ws', 'GET /api/snapshot', 'POST /api/rules', 'DELETE /api/session']) {
      expect(concrete.map((r) => `${r.method} ${r.pattern}`)).toContain(expected);
    }
  });

  it.each(Object.entries(BAD_CREDENTIALS))(
    'answers 401 {error:{code,message}} on every other route with credentials: %s',
    async (_name, headers) => {
      const walked = routesOf(fleet).concrete.filter(
        (r) => !publicRoutes.includes(`${r.method} ${r.pattern}`),
      );
      for (const route of walked) {
        const res = await request(fleet, route, headers);
        const what = `${route.method} ${route.path}`;
        expect(res.status, what).toBe(401);
        const body = ApiErrorSchema.parse(await res.json());
        expect(body.error.code, what).toBe('unauthorized');
        expectSecurityHeaders(res, what);
      }
      // Paths no route names are refused the same way, not answered by the web app.
      for (const path of ['/api', '/api/nope', '/api/rules/x/y', '/api/../api/snapshot']) {
        const res = await request(fleet, { method: 'GET', path }, headers);
        expect(res.status, path).toBe(401);
      }
      expect(await upgradeStatus(fleet, headers)).toBe(401);
    },
  );

  it('lets the admin token through every route (so the walk reaches real handlers)', async () => {
    for (const route of routesOf(fleet).concrete) {
      const res = await request(fleet, route, { authorization: `Bearer ${TEST_ADMIN_TOKEN}` });
      const what = `${route.method} ${route.path}`;
      if (route.pattern === '/api/session') continue;
      expect(res.status, what).not.toBe(401);
      expect(res.status, what).toBeLessThan(500);
      expectSecurityHeaders(res, what);
      await res.body?.cancel();
    }
    expect(await upgradeStatus(fleet, { authorization: `Bearer ${TEST_ADMIN_TOKEN}` })).toBe(101);
  });

  it('serves the public routes without auth, with the security headers', async () => {
    for (const path of ['/healthz', '/', '/assets/app-abc123.js', '/alerts/rules']) {
      const res = await fetch(`${fleet.dashboard}${path}`);
      expect(res.status, path).toBe(200);
      expectSecurityHeaders(res, path);
      await res.body?.cancel();
    }
    const metrics = await fetch(`${fleet.dashboard}/metrics`);
    expect(metrics.status).toBe(metricsPublic ? 200 : 401);
    expectSecurityHeaders(metrics, '/metrics');
    await metrics.body?.cancel();
    const signIn = await fetch(`${fleet.dashboard}/api/session`, {
      method: 'POST',
      body: JSON.stringify({ token: TEST_ADMIN_TOKEN }),
    });
    expect(signIn.status).toBe(200);
    expectSecurityHeaders(signIn, 'POST /api/session');
  });
}

describe('dashboard auth, every route walked', () => {
  walkEveryRoute(false);
});

describe('dashboard auth with LOOKOUT_METRICS_PUBLIC', () => {
  walkEveryRoute(true);
});

describe('the WebSocket', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet([{}]);
  });
  afterAll(() => fleet.close());

  it('refuses a page of another origin even with a valid credential, and survives mangled cookies', async () => {
    const cookie = (
      await fetch(`${fleet.dashboard}/api/session`, {
        method: 'POST',
        body: JSON.stringify({ token: TEST_ADMIN_TOKEN }),
      })
    ).headers
      .get('set-cookie')!
      .split(';')[0]!;
    expect(await upgradeStatus(fleet, { cookie, origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(fleet, { cookie, origin: 'null' })).toBe(403);
    expect(await upgradeStatus(fleet, { cookie, origin: fleet.dashboard })).toBe(101);
    for (let i = 0; i < 3; i++) expect(await upgradeStatus(fleet, MANGLED_COOKIE)).toBe(401);
    expect((await fetch(`${fleet.dashboard}/healthz`)).status).toBe(200);
  });

  it('answers a plain GET /ws (no upgrade) with 426 once signed in', async () => {
    const res = await fetch(`${fleet.dashboard}/ws`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(426);
    expect(ApiErrorSchema.parse(await res.json()).error.code).toBe('upgrade_required');
  });
});
