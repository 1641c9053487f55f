import type { Rule, RuleMetric, RuleSeverity, Webhook } from '@lookout/contracts';
import { RULE_METRICS } from '@lookout/contracts';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useApi } from '../api/api-context.tsx';
import { isApiError } from '../api/client.ts';
import { saveRule } from '../api/endpoints.ts';
import { ErrorSummary, Field } from './field.tsx';
import { METRIC_INFO } from './metric-info.ts';
import { NotifyField } from './notify-field.tsx';
import { ConditionFields } from './rule-condition-fields.tsx';
import {
  FIELD_LABELS,
  initialValues,
  type RuleFormField,
  type RuleFormValues,
  splitErrors,
  toDraft,
  withMetric,
} from './rule-form-model.ts';

export interface RuleFormProps {
  /** The rule to edit; a new rule when absent. */
  readonly rule?: Rule;
  /** Target names for the scope picker. */
  readonly targets: readonly string[];
  /** Model names seen on the fleet, offered for the model scope. */
  readonly models: readonly string[];
  readonly webhooks: readonly Webhook[];
  readonly onSaved: (rule: Rule) => void;
  readonly onCancel: () => void;
}

/**
 * Creates or edits a rule. Units are shown beside each number, defaults are filled in, and the
 * server's reason for each refused field is shown next to that field (and listed at the top).
 */
export function RuleForm({ rule, targets, models, webhooks, onSaved, onCancel }: RuleFormProps) {
  const api = useApi();
  const base = useId();
  const [values, setValues] = useState<RuleFormValues>(() => initialValues(rule));
  const mutation = useMutation({
    mutationFn: (v: RuleFormValues) => saveRule(api, rule?.id ?? null, toDraft(v)),
    onSuccess: onSaved,
  });
  const serverFields = isApiError(mutation.error) ? mutation.error.fields : {};
  const { byField, general } = splitErrors(serverFields);
  const otherError =
    mutation.error && Object.keys(serverFields).length === 0
      ? isApiError(mutation.error)
        ? mutation.error.message
        : 'Saving failed.'
      : null;
  const id = (field: RuleFormField) => `${base}-${field}`;
  const set = <K extends RuleFormField>(field: K, value: RuleFormValues[K]) =>
    setValues((v) => ({ ...v, [field]: value }));
  const info = METRIC_INFO[values.metric];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate(values);
  };
  const errorsShown: Record<string, string> = { ...byField };
  general.forEach((reason, i) => {
    errorsShown[`_general${i}`] = reason;
  });

  return (
    <form className="form rule-form" onSubmit={submit} data-testid="rule-form" noValidate>
      <h3>{rule ? `Edit rule “${rule.name}”` : 'New rule'}</h3>
      <ErrorSummary
        errors={errorsShown}
        labels={FIELD_LABELS}
        idOf={(f) => (f in FIELD_LABELS ? id(f as RuleFormField) : null)}
      />
      {otherError && (
        <p className="field-error" role="alert">
          {otherError}
        </p>
      )}
      <div className="field-row">
        <Field id={id('name')} label="Name" error={byField.name}>
          {(p) => (
            <input
              {...p}
              value={values.name}
              onChange={(e) => set('name', e.target.value)}
              data-testid="rule-name"
            />
          )}
        </Field>
        <Field id={id('metric')} label="Metric" error={byField.metric} hint={info.hint}>
          {(p) => (
            <select
              {...p}
              value={values.metric}
              onChange={(e) => setValues((v) => withMetric(v, e.target.value as RuleMetric))}
              data-testid="rule-metric"
            >
              {RULE_METRICS.map((m) => (
                <option key={m} value={m}>
                  {METRIC_INFO[m].label} ({METRIC_INFO[m].unit})
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <ConditionFields values={values} set={set} byField={byField} id={id} />
      <fieldset>
        <legend>Scope</legend>
        <div className="field-row">
          <Field
            id={id('target')}
            label="Target"
            error={byField.target}
            hint="all targets: one alert per target"
          >
            {(p) => (
              <select
                {...p}
                value={values.target}
                onChange={(e) => set('target', e.target.value)}
                data-testid="rule-target"
              >
                <option value="*">All targets (*)</option>
                {targets.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
                {values.target !== '*' && !targets.includes(values.target) && (
                  <option value={values.target}>{values.target} (not configured)</option>
                )}
              </select>
            )}
          </Field>
          <Field id={id('model')} label="Model" error={byField.model} hint="* for all models of the target">
            {(p) => (
              <>
                <input
                  {...p}
                  list={`${base}-models`}
                  value={values.model}
                  onChange={(e) => set('model', e.target.value)}
                  data-testid="rule-model"
                />
                <datalist id={`${base}-models`}>
                  <option value="*" />
                  {models.map((m) => (
                    <option key={m} value={m} />
                  ))}
                </datalist>
              </>
            )}
          </Field>
        </div>
      </fieldset>
      <fieldset>
        <legend>Notification</legend>
        <div className="field-row">
          <Field id={id('severity')} label="Severity" error={byField.severity}>
            {(p) => (
              <select
                {...p}
                value={values.severity}
                onChange={(e) => set('severity', e.target.value as RuleSeverity)}
              >
                <option value="warning">warning</option>
                <option value="critical">critical</option>
              </select>
            )}
          </Field>
          <div className="field">
            <span className="label">State</span>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={values.enabled}
                onChange={(e) => set('enabled', e.target.checked)}
              />
              Enabled
            </label>
            {byField.enabled && <p className="field-error">{byField.enabled}</p>}
          </div>
        </div>
        <NotifyField
          id={id('notify')}
          webhooks={webhooks}
          value={values.notify}
          error={byField.notify}
          onChange={(notify) => set('notify', notify)}
        />
      </fieldset>
      <div className="form-actions">
        <button
          type="submit"
          className="button primary"
          disabled={mutation.isPending}
          data-testid="rule-save"
        >
          {mutation.isPending ? 'Saving…' : rule ? 'Save rule' : 'Create rule'}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
