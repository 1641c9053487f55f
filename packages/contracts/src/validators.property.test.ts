import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { shown, validate } from './errors.ts';
import { RULE_METRICS, RULE_OPS, RULE_SEVERITIES, RuleDraftSchema } from './rules.ts';
import { SilenceDraftSchema } from './silences.ts';
import { TestPromptRequestSchema } from './test-prompts.ts';
import { WebhookDraftSchema } from './webhooks.ts';

const RUNS = 200;

/** Any JavaScript value, exotic ones included (the REST layer only ever hands over JSON). */
const anyValue = fc.anything({
  maxDepth: 3,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withTypedArray: true,
  withSparseArray: true,
});

/** A rule draft that is valid or one step away from it: each field is sensible, odd, or missing. */
const ruleDraftLike = fc.record(
  {
    name: fc.oneof(fc.string({ maxLength: 210 }), fc.constant('  '), anyValue),
    metric: fc.oneof(fc.constantFrom(...RULE_METRICS), fc.string(), anyValue),
    scope: fc.oneof(
      fc.record({ target: fc.oneof(fc.constant('*'), fc.string()), model: fc.string() }),
      anyValue,
    ),
    window: fc.oneof(fc.constantFrom('1m', '5m', '15m'), fc.string()),
    op: fc.oneof(fc.constantFrom(...RULE_OPS), anyValue),
    threshold: fc.oneof(fc.double(), fc.integer({ min: -5, max: 5_000 }), anyValue),
    forSec: fc.oneof(fc.integer({ min: -10, max: 100_000 }), fc.double()),
    recoverThreshold: fc.oneof(fc.double(), fc.constant(undefined)),
    minSamples: fc.oneof(fc.nat(), fc.double(), fc.string()),
    severity: fc.oneof(fc.constantFrom(...RULE_SEVERITIES), fc.string()),
    enabled: fc.oneof(fc.boolean(), anyValue),
    notify: fc.oneof(
      fc.array(fc.oneof(fc.string(), fc.webUrl(), fc.constant('ftp://x'), anyValue), { maxLength: 25 }),
      anyValue,
    ),
    extra: anyValue,
  },
  { requiredKeys: [] },
);

/** Checks the one outcome `validate` may have: a value the schema accepts again, or a 400-ready error. */
function expectResultOrClearError<S extends z.ZodType>(schema: S, input: unknown, code: string): boolean {
  const result = validate(schema, input, code);
  if (result.ok) {
    // What comes out is itself valid (defaults applied, strings trimmed): idempotent.
    const again = validate(schema, result.value, code);
    expect(again).toEqual({ ok: true, value: result.value });
    return true;
  }
  const { error } = result;
  expect(error.code).toBe(code);
  const fields = error.fields ?? {};
  expect(Object.keys(fields).length).toBeGreaterThan(0);
  for (const [field, message] of Object.entries(fields)) {
    expect(field.length).toBeGreaterThan(0);
    expect(typeof message).toBe('string');
    expect(message.length).toBeGreaterThan(0);
  }
  expect(error.message).toBe(Object.values(fields).join('; '));
  // A message quotes an input at most in part: a huge body does not come back whole.
  expect(error.message.length).toBeLessThan(20_000);
  return false;
}

describe('the rule validator (RuleDraftSchema via validate)', () => {
  it('answers any value with a result or an error naming fields, never an exception', () => {
    fc.assert(
      fc.property(anyValue, (input) => {
        expectResultOrClearError(RuleDraftSchema, input, 'invalid_rule');
      }),
      { numRuns: RUNS },
    );
  });

  it('answers near-valid drafts likewise, and accepts only rules that can fire', () => {
    let refused = 0;
    fc.assert(
      fc.property(ruleDraftLike, (input) => {
        if (!expectResultOrClearError(RuleDraftSchema, input, 'invalid_rule')) {
          refused++;
          return;
        }
        const rule = RuleDraftSchema.parse(input);
        expect(rule.name.trim()).toBe(rule.name);
        expect(rule.name.length).toBeGreaterThan(0);
        expect(Number.isFinite(rule.threshold)).toBe(true);
        expect(rule.threshold).toBeGreaterThanOrEqual(0);
        if (rule.metric === 'error_rate' || rule.metric === 'target_down') {
          expect(rule.threshold).toBeLessThanOrEqual(1);
        }
        if (rule.op === '<') expect(rule.threshold).toBeGreaterThan(0);
        if (rule.recoverThreshold !== undefined) {
          if (rule.op === '>') expect(rule.recoverThreshold).toBeLessThanOrEqual(rule.threshold);
          else expect(rule.recoverThreshold).toBeGreaterThanOrEqual(rule.threshold);
        }
      }),
      { numRuns: RUNS },
    );
    expect(refused).toBeGreaterThan(0); // well-formed drafts are the next test's
  });

  it('accepts every well-formed draft', () => {
    const valid = fc
      .record({
        name: fc.string({ minLength: 1, maxLength: 50 }).filter((s) => s.trim().length > 0),
        metric: fc.constantFrom(...RULE_METRICS.filter((m) => m !== 'error_rate' && m !== 'target_down')),
        op: fc.constant('>' as const),
        threshold: fc.double({ min: 0, max: 1e9, noNaN: true }),
        forSec: fc.integer({ min: 0, max: 86_400 }),
        minSamples: fc.nat({ max: 1000 }),
        severity: fc.constantFrom(...RULE_SEVERITIES),
        notify: fc.array(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), { maxLength: 5 }),
      })
      .chain((draft) =>
        fc.record({
          draft: fc.constant(draft),
          recover: fc.option(fc.double({ min: 0, max: draft.threshold, noNaN: true }), { nil: undefined }),
        }),
      );
    fc.assert(
      fc.property(valid, ({ draft, recover }) => {
        const input = recover === undefined ? draft : { ...draft, recoverThreshold: recover };
        const result = validate(RuleDraftSchema, input, 'invalid_rule');
        expect(result.ok, JSON.stringify(result)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('the other draft validators', () => {
  it.each([
    ['SilenceDraftSchema', SilenceDraftSchema, 'invalid_silence'],
    ['WebhookDraftSchema', WebhookDraftSchema, 'invalid_webhook'],
    ['TestPromptRequestSchema', TestPromptRequestSchema, 'bad_request'],
  ] as const)('%s answers any value with a result or a clear error', (_name, schema, code) => {
    fc.assert(
      fc.property(fc.oneof(anyValue, fc.dictionary(fc.string(), anyValue)), (input) => {
        expectResultOrClearError(schema, input, code);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('shown', () => {
  it('renders any value in at most maxChars (+ an ellipsis), never throwing', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(shown(10n)).toBe('10n');
    expect(shown(cyclic)).toBe('[object Object]');
    expect(shown(undefined)).toBe('undefined');
    fc.assert(
      fc.property(anyValue, fc.integer({ min: 1, max: 200 }), (input, max) => {
        expect(shown(input, max).length).toBeLessThanOrEqual(max + 3);
      }),
      { numRuns: RUNS },
    );
  });
});
