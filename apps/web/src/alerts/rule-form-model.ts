import type { Rule, RuleDraftInput, RuleMetric, RuleOp, RuleSeverity, WindowName } from '@lookout/contracts';
import { METRIC_INFO } from './metric-info.ts';

/** The rule form's values as typed (numbers stay text until sent, so the server judges them). */
export interface RuleFormValues {
  name: string;
  metric: RuleMetric;
  target: string;
  model: string;
  window: WindowName;
  op: RuleOp;
  threshold: string;
  recoverThreshold: string;
  forSec: string;
  minSamples: string;
  severity: RuleSeverity;
  enabled: boolean;
  notify: string[];
}

export type RuleFormField = keyof RuleFormValues;

/** The defaults `RuleDraftSchema` fills for what a form leaves out, and a useful first metric. */
export const DRAFT_DEFAULTS = {
  scope: { target: '*', model: '*' },
  window: '5m',
  forSec: 0,
  minSamples: 0,
  severity: 'warning',
  enabled: true,
  notify: [] as string[],
} as const;

const FIRST_METRIC: RuleMetric = 'latency_p95_ms';

/** The form for a new rule (defaults filled) or for editing `rule`. */
export function initialValues(rule?: Rule): RuleFormValues {
  if (rule) {
    return {
      name: rule.name,
      metric: rule.metric,
      target: rule.scope.target,
      model: rule.scope.model,
      window: rule.window,
      op: rule.op,
      threshold: String(rule.threshold),
      recoverThreshold: rule.recoverThreshold === undefined ? '' : String(rule.recoverThreshold),
      forSec: String(rule.forSec),
      minSamples: String(rule.minSamples),
      severity: rule.severity,
      enabled: rule.enabled,
      notify: [...rule.notify],
    };
  }
  const info = METRIC_INFO[FIRST_METRIC];
  return {
    name: '',
    metric: FIRST_METRIC,
    target: DRAFT_DEFAULTS.scope.target,
    model: DRAFT_DEFAULTS.scope.model,
    window: DRAFT_DEFAULTS.window,
    op: info.suggestedOp,
    threshold: String(info.suggestedThreshold),
    recoverThreshold: '',
    forSec: String(DRAFT_DEFAULTS.forSec),
    minSamples: String(DRAFT_DEFAULTS.minSamples),
    severity: DRAFT_DEFAULTS.severity,
    enabled: DRAFT_DEFAULTS.enabled,
    notify: [],
  };
}

/**
 * A new metric was chosen: the threshold and operator follow it unless the user typed their own
 * threshold (one that is not the previous metric's suggestion).
 */
export function withMetric(values: RuleFormValues, metric: RuleMetric): RuleFormValues {
  const before = METRIC_INFO[values.metric];
  const after = METRIC_INFO[metric];
  const untouched = values.threshold === '' || values.threshold === String(before.suggestedThreshold);
  return {
    ...values,
    metric,
    ...(untouched ? { threshold: String(after.suggestedThreshold), op: after.suggestedOp } : {}),
  };
}

/** Text -> number for the API; blank is left out (the server says it is required), junk is sent as is. */
function numberOrText(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : trimmed;
}

/** The body of `POST /api/rules` or `PUT /api/rules/:id`. Values the server must judge are sent as typed. */
export function toDraft(values: RuleFormValues): RuleDraftInput {
  const draft: Record<string, unknown> = {
    name: values.name,
    metric: values.metric,
    scope: { target: values.target.trim() || '*', model: values.model.trim() || '*' },
    window: values.window,
    op: values.op,
    severity: values.severity,
    enabled: values.enabled,
    notify: values.notify,
  };
  const numbers = {
    threshold: values.threshold,
    recoverThreshold: values.recoverThreshold,
    forSec: values.forSec,
    minSamples: values.minSamples,
  };
  for (const [key, text] of Object.entries(numbers)) {
    const value = numberOrText(text);
    if (value !== undefined) draft[key] = value;
  }
  return draft as RuleDraftInput;
}

const FIELDS: readonly RuleFormField[] = [
  'name',
  'metric',
  'target',
  'model',
  'window',
  'op',
  'threshold',
  'recoverThreshold',
  'forSec',
  'minSamples',
  'severity',
  'enabled',
  'notify',
];

/** The form field a server error path belongs to (`scope.target` -> target, `notify.2` -> notify). */
export function fieldOf(path: string): RuleFormField | null {
  if (path === 'scope.target') return 'target';
  if (path === 'scope.model') return 'model';
  if (path === 'scope') return 'target';
  const head = path.split('.')[0] ?? '';
  return (FIELDS as readonly string[]).includes(head) ? (head as RuleFormField) : null;
}

/** Server field errors grouped by form field (first reason wins), and the ones no field shows. */
export function splitErrors(fields: Readonly<Record<string, string>>): {
  byField: Partial<Record<RuleFormField, string>>;
  general: string[];
} {
  const byField: Partial<Record<RuleFormField, string>> = {};
  const general: string[] = [];
  for (const [path, reason] of Object.entries(fields)) {
    const field = fieldOf(path);
    if (field === null) general.push(path === '_' ? reason : `${path}: ${reason}`);
    else byField[field] ??= reason;
  }
  return { byField, general };
}

export const FIELD_LABELS: Readonly<Record<RuleFormField, string>> = {
  name: 'Name',
  metric: 'Metric',
  target: 'Target',
  model: 'Model',
  window: 'Window',
  op: 'Condition',
  threshold: 'Threshold',
  recoverThreshold: 'Recover at',
  forSec: 'For',
  minSamples: 'Minimum samples',
  severity: 'Severity',
  enabled: 'Enabled',
  notify: 'Notify',
};
