import type { Rule } from '@lookout/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useApi } from '../api/api-context.tsx';
import { createSilence, deleteSilence } from '../api/endpoints.ts';
import { queryKeys, silencesQuery } from '../api/queries.ts';
import { formatDateTime } from '../core/format.ts';
import { CreateForm, useCreateForm } from './create-form.tsx';
import { Field } from './field.tsx';
import { describeScope } from './metric-info.ts';

const DURATIONS = [
  { label: '1 hour', ms: 3_600_000 },
  { label: '4 hours', ms: 4 * 3_600_000 },
  { label: '12 hours', ms: 12 * 3_600_000 },
  { label: '1 day', ms: 86_400_000 },
  { label: '1 week', ms: 7 * 86_400_000 },
];

/** Silences: mute a rule's notifications (all its scopes or one) until a time, with a reason. */
export function SilencesPanel({ rules }: { rules: readonly Rule[] }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const silences = useQuery(silencesQuery(api));
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.silences });
  const end = useMutation({ mutationFn: (id: string) => deleteSilence(api, id), onSettled: refresh });
  const ruleName = (id: string) => rules.find((r) => r.id === id)?.name ?? id;
  const list = silences.data?.silences ?? [];
  return (
    <>
      {silences.isError && (
        <p className="field-error">Silences are not available: {silences.error.message}</p>
      )}
      {silences.isSuccess && list.length === 0 && <p className="muted">Nothing is silenced.</p>}
      {list.length > 0 && (
        <div className="table-wrap">
          <table className="data-table" data-testid="silence-list">
            <caption className="visually-hidden">Silences</caption>
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col">Scope</th>
                <th scope="col">Until</th>
                <th scope="col">Reason</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <tr key={s.id} className={s.active ? undefined : 'muted'}>
                  <th scope="row">{ruleName(s.ruleId)}</th>
                  <td>{describeScope(s.scope)}</td>
                  <td className="num">
                    {formatDateTime(s.until)}
                    {!s.active && ' (ended)'}
                  </td>
                  <td>{s.reason}</td>
                  <td>
                    {s.active && (
                      <button type="button" className="button small" onClick={() => end.mutate(s.id)}>
                        End now
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rules.length > 0 && <SilenceForm rules={rules} onCreated={refresh} />}
    </>
  );
}

function SilenceForm({ rules, onCreated }: { rules: readonly Rule[]; onCreated: () => void }) {
  const api = useApi();
  const base = useId();
  const [ruleId, setRuleId] = useState(rules[0]?.id ?? '');
  const [target, setTarget] = useState('*');
  const [model, setModel] = useState('*');
  const [durationMs, setDurationMs] = useState(DURATIONS[0]!.ms);
  const [reason, setReason] = useState('');
  const form = useCreateForm(
    () =>
      createSilence(api, {
        ruleId,
        scope: { target: target.trim() || '*', model: model.trim() || '*' },
        until: new Date(Date.now() + durationMs).toISOString(),
        reason,
      }),
    () => {
      setReason('');
      onCreated();
    },
  );
  const { fields } = form;
  return (
    <CreateForm form={form} title="New silence" submitLabel="Silence" testId="silence-form">
      <div className="field-row">
        <Field id={`${base}-rule`} label="Rule" error={fields.ruleId}>
          {(p) => (
            <select {...p} value={ruleId} onChange={(e) => setRuleId(e.target.value)}>
              {rules.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id={`${base}-target`} label="Target" error={fields['scope.target']} hint="* for every target">
          {(p) => <input {...p} value={target} onChange={(e) => setTarget(e.target.value)} />}
        </Field>
        <Field id={`${base}-model`} label="Model" error={fields['scope.model']} hint="* for every model">
          {(p) => <input {...p} value={model} onChange={(e) => setModel(e.target.value)} />}
        </Field>
        <Field id={`${base}-until`} label="For" error={fields.until}>
          {(p) => (
            <select {...p} value={durationMs} onChange={(e) => setDurationMs(Number(e.target.value))}>
              {DURATIONS.map((d) => (
                <option key={d.ms} value={d.ms}>
                  {d.label}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <Field
        id={`${base}-reason`}
        label="Reason"
        error={fields.reason}
        hint="say why, for whoever looks next"
      >
        {(p) => <input {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
    </CreateForm>
  );
}
