import { describe, expect, it } from 'vitest';
import { AlertEventQuerySchema } from './alert-api.ts';
import { AlertEventSchema } from './alerts.ts';
import { validate } from './errors.ts';
import { RuleDraftSchema } from './rules.ts';
import { SilenceDraftSchema } from './silences.ts';
import { AlertNotificationSchema, WebhookDraftSchema } from './webhooks.ts';

const fieldsOf = (schema: Parameters<typeof validate>[0], input: unknown) => {
  const result = validate(schema, input);
  return result.ok ? null : (result.error.fields ?? {});
};

describe('rules that could never fire', () => {
  const base = { name: 'x', metric: 'error_rate', op: '>', threshold: 0.05 } as const;

  it('refuses a fraction metric above 1 and anything below 0', () => {
    expect(fieldsOf(RuleDraftSchema, { ...base, threshold: 1 })).toEqual({
      threshold: 'threshold must be below 1 for error_rate with op ">" (the value is never above 1)',
    });
    expect(
      fieldsOf(RuleDraftSchema, { ...base, metric: 'tokens_per_sec_p50', op: '<', threshold: 0 }),
    ).toEqual({
      threshold: 'threshold must be above 0 when op is "<" (no value is below 0)',
    });
    expect(fieldsOf(RuleDraftSchema, { ...base, threshold: 0.99 })).toBeNull();
    expect(fieldsOf(RuleDraftSchema, { ...base, metric: 'queue_depth', threshold: 1 })).toBeNull();
  });
});

describe('AlertEventQuerySchema', () => {
  it('defaults the page size, reads numbers from the query string and names bad parameters', () => {
    expect(AlertEventQuerySchema.parse({})).toEqual({ limit: 100 });
    expect(AlertEventQuerySchema.parse({ limit: '20', before: '981', state: 'firing' })).toEqual({
      limit: 20,
      before: '981',
      state: 'firing',
    });
    expect(
      fieldsOf(AlertEventQuerySchema, { limit: '501', before: '0', severity: 'page', order: 'asc' }),
    ).toEqual({
      limit: 'limit must be <= 500',
      before: 'before must be an id from a previous page; got "0"',
      severity: 'severity must be one of warning, critical; got "page"',
      order: 'unknown parameter order; expected limit, before, rule, target, model, state, severity',
    });
  });
});

describe('WebhookDraftSchema', () => {
  it('defaults kind and headers, and checks the URL and each header', () => {
    expect(WebhookDraftSchema.parse({ name: ' ops ', url: 'https://hooks.example.test/x' })).toEqual({
      name: 'ops',
      url: 'https://hooks.example.test/x',
      kind: 'json',
      headers: {},
    });
    expect(
      fieldsOf(WebhookDraftSchema, {
        name: 'ops',
        url: 'javascript:alert(1)',
        headers: { 'bad header': 'x', authorization: 'a\r\nb' },
      }),
    ).toEqual({
      url: 'url must be an http(s) URL; got "javascript:alert(1)"',
      'headers.bad header': "header names must be HTTP tokens (letters, digits and !#$%&'*+.^_`|~-)",
      'headers.authorization': 'header values must not contain line breaks',
    });
    expect(
      fieldsOf(WebhookDraftSchema, { name: 'ops', url: 'http://x.test', headers: { 'Content-Type': 'a' } }),
    ).toEqual({
      headers: 'content-type is set by Lookout (application/json)',
    });
  });
});

describe('SilenceDraftSchema', () => {
  it('defaults the scope to the whole rule and requires a reason and an ISO time', () => {
    expect(
      SilenceDraftSchema.parse({ ruleId: 'r', until: '2025-11-22T18:00:00Z', reason: 'deploy' }),
    ).toEqual({
      ruleId: 'r',
      scope: { target: '*', model: '*' },
      until: '2025-11-22T18:00:00Z',
      reason: 'deploy',
    });
    expect(fieldsOf(SilenceDraftSchema, { ruleId: 'r', until: 'soon', reason: '', extra: 1 })).toEqual({
      until: 'until must be an ISO time like 2025-11-22T18:00:00Z; got "soon"',
      reason: 'reason must not be empty: say why the alert is muted',
      extra: 'unknown field "extra" in silence',
    });
  });
});

describe('alert payloads', () => {
  it('keep events without a duration valid, and describe a test notification with null rule and scope', () => {
    const event = {
      id: '1',
      ruleId: 'r',
      ruleName: 'n',
      metric: 'queue_depth',
      severity: 'warning',
      scope: { target: 'gpu-1', model: '*' },
      from: 'firing',
      to: 'ok',
      value: 3,
      threshold: 10,
      at: '2025-11-22T17:00:00.000Z',
    } as const;
    expect(AlertEventSchema.parse(event)).toEqual(event);
    expect(AlertEventSchema.parse({ ...event, durationMs: 65_000 }).durationMs).toBe(65_000);
    expect(() => AlertEventSchema.parse({ ...event, durationMs: -1 })).toThrow();
    const test = {
      version: 1,
      kind: 'test',
      status: 'firing',
      summary: '[TEST] Lookout test notification: this webhook is reachable',
      rule: null,
      scope: null,
      value: null,
      threshold: null,
      startsAt: null,
      endsAt: null,
      durationMs: null,
      eventId: null,
      at: '2025-11-22T17:00:00.000Z',
      dashboardUrl: 'http://127.0.0.1:11436/#/alerts',
    };
    expect(AlertNotificationSchema.parse(test)).toEqual(test);
  });
});
