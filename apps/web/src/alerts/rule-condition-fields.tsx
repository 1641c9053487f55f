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
export function ConditionFields(props: ConditionFieldsProps) {
  const { values, set, byField, id } = props;
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
        <NumberField
          {...props}
          field="threshold"
          label="Threshold"
          unit={info.unit}
          step={info.step}
          testId="rule-threshold"
        />
        <NumberField
          {...props}
          field="recoverThreshold"
          label="Recover at (optional)"
          hint="resolve only once the value is back past this"
          unit={info.unit}
          step={info.step}
          testId="rule-recover"
        />
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
        <NumberField
          {...props}
          field="forSec"
          label="For"
          hint="how long it must hold before firing"
          unit="s"
          min={0}
          step={1}
          testId="rule-for"
        />
        <NumberField
          {...props}
          field="minSamples"
          label="Minimum samples"
          hint="fewer calls: no data, not firing"
          unit="calls"
          min={0}
          step={1}
        />
      </div>
    </fieldset>
  );
}

/** The rule form's number fields: they hold text while typed; the server checks the number. */
type NumberFieldName = 'threshold' | 'recoverThreshold' | 'forSec' | 'minSamples';

function NumberField({
  values,
  set,
  byField,
  id,
  field,
  label,
  hint,
  unit,
  min,
  step,
  testId,
}: ConditionFieldsProps & {
  readonly field: NumberFieldName;
  readonly label: string;
  readonly hint?: string;
  readonly unit: string;
  readonly min?: number;
  readonly step: number | string;
  readonly testId?: string;
}) {
  return (
    <Field id={id(field)} label={label} error={byField[field]} {...(hint === undefined ? {} : { hint })}>
      {(p) => (
        <span className="input-unit">
          <input
            {...p}
            type="number"
            inputMode={min === undefined ? 'decimal' : undefined}
            min={min}
            step={step}
            value={values[field]}
            onChange={(e) => set(field, e.target.value)}
            data-testid={testId}
          />
          <span className="unit">{unit}</span>
        </span>
      )}
    </Field>
  );
}
