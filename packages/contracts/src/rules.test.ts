import { describe, expect, it } from 'vitest';
import { validate } from './errors.ts';
import type { Rule } from './rules.ts';
import { RuleDraftSchema, RuleSchema } from './rules.ts';

const rule: Rule = {
  id: 'r-latency',
  name: 'p95 latency high',
  metric: 'latency_p95_ms',
  scope: { target: '*', model: 'llama3.2:3b' },
  window: '5m',
  op: '>',
  threshold: 2000,
  forSec: 60,
  recoverThreshold: 1500,
  minSamples: 10,
  severity: 'critical',
  enabled: true,
  notify: ['ops-webhook', 'https://hooks.example.test/lookout'],
};

/** The field errors of a rule with `patch` applied, or null when it is valid. */
function fieldsOf(patch: Record<string, unknown>): Record<string, string> | null {
  const result = validate(RuleSchema, { ...rule, ...patch }, 'invalid_rule');
  if (result.ok) return null;
  expect(result.error.code).toBe('invalid_rule');
  return result.error.fields ?? {};
}

describe('RuleSchema', () => {
  it('accepts a complete rule as is', () => {
    expect(RuleSchema.parse(rule)).toEqual(rule);
    const { recoverThreshold: _r, ...withoutRecover } = rule;
    expect(RuleSchema.parse(withoutRecover)).toEqual(withoutRecover);
  });

  it('names the metric and lists the valid ones for an unknown metric', () => {
    const fields = fieldsOf({ metric: 'latency_p42_ms' });
    expect(fields?.metric).toMatch(/^metric must be one of .*"latency_p50_ms".*; got "latency_p42_ms"$/);
  });

  it('bounds forSec to 0..86400', () => {
    expect(fieldsOf({ forSec: -1 })).toEqual({ forSec: 'forSec must be >= 0' });
    expect(fieldsOf({ forSec: 86_401 })).toEqual({ forSec: 'forSec must be <= 86400' });
    expect(fieldsOf({ forSec: 0 })).toBeNull();
    expect(fieldsOf({ forSec: 86_400 })).toBeNull();
  });

  it('requires threshold >= 0 for every metric', () => {
    for (const metric of ['latency_p50_ms', 'timeouts', 'queue_depth', 'tokens_per_sec_p50'] as const) {
      expect(fieldsOf({ metric, threshold: -0.5, recoverThreshold: undefined })).toEqual({
        threshold: 'threshold must be >= 0',
      });
    }
  });

  it('keeps error_rate and target_down thresholds within 0..1', () => {
    expect(fieldsOf({ metric: 'error_rate', threshold: 5, recoverThreshold: undefined })).toEqual({
      threshold: 'threshold must be between 0 and 1 for error_rate',
    });
    expect(fieldsOf({ metric: 'error_rate', threshold: 0.05, recoverThreshold: 2 })?.recoverThreshold).toBe(
      'recoverThreshold must be between 0 and 1 for error_rate',
    );
    expect(fieldsOf({ metric: 'target_down', threshold: 1.5, recoverThreshold: undefined })?.threshold).toBe(
      'threshold must be between 0 and 1 for target_down',
    );
    expect(fieldsOf({ metric: 'target_down', threshold: 0.5, recoverThreshold: undefined })).toBeNull();
  });

  it('requires op ">" for target_down', () => {
    expect(
      fieldsOf({ metric: 'target_down', op: '<', threshold: 0.5, recoverThreshold: undefined })?.op,
    ).toMatch(/^op must be ">" for target_down/);
  });

  it('keeps recoverThreshold on the recovery side of threshold', () => {
    expect(fieldsOf({ op: '>', threshold: 2000, recoverThreshold: 2500 })).toEqual({
      recoverThreshold: 'recoverThreshold must be <= threshold (2000) when op is ">"',
    });
    expect(fieldsOf({ op: '>', threshold: 2000, recoverThreshold: 2000 })).toBeNull();
    expect(fieldsOf({ metric: 'tokens_per_sec_p50', op: '<', threshold: 10, recoverThreshold: 8 })).toEqual({
      recoverThreshold: 'recoverThreshold must be >= threshold (10) when op is "<"',
    });
    expect(
      fieldsOf({ metric: 'tokens_per_sec_p50', op: '<', threshold: 10, recoverThreshold: 12 }),
    ).toBeNull();
  });

  it('requires minSamples to be a non-negative integer', () => {
    expect(fieldsOf({ minSamples: -1 })).toEqual({ minSamples: 'minSamples must be >= 0' });
    expect(fieldsOf({ minSamples: 2.5 })).toEqual({ minSamples: 'minSamples must be an integer' });
    expect(fieldsOf({ minSamples: '3' })).toEqual({ minSamples: 'minSamples must be an integer' });
  });

  it('requires notify to be strings, URLs valid when they have a scheme', () => {
    expect(fieldsOf({ notify: 'ops-webhook' })).toEqual({
      notify: 'notify must be an array of webhook ids or URLs',
    });
    expect(fieldsOf({ notify: [42] })).toEqual({
      'notify.0': 'notify must be an array of webhook ids or URLs',
    });
    expect(fieldsOf({ notify: ['ok-id', ''] })).toEqual({ 'notify.1': 'notify entries must not be empty' });
    expect(fieldsOf({ notify: ['ftp://x.test/a'] })).toEqual({
      'notify.0': 'notify entry "ftp://x.test/a" is not a valid http(s) URL',
    });
    expect(fieldsOf({ notify: [] })).toBeNull();
  });

  it('names missing fields, wrong kinds and unknown fields', () => {
    const { threshold: _t, ...missing } = rule;
    const result = validate(RuleSchema, missing);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.fields).toEqual({ threshold: 'threshold is required' });
    expect(fieldsOf({ threshold: 'high' })).toEqual({ threshold: 'threshold must be a number' });
    expect(fieldsOf({ threshold: Number.POSITIVE_INFINITY })).toEqual({
      threshold: 'threshold must be a number',
    });
    expect(fieldsOf({ window: '2m' })).toEqual({ window: 'window must be one of "1m", "5m", "15m"' });
    expect(fieldsOf({ severity: 'page' })).toEqual({
      severity: 'severity must be one of "warning", "critical"',
    });
    expect(fieldsOf({ enabled: 'yes' })).toEqual({ enabled: 'enabled must be true or false' });
    expect(fieldsOf({ treshold: 10 })).toEqual({ treshold: 'unknown field "treshold" in rule' });
    expect(fieldsOf({ scope: { target: '', model: '*' } })).toEqual({
      'scope.target': 'scope.target must be "*" or a name, not empty',
    });
    expect(fieldsOf({ scope: { target: '*', model: '*', pool: 'a' } })).toEqual({
      'scope.pool': 'unknown field "pool" in scope',
    });
  });

  it('reports every bad field at once, and the message names them', () => {
    const result = validate(RuleSchema, { ...rule, forSec: -5, minSamples: -1, name: '' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.error.fields ?? {}).sort()).toEqual(['forSec', 'minSamples', 'name']);
    expect(result.error.message).toContain('forSec must be >= 0');
    expect(result.error.message).toContain('minSamples must be >= 0');
  });
});

describe('RuleDraftSchema', () => {
  it('fills defaults for what a form may leave out, and takes no id', () => {
    const draft = RuleDraftSchema.parse({ name: 'errors', metric: 'error_rate', op: '>', threshold: 0.05 });
    expect(draft).toEqual({
      name: 'errors',
      metric: 'error_rate',
      op: '>',
      threshold: 0.05,
      scope: { target: '*', model: '*' },
      window: '5m',
      forSec: 0,
      minSamples: 0,
      severity: 'warning',
      enabled: true,
      notify: [],
    });
    const { id: _id, ...withoutId } = rule;
    expect(RuleDraftSchema.parse(withoutId)).toEqual(withoutId);
    expect(RuleDraftSchema.safeParse(rule).success).toBe(false);
  });

  it('applies the same cross-field checks as a stored rule', () => {
    const result = validate(RuleDraftSchema, { name: 'x', metric: 'error_rate', op: '>', threshold: 1.2 });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.error.fields?.threshold).toBe('threshold must be between 0 and 1 for error_rate');
  });
});
