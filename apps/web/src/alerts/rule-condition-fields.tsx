import type { RuleOp, WindowName } from '@lookout/contracts';
import { WINDOW_NAMES } from '@lookout/contracts';
import { Field } from './field.tsx';
import { METRIC_INFO } from './metric-info.ts';
import type { RuleFormField, RuleFormValues } from './rule-form-model.ts';

export interface ConditionFieldsProps {
  readonly values: RuleFormValues;
  readonly set: <K extends RuleFormField>(field: K, value: RuleFormValues[K]) => void;
  readonly byField: Partial<Record<RuleFormField, string>>;
  readonly id: (field: RuleFormField) => string;
}

/** The rule form's condition: operator, threshold and recovery in the metric's unit, window, hold time, samples. */
export function ConditionFields({ values, set, byField, id }: ConditionFieldsProps) {
  const info = METRIC_INFO[values.metric];
  return (
    <fieldset>
      <legend>Condition</legend>
      <div className="field-row">
        <Field id={id('op')} label="Fires when the value is" error={byField.op}>
          {(p) => (
            <select
              {...p}
              value={values.op}
              onChange={(e) => set('op', e.target.value as RuleOp)}
              data-testid="rule-op"
            >
              <option value=">">above (&gt;)</option>
              <option value="<">below (&lt;)</option>
            </select>
          )}
        </Field>
        <Field id={id('threshold')} label="Threshold" error={byField.threshold}>
          {(p) => (
            <span className="input-unit">
              <input
                {...p}
                type="number"
                inputMode="decimal"
                step={info.step}
                value={values.threshold}
                onChange={(e) => set('threshold', e.target.value)}
                data-testid="rule-threshold"
              />
              <span className="unit">{info.unit}</span>
            </span>
          )}
        </Field>
        <Field
          id={id('recoverThreshold')}
          label="Recover at (optional)"
          error={byField.recoverThreshold}
          hint="resolve only once the value is back past this"
        >
          {(p) => (
            <span className="input-unit">
              <input
                {...p}
                type="number"
                inputMode="decimal"
                step={info.step}
                value={values.recoverThreshold}
                onChange={(e) => set('recoverThreshold', e.target.value)}
                data-testid="rule-recover"
              />
              <span className="unit">{info.unit}</span>
            </span>
          )}
        </Field>
        <Field
          id={id('window')}
          label="Window"
          error={byField.window}
          hint={
            info.windowed ? 'the sliding window the value is read over' : 'not used: this metric is read now'
          }
        >
          {(p) => (
            <select
              {...p}
              value={values.window}
              onChange={(e) => set('window', e.target.value as WindowName)}
            >
              {WINDOW_NAMES.map((w) => (
                <option key={w} value={w}>
                  last {w}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          id={id('forSec')}
          label="For"
          error={byField.forSec}
          hint="how long it must hold before firing"
        >
          {(p) => (
            <span className="input-unit">
              <input
                {...p}
                type="number"
                min={0}
                step={1}
                value={values.forSec}
                onChange={(e) => set('forSec', e.target.value)}
                data-testid="rule-for"
              />
              <span className="unit">s</span>
            </span>
          )}
        </Field>
        <Field
          id={id('minSamples')}
          label="Minimum samples"
          error={byField.minSamples}
          hint="fewer calls: no data, not firing"
        >
          {(p) => (
            <span className="input-unit">
              <input
                {...p}
                type="number"
                min={0}
                step={1}
                value={values.minSamples}
                onChange={(e) => set('minSamples', e.target.value)}
              />
              <span className="unit">calls</span>
            </span>
          )}
        </Field>
      </div>
    </fieldset>
  );
}
