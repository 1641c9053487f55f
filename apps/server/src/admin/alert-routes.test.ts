import type { RuleDraftInput } from '@lookout/contracts';
import {
  AlertEventPageSchema,
  AlertStateListSchema,
  ApiErrorSchema,
  DeliveryPageSchema,
  DeliveryResponseSchema,
  RuleListSchema,
  RuleResponseSchema,
  SilenceListSchema,
  SilenceResponseSchema,
  WebhookListSchema,
  WebhookResponseSchema,
} from '@lookout/contracts';
import type { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type FakeClock,
  type FakeFleet,
  fakeClock,
  fakeFleet,
  type Receiver,
  silentLog,
  startReceiver,
  tempDir,
} from '../alerts/alert-fixture.ts';
import { AlertService } from '../alerts/service.ts';
import type { Store } from '../store/index.ts';
import { openStore } from '../store/index.ts';
import { createAlertsApi } from './alert-routes.ts';

let data: ReturnType<typeof tempDir>;
let store: Store;
let receiver: Receiver;
let clock: FakeClock;
let fleet: FakeFleet;
let service: AlertService;
let api: Hono;

beforeEach(async () => {
  data = tempDir();
  store = openStore(data.dir);
  receiver = await startReceiver((req) => (req.path === '/broken' ? 502 : 200));
  clock = fakeClock();
  fleet = fakeFleet(clock, ['gpu-1', 'gpu-2']);
  service = new AlertService({
    db: store.db,
    metrics: fleet.engine,
    log: silentLog(),
    webhooks: [{ id: 'ops', url: `${receiver.url}/ops`, kind: 'json' }],
    publicUrl: () => 'http://127.0.0.1:11436',
    now: clock.now,
    delivery: { maxAttempts: 1 },
  });
  api = createAlertsApi({ alerts: service });
});
afterEach(async () => {
  await service.stop();
  store.close();
  await receiver.close();
  data.remove();
});

async function call(method: string, path: string, body?: unknown) {
  const init: RequestInit = { method };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await api.request(path, init);
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** The fields of a 400, after checking it has the REST error shape. */
async function fieldsOf(method: string, path: string, body: unknown): Promise<Record<string, string>> {
  const res = await call(method, path, body);
  expect(res.status).toBe(400);
  return ApiErrorSchema.parse(res.body).error.fields ?? {};
}

const valid: RuleDraftInput = {
  name: 'Errors',
  metric: 'error_rate',
  op: '>',
  threshold: 0.05,
  notify: ['ops'],
};

describe('alert API: rules', () => {
  it('lists the seeded rules, creates, reads, replaces and deletes a rule', async () => {
    const list = RuleListSchema.parse((await call('GET', '/rules')).body);
    expect(list.rules.map((r) => r.id)).toEqual(['target-down', 'timeouts', 'latency-p99', 'queue-depth']);

    const created = await call('POST', '/rules', valid);
    expect(created.status).toBe(201);
    const { rule } = RuleResponseSchema.parse(created.body);
    expect(rule).toMatchObject({ ...valid, scope: { target: '*', model: '*' }, window: '5m', enabled: true });
    expect((await call('GET', `/rules/${rule.id}`)).body).toEqual({ rule });
    const states = AlertStateListSchema.parse((await call('GET', '/alerts/states')).body).states;
    expect(states.filter((s) => s.ruleId === rule.id).map((s) => s.scope.target)).toEqual(['gpu-1', 'gpu-2']);

    // PUT takes the rule back as GET returned it.
    const replaced = await call('PUT', `/rules/${rule.id}`, { ...rule, threshold: 0.1 });
    expect(replaced.status).toBe(200);
    expect(RuleResponseSchema.parse(replaced.body).rule.threshold).toBe(0.1);
    expect(await fieldsOf('PUT', `/rules/${rule.id}`, { ...rule, id: 'other' })).toEqual({
      id: `id must be "${rule.id}", as in the path, or left out`,
    });

    expect((await call('DELETE', `/rules/${rule.id}`)).status).toBe(204);
    for (const [method, body] of [['GET'], ['PUT', valid], ['DELETE']] as const) {
      const gone = await call(method, `/rules/${rule.id}`, body);
      expect(gone.status).toBe(404);
      expect(ApiErrorSchema.parse(gone.body).error).toEqual({
        code: 'not_found',
        message: `no rule with id "${rule.id}"`,
      });
    }
  });

  it('resolves the firing alerts of a rule when it is deleted, and pages the resolution', async () => {
    const draft = { name: 'deep', metric: 'queue_depth', op: '>', threshold: 5, notify: ['ops'] };
    const { rule } = RuleResponseSchema.parse((await call('POST', '/rules', draft)).body);
    fleet.target('gpu-1').queueDepth = 9;
    clock.advance(5_000);
    service.evaluateNow();
    expect((await call('DELETE', `/rules/${rule.id}`)).status).toBe(204);
    await service.notifier.whenIdle();
    const pages = receiver.received.map((r) => r.json<{ kind: string; value: number | null }>());
    expect(pages.map((p) => [p.kind, p.value])).toEqual([
      ['firing', 9],
      ['resolved', null],
    ]);
  });

  it('answers invalid rules with 400 naming the field and the reason', async () => {
    const bad = (patch: Record<string, unknown>) => fieldsOf('POST', '/rules', { ...valid, ...patch });
    expect(Object.keys(await bad({ metric: 'latency_p42_ms' }))).toEqual(['metric']);
    expect(await bad({ metric: 'queue_depth', threshold: -1 })).toEqual({
      threshold: 'threshold must be >= 0',
    });
    expect(await bad({ threshold: 5 })).toEqual({
      threshold: 'threshold must be between 0 and 1 for error_rate',
    });
    expect(await bad({ threshold: 0.05, recoverThreshold: 0.2 })).toEqual({
      recoverThreshold: 'recoverThreshold must be <= threshold (0.05) when op is ">"',
    });
    expect(await bad({ forSec: 86_401 })).toEqual({ forSec: 'forSec must be <= 86400' });
    expect(await bad({ forSec: -5 })).toEqual({ forSec: 'forSec must be >= 0' });
    expect(await bad({ op: '<', threshold: 0 })).toEqual({
      threshold: 'threshold must be above 0 when op is "<" (no value is below 0)',
    });
    expect(await bad({ scope: { target: 'gpu-9', model: '*' } })).toEqual({
      'scope.target': 'no target named "gpu-9"; configured targets: "gpu-1", "gpu-2"',
    });
    expect(await bad({ notify: ['ops', 'pager'] })).toEqual({
      'notify.1': 'unknown webhook "pager"; webhooks: "ops" (or "*" for all, or a URL)',
    });
    expect(await bad({ metric: 'queue_depth', threshold: 20, minSamples: 10 })).toEqual({
      minSamples: 'minSamples must be 0 or 1 for queue_depth: its value is one reading, not calls',
    });
    expect(await bad({ id: 'mine' })).toEqual({ id: 'unknown field "id" in rule' });
    expect(await fieldsOf('POST', '/rules', '{"name": ')).toEqual({
      _: expect.stringMatching(/^the body is not JSON/),
    });
    expect(await fieldsOf('POST', '/rules', '[1, 2]')).toEqual({ _: 'rule must be an object' });
    expect((await call('GET', '/rules')).body).toMatchObject({ rules: { length: 4 } });
  });
});

describe('alert API: events and states', () => {
  it('pages events newest first with a cursor, and filters them', async () => {
    const id = RuleResponseSchema.parse(
      (await call('POST', '/rules', { name: 'deep', metric: 'queue_depth', op: '>', threshold: 5 })).body,
    ).rule.id;
    for (let i = 0; i < 3; i++) {
      fleet.target('gpu-1').queueDepth = 9;
      fleet.target('gpu-2').queueDepth = i === 0 ? 9 : 0;
      clock.advance(5_000);
      service.evaluateNow();
      fleet.target('gpu-1').queueDepth = 0;
      clock.advance(5_000);
      service.evaluateNow();
    }
    const page = async (query: string) =>
      AlertEventPageSchema.parse((await call('GET', `/alerts?${query}`)).body);
    const first = await page(`rule=${id}&limit=4`);
    // Oldest first: gpu-1 and gpu-2 fire, gpu-1 recovers; gpu-1 fires, gpu-2 recovers; gpu-1 recovers...
    expect(first.events.map((e) => `${e.scope.target}:${e.to}`)).toEqual([
      'gpu-1:ok',
      'gpu-1:firing',
      'gpu-1:ok',
      'gpu-2:ok',
    ]);
    const second = await page(`rule=${id}&limit=4&before=${first.nextBefore}`);
    expect(second.events.map((e) => `${e.scope.target}:${e.to}`)).toEqual([
      'gpu-1:firing',
      'gpu-1:ok',
      'gpu-2:firing',
      'gpu-1:firing',
    ]);
    expect(second.nextBefore).toBeNull();
    expect((await page(`target=gpu-2&state=firing`)).events).toHaveLength(1);
    expect(
      (await page(`rule=${id}&state=ok`)).events.map((e) => `${e.scope.target}:${e.durationMs}`),
    ).toEqual(['gpu-1:5000', 'gpu-1:5000', 'gpu-2:10000', 'gpu-1:5000']);
    expect((await page('severity=critical')).events).toEqual([]);

    expect(await fieldsOf('GET', '/alerts?limit=0', undefined)).toEqual({ limit: 'limit must be >= 1' });
    expect(await fieldsOf('GET', '/alerts?state=burning&limit=2&limit=3', undefined)).toEqual({
      state: 'state must be one of ok, pending, firing, no_data; got "burning"',
      limit: 'limit is given 2 times; give it once',
    });
    expect(Object.keys(await fieldsOf('GET', '/alerts?before=abc&sort=asc', undefined)).sort()).toEqual([
      'before',
      'sort',
    ]);
  });
});

describe('alert API: webhooks and silences', () => {
  it('creates, lists, tests, replaces and deletes a dashboard webhook; config webhooks are read-only', async () => {
    const created = await call('POST', '/webhooks', { name: 'broken hook', url: `${receiver.url}/broken` });
    expect(created.status).toBe(201);
    const { webhook } = WebhookResponseSchema.parse(created.body);
    expect(webhook).toMatchObject({ kind: 'json', source: 'ui', headers: {}, lastDelivery: null });

    const failed = DeliveryResponseSchema.parse(
      (await call('POST', `/webhooks/${webhook.id}/test`)).body,
    ).delivery;
    expect(failed).toMatchObject({ kind: 'test', status: 'failed', lastHttpStatus: 502, attempts: 1 });
    const ok = DeliveryResponseSchema.parse((await call('POST', '/webhooks/ops/test')).body).delivery;
    expect(ok).toMatchObject({ status: 'delivered', lastHttpStatus: 200 });
    expect(receiver.received.find((r) => r.path === '/ops')?.json()).toMatchObject({
      kind: 'test',
      rule: null,
    });

    const listed = WebhookListSchema.parse((await call('GET', '/webhooks')).body).webhooks;
    expect(listed.map((w) => [w.id, w.source, w.lastDelivery?.status])).toEqual([
      ['ops', 'config', 'delivered'],
      [webhook.id, 'ui', 'failed'],
    ]);
    const failures = DeliveryPageSchema.parse(
      (await call('GET', '/deliveries?status=failed')).body,
    ).deliveries;
    expect(failures.map((d) => d.webhookId)).toEqual([webhook.id]);

    expect(
      await fieldsOf('PUT', `/webhooks/${webhook.id}`, { name: 'x', url: 'ftp://nope', kind: 'teams' }),
    ).toEqual({
      url: 'url must be an http(s) URL; got "ftp://nope"',
      kind: 'kind must be one of "json", "slack"; got "teams"',
    });
    const fixed = await call('PUT', `/webhooks/${webhook.id}`, {
      ...webhook,
      url: `${receiver.url}/ok`,
      kind: 'slack',
    });
    expect(WebhookResponseSchema.parse(fixed.body).webhook).toMatchObject({
      kind: 'slack',
      url: `${receiver.url}/ok`,
    });

    const rule = { name: 'uses it', metric: 'queue_depth', op: '>', threshold: 5, notify: [webhook.id] };
    const ruleId = RuleResponseSchema.parse((await call('POST', '/rules', rule)).body).rule.id;
    const inUse = await call('DELETE', `/webhooks/${webhook.id}`);
    expect(inUse.status).toBe(409);
    expect(ApiErrorSchema.parse(inUse.body).error.code).toBe('webhook_in_use');
    await call('DELETE', `/rules/${ruleId}`);
    expect((await call('DELETE', `/webhooks/${webhook.id}`)).status).toBe(204);
    expect((await call('DELETE', `/webhooks/${webhook.id}`)).status).toBe(404);
    const readOnly = await call('PUT', '/webhooks/ops', { name: 'x', url: receiver.url });
    expect(readOnly.status).toBe(409);
    expect(ApiErrorSchema.parse(readOnly.body).error.code).toBe('webhook_read_only');
  });

  it('creates, lists, extends and removes silences, refusing bad ones with the field named', async () => {
    const inAnHour = new Date(clock.nowMs + 3_600_000).toISOString();
    const draft = { ruleId: 'queue-depth', scope: { target: 'gpu-1' }, until: inAnHour, reason: 'GPU swap' };
    const created = await call('POST', '/silences', draft);
    expect(created.status).toBe(201);
    const { silence } = SilenceResponseSchema.parse(created.body);
    expect(silence).toMatchObject({ scope: { target: 'gpu-1', model: '*' }, until: inAnHour, active: true });
    service.evaluateNow();
    const states = AlertStateListSchema.parse((await call('GET', '/alerts/states')).body).states;
    expect(states.filter((s) => s.ruleId === 'queue-depth').map((s) => s.silencedUntil)).toEqual([
      inAnHour,
      undefined,
    ]);

    const later = new Date(clock.nowMs + 7_200_000).toISOString();
    const extended = await call('PUT', `/silences/${silence.id}`, { ...silence, until: later });
    expect(SilenceResponseSchema.parse(extended.body).silence.until).toBe(later);

    const bad = (patch: Record<string, unknown>) => fieldsOf('POST', '/silences', { ...draft, ...patch });
    expect(await bad({ until: new Date(clock.nowMs - 1).toISOString() })).toEqual({
      until: `until must be in the future (now is ${new Date(clock.nowMs).toISOString()})`,
    });
    expect(await bad({ ruleId: 'nope' })).toEqual({ ruleId: 'no rule with id "nope"' });
    expect(await bad({ reason: '  ' })).toEqual({
      reason: 'reason must not be empty: say why the alert is muted',
    });
    expect(Object.keys(await bad({ until: 'tomorrow' }))).toEqual(['until']);

    clock.advance(7_200_001);
    const listed = SilenceListSchema.parse((await call('GET', '/silences')).body).silences;
    expect(listed.map((s) => [s.id, s.active])).toEqual([[silence.id, false]]);
    expect((await call('DELETE', `/silences/${silence.id}`)).status).toBe(204);
    expect((await call('DELETE', `/silences/${silence.id}`)).status).toBe(404);
  });
});
