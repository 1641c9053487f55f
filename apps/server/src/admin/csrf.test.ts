import { ApiErrorSchema } from '@lookout/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fleet, startFleet, TEST_ADMIN_TOKEN } from '../testing/harness.ts';
import { originAllowed } from './csrf.ts';

describe('originAllowed', () => {
  it('accepts the request host and trusted origins, nothing else', () => {
    expect(originAllowed('http://127.0.0.1:11436', '127.0.0.1:11436')).toBe(true);
    expect(originAllowed('http://LOCALHOST:11436', 'localhost:11436')).toBe(true);
    expect(originAllowed('http://127.0.0.1:11436', 'LocalHost:11436')).toBe(false);
    expect(originAllowed('http://127.0.0.1:11435', '127.0.0.1:11436')).toBe(false); // the relay's port
    expect(originAllowed('http://evil.example', '127.0.0.1:11436')).toBe(false);
    expect(originAllowed('null', '127.0.0.1:11436')).toBe(false);
    expect(originAllowed('file://', '127.0.0.1:11436')).toBe(false);
    expect(originAllowed('not a url', undefined)).toBe(false);
    const trusted = ['https://lookout.example.com/'];
    expect(originAllowed('https://lookout.example.com', '10.0.0.5:11436', trusted)).toBe(true);
    expect(originAllowed('http://lookout.example.com', '10.0.0.5:11436', trusted)).toBe(false);
  });
});

const RULE = { name: 'slow', metric: 'latency_p95_ms', op: '>', threshold: 1000 };

describe('cookie sessions and cross-site requests', () => {
  let fleet: Fleet;
  let cookie: string;
  beforeAll(async () => {
    fleet = await startFleet([{}], { publicUrl: 'https://lookout.example.com' });
    const res = await fetch(`${fleet.dashboard}/api/session`, {
      method: 'POST',
      body: JSON.stringify({ token: TEST_ADMIN_TOKEN }),
    });
    cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  });
  afterAll(() => fleet.close());

  function post(path: string, headers: Record<string, string>, body: unknown = RULE): Promise<Response> {
    return fetch(`${fleet.dashboard}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  }

  async function expectCrossOrigin(res: Response): Promise<void> {
    expect(res.status).toBe(403);
    expect(ApiErrorSchema.parse(await res.json()).error.code).toBe('cross_origin');
  }

  it('refuses a cookie write without a same-origin Origin or Sec-Fetch-Site', async () => {
    await expectCrossOrigin(await post('/api/rules', { cookie }));
    await expectCrossOrigin(await post('/api/rules', { cookie, origin: 'http://evil.example' }));
    await expectCrossOrigin(await post('/api/rules', { cookie, origin: 'null' }));
    await expectCrossOrigin(await post('/api/rules', { cookie, 'sec-fetch-site': 'cross-site' }));
    await expectCrossOrigin(await post('/api/rules', { cookie, 'sec-fetch-site': 'same-site' }));
    // An Origin decides even when Sec-Fetch-Site claims same-origin.
    await expectCrossOrigin(
      await post('/api/rules', { cookie, origin: 'http://evil.example', 'sec-fetch-site': 'same-origin' }),
    );
    const remove = await fetch(`${fleet.dashboard}/api/session`, { method: 'DELETE', headers: { cookie } });
    await expectCrossOrigin(remove);
    const rules = await fetch(`${fleet.dashboard}/api/rules`, { headers: { cookie } });
    const names = ((await rules.json()) as { rules: { name: string }[] }).rules.map((r) => r.name);
    expect(names).not.toContain(RULE.name); // nothing was created
  });

  it('accepts a cookie write from the dashboard itself', async () => {
    const created = await post('/api/rules', { cookie, origin: fleet.dashboard });
    expect(created.status).toBe(201);
    const { rule } = (await created.json()) as { rule: { id: string } };
    const viaFetchSite = await post('/api/rules', { cookie, 'sec-fetch-site': 'same-origin' });
    expect(viaFetchSite.status).toBe(201);
    const viaPublicUrl = await post('/api/rules', { cookie, origin: 'https://lookout.example.com' });
    expect(viaPublicUrl.status).toBe(201);
    const put = await fetch(`${fleet.dashboard}/api/rules/${rule.id}`, {
      method: 'PUT',
      headers: { cookie, origin: fleet.dashboard, 'content-type': 'application/json' },
      body: JSON.stringify({ ...RULE, threshold: 2000 }),
    });
    expect(put.status).toBe(200);
    const del = await fetch(`${fleet.dashboard}/api/rules/${rule.id}`, {
      method: 'DELETE',
      headers: { cookie, origin: fleet.dashboard },
    });
    expect(del.status).toBe(204);
    // Reads need no Origin.
    expect((await fetch(`${fleet.dashboard}/api/rules`, { headers: { cookie } })).status).toBe(200);
  });

  it('exempts bearer requests: a script with the token needs no Origin', async () => {
    const bearer = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
    expect((await post('/api/rules', bearer)).status).toBe(201);
    expect((await post('/api/rules', { ...bearer, origin: 'http://elsewhere.example' })).status).toBe(201);
  });

  it('refuses a sign-in a browser says comes from another site', async () => {
    const body = { token: TEST_ADMIN_TOKEN };
    await expectCrossOrigin(await post('/api/session', { origin: 'http://evil.example' }, body));
    await expectCrossOrigin(await post('/api/session', { 'sec-fetch-site': 'cross-site' }, body));
    expect((await post('/api/session', { origin: fleet.dashboard }, body)).status).toBe(200);
    expect((await post('/api/session', {}, body)).status).toBe(200); // curl, scripts
  });

  it('signs out only from the dashboard, and then the cookie is cleared', async () => {
    const res = await fetch(`${fleet.dashboard}/api/session`, {
      method: 'DELETE',
      headers: { cookie, origin: fleet.dashboard },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toMatch(/lookout_session=;/);
  });
});
