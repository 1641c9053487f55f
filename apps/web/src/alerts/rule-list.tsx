import type { AlertState, Rule } from '@lookout/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../api/api-context.tsx';
import { deleteRule, saveRule } from '../api/endpoints.ts';
import { queryKeys } from '../api/queries.ts';
import { describeCondition, describeScope } from './metric-info.ts';

export interface RuleListProps {
  readonly rules: readonly Rule[];
  readonly states: readonly AlertState[];
  readonly highlight?: string | undefined;
  readonly onEdit: (rule: Rule) => void;
}

/** The rules with where each stands now, and enable, edit and delete. */
export function RuleList({ rules, states, highlight, onEdit }: RuleListProps) {
  if (rules.length === 0)
    return <p className="muted">No rule yet. Rules watch a metric and fire past a threshold.</p>;
  return (
    <div className="table-wrap">
      <table className="data-table" data-testid="rule-list">
        <caption className="visually-hidden">Alert rules</caption>
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Condition</th>
            <th scope="col">Scope</th>
            <th scope="col">Now</th>
            <th scope="col">Enabled</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rules.map((rule) => (
            <RuleRow
              key={rule.id}
              rule={rule}
              states={states.filter((s) => s.ruleId === rule.id)}
              highlighted={rule.id === highlight}
              onEdit={onEdit}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RuleRow({
  rule,
  states,
  highlighted,
  onEdit,
}: {
  rule: Rule;
  states: readonly AlertState[];
  highlighted: boolean;
  onEdit: (rule: Rule) => void;
}) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.rules });
  const toggle = useMutation({
    mutationFn: (enabled: boolean) => {
      const { id, ...draft } = rule;
      return saveRule(api, id, { ...draft, enabled });
    },
    onSettled: refresh,
  });
  const remove = useMutation({ mutationFn: () => deleteRule(api, rule.id), onSettled: refresh });
  const firing = states.filter((s) => s.state === 'firing').length;
  const pending = states.filter((s) => s.state === 'pending').length;
  const noData = states.filter((s) => s.state === 'no_data').length;
  const failure = toggle.error ?? remove.error;
  return (
    <tr className={highlighted ? 'is-highlighted' : undefined} data-testid={`rule-row-${rule.id}`}>
      <th scope="row">
        {rule.name} <span className={`badge severity-${rule.severity}`}>{rule.severity}</span>
        {failure && (
          <p className="field-error" role="alert">
            {failure.message}
          </p>
        )}
      </th>
      <td>{describeCondition(rule)}</td>
      <td>{describeScope(rule.scope)}</td>
      <td className="rule-now">
        {!rule.enabled ? (
          <span className="muted">off</span>
        ) : (
          <>
            {firing > 0 && <span className="badge state-firing">{firing} firing</span>}{' '}
            {pending > 0 && <span className="badge state-pending">{pending} pending</span>}{' '}
            {noData > 0 && <span className="badge">{noData} no data</span>}
            {firing + pending + noData === 0 && <span className="badge state-ok">ok</span>}
          </>
        )}
      </td>
      <td>
        <input
          type="checkbox"
          aria-label={`Enable ${rule.name}`}
          checked={rule.enabled}
          disabled={toggle.isPending}
          onChange={(e) => toggle.mutate(e.target.checked)}
        />
      </td>
      <td>
        <div className="actions">
          <button type="button" className="button small" onClick={() => onEdit(rule)}>
            Edit<span className="visually-hidden"> {rule.name}</span>
          </button>
          {confirming ? (
            <>
              <button type="button" className="button small danger" onClick={() => remove.mutate()}>
                Delete {rule.name}?
              </button>
              <button type="button" className="button small" onClick={() => setConfirming(false)}>
                Keep
              </button>
            </>
          ) : (
            <button type="button" className="button small" onClick={() => setConfirming(true)}>
              Delete<span className="visually-hidden"> {rule.name}</span>
            </button>
          )}
        </div>
      </td>
    </tr>
  );
}
