import { z } from 'zod';
import { shown } from './errors.ts';
import { WindowNameSchema } from './stats.ts';

/** What a rule watches; `_ms` in milliseconds, `error_rate` a fraction 0..1, `target_down` 1 when down. */
export const RULE_METRICS = [
  'latency_p50_ms',
  'latency_p95_ms',
  'latency_p99_ms',
  'ttft_p95_ms',
  'ttft_p99_ms',
  'timeouts',
  'error_rate',
  'queue_depth',
  'in_flight',
  'target_down',
  'tokens_per_sec_p50',
] as const;
export type RuleMetric = (typeof RULE_METRICS)[number];

export const RULE_OPS = ['>', '<'] as const;
export const RULE_SEVERITIES = ['warning', 'critical'] as const;
export const MAX_FOR_SEC = 86_400;

/** An error function whose messages name the field, for inputs that are missing or of the wrong kind. */
function named(field: string, expected: string) {
  return (issue: { code?: string; input?: unknown; keys?: readonly string[] }) => {
    if (issue.code === 'unrecognized_keys') return unknownKeys(field, issue.keys ?? []);
    return issue.input === undefined ? `${field} is required` : `${field} must be ${expected}`;
  };
}

function unknownKeys(where: string, keys: readonly string[]): string {
  return `unknown field${keys.length === 1 ? '' : 's'} ${listed(keys)} in ${where}`;
}

const listed = (values: readonly string[]) => values.map((v) => `"${v}"`).join(', ');

export const RuleMetricSchema = z.enum(RULE_METRICS, {
  error: (issue) => `metric must be one of ${listed(RULE_METRICS)}; got ${shown(issue.input)}`,
});
export const RuleOpSchema = z.enum(RULE_OPS, { error: named('op', `one of ${listed(RULE_OPS)}`) });
export const RuleSeveritySchema = z.enum(RULE_SEVERITIES, {
  error: named('severity', `one of ${listed(RULE_SEVERITIES)}`),
});
export type RuleOp = z.infer<typeof RuleOpSchema>;
export type RuleSeverity = z.infer<typeof RuleSeveritySchema>;

const scopeName = (field: string) =>
  z
    .string({ error: named(field, 'a string: "*" or a name') })
    .min(1, { error: `${field} must be "*" or a name, not empty` })
    .max(200, { error: `${field} must be at most 200 characters` });

export const RuleScopeSchema = z.strictObject(
  { target: scopeName('scope.target'), model: scopeName('scope.model') },
  { error: named('scope', 'an object {target, model}') },
);
export type RuleScope = z.infer<typeof RuleScopeSchema>;

/** A webhook id, or an http(s) URL when the string has a scheme. */
const notifyEntry = z
  .string({ error: named('notify', 'an array of webhook ids or URLs') })
  .min(1, { error: 'notify entries must not be empty' })
  .max(2048, { error: 'notify entries must be at most 2048 characters' })
  .refine((s) => !s.includes('://') || isHttpUrl(s), {
    error: (issue) => `notify entry ${shown(issue.input)} is not a valid http(s) URL`,
  });

/** Whether `s` parses as an http: or https: URL. */
export function isHttpUrl(s: string): boolean {
  try {
    const url = new URL(s);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

const finite = (field: string) =>
  z.number({ error: named(field, 'a number') }).refine(Number.isFinite, { error: `${field} must be finite` });

const ruleFields = {
  name: z
    .string({ error: named('name', 'a string') })
    .trim()
    .min(1, { error: 'name must not be empty' })
    .max(200, { error: 'name must be at most 200 characters' }),
  metric: RuleMetricSchema,
  scope: RuleScopeSchema,
  window: z.enum(WindowNameSchema.options, { error: named('window', 'one of "1m", "5m", "15m"') }),
  op: RuleOpSchema,
  threshold: finite('threshold'),
  forSec: finite('forSec')
    .min(0, { error: 'forSec must be >= 0' })
    .max(MAX_FOR_SEC, { error: `forSec must be <= ${MAX_FOR_SEC}` }),
  recoverThreshold: finite('recoverThreshold').optional(),
  minSamples: z
    .number({ error: named('minSamples', 'an integer') })
    .int({ error: 'minSamples must be an integer' })
    .min(0, { error: 'minSamples must be >= 0' }),
  severity: RuleSeveritySchema,
  enabled: z.boolean({ error: named('enabled', 'true or false') }),
  notify: z.array(notifyEntry, { error: named('notify', 'an array of webhook ids or URLs') }).max(20, {
    error: 'notify must list at most 20 webhooks',
  }),
};

/** Metrics whose value is a fraction 0..1 (`target_down` is 0 or 1). */
const FRACTION_METRICS: ReadonlySet<RuleMetric> = new Set(['error_rate', 'target_down']);

type RuleCore = {
  metric: RuleMetric;
  op: RuleOp;
  threshold: number;
  recoverThreshold?: number | undefined;
};

/** Checks across fields; each issue's path and message name the field at fault. */
function checkRule(rule: RuleCore, ctx: z.RefinementCtx): void {
  const { metric, op, threshold, recoverThreshold } = rule;
  const fraction = FRACTION_METRICS.has(metric);
  const checkBounds = (field: 'threshold' | 'recoverThreshold', value: number) => {
    if (value < 0) ctx.addIssue({ code: 'custom', path: [field], message: `${field} must be >= 0` });
    else if (fraction && value > 1)
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: `${field} must be between 0 and 1 for ${metric}`,
      });
  };
  checkBounds('threshold', threshold);
  checkCanFire(rule, ctx);
  if (metric === 'target_down' && op !== '>')
    ctx.addIssue({
      code: 'custom',
      path: ['op'],
      message: 'op must be ">" for target_down (the value is 1 when the target is down)',
    });
  if (recoverThreshold === undefined) return;
  checkBounds('recoverThreshold', recoverThreshold);
  if (op === '>' && recoverThreshold > threshold)
    ctx.addIssue({
      code: 'custom',
      path: ['recoverThreshold'],
      message: `recoverThreshold must be <= threshold (${threshold}) when op is ">"`,
    });
  if (op === '<' && recoverThreshold < threshold)
    ctx.addIssue({
      code: 'custom',
      path: ['recoverThreshold'],
      message: `recoverThreshold must be >= threshold (${threshold}) when op is "<"`,
    });
}

/**
 * A threshold the value can never cross makes a rule that never fires: refuse it, naming why. Values
 * past the bounds are already reported by `checkBounds`; these are the edge cases within them.
 */
function checkCanFire({ metric, op, threshold }: RuleCore, ctx: z.RefinementCtx): void {
  if (op === '>' && FRACTION_METRICS.has(metric) && threshold === 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['threshold'],
      message: `threshold must be below 1 for ${metric} with op ">" (the value is never above 1)`,
    });
  }
  if (op === '<' && threshold === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['threshold'],
      message: 'threshold must be above 0 when op is "<" (no value is below 0)',
    });
  }
}

/** A stored alert rule. */
export const RuleSchema = z
  .strictObject(
    {
      id: z
        .string({ error: named('id', 'a string') })
        .min(1, { error: 'id must not be empty' })
        .max(100, { error: 'id must be at most 100 characters' }),
      ...ruleFields,
    },
    { error: named('rule', 'an object') },
  )
  .superRefine(checkRule);
export type Rule = z.infer<typeof RuleSchema>;

/**
 * A rule as the dashboard creates or replaces it (`POST /api/rules`, `PUT /api/rules/:id`): no id, and
 * defaults for the fields a form may leave out.
 */
export const RuleDraftSchema = z
  .strictObject(
    {
      ...ruleFields,
      scope: RuleScopeSchema.default({ target: '*', model: '*' }),
      window: ruleFields.window.default('5m'),
      forSec: ruleFields.forSec.default(0),
      minSamples: ruleFields.minSamples.default(0),
      severity: ruleFields.severity.default('warning'),
      enabled: ruleFields.enabled.default(true),
      notify: ruleFields.notify.default([]),
    },
    { error: named('rule', 'an object') },
  )
  .superRefine(checkRule);
/** What a client sends. */
export type RuleDraftInput = z.input<typeof RuleDraftSchema>;
/** The draft with defaults applied. */
export type RuleDraft = z.infer<typeof RuleDraftSchema>;
