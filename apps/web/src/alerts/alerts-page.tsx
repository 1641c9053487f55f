import type { Rule } from '@lookout/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useApi } from '../api/api-context.tsx';
import {
  type AlertEventFilter,
  queryKeys,
  rulesQuery,
  snapshotQuery,
  webhooksQuery,
} from '../api/queries.ts';
import type { Route } from '../core/route.ts';
import { AlertStates } from './alert-states.tsx';
import { EventLog } from './event-log.tsx';
import { RuleForm } from './rule-form.tsx';
import { RuleList } from './rule-list.tsx';
import { SilencesPanel } from './silences-panel.tsx';
import { WebhooksPanel } from './webhooks-panel.tsx';

type Editing =
  | { readonly kind: 'none' }
  | { readonly kind: 'new' }
  | { readonly kind: 'edit'; readonly rule: Rule };

const SECTIONS = [
  { id: 'alerts-now', label: 'Now' },
  { id: 'alerts-rules', label: 'Rules' },
  { id: 'alerts-events', label: 'Events' },
  { id: 'alerts-silences', label: 'Silences' },
  { id: 'alerts-webhooks', label: 'Webhooks' },
];

/** Alerts: where they stand, the rules and their editor, the event log, silences and webhooks. */
export default function AlertsPage({ route }: { route: Extract<Route, { page: 'alerts' }> }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const snapshot = useQuery(snapshotQuery(api)).data;
  const rules = useQuery(rulesQuery(api));
  const webhooks = useQuery(webhooksQuery(api)).data?.webhooks ?? [];
  const [editing, setEditing] = useState<Editing>({ kind: 'none' });
  const states = snapshot?.alerts ?? [];
  const targets = useMemo(() => snapshot?.targets.map((t) => t.name) ?? [], [snapshot?.targets]);
  const models = useMemo(() => {
    const names = new Set<string>();
    for (const t of snapshot?.targets ?? []) {
      for (const m of Object.keys(t.models)) names.add(m);
      for (const m of t.loadedModels) names.add(m.name);
    }
    return [...names].sort();
  }, [snapshot?.targets]);
  const filter: AlertEventFilter = {
    ...(route.rule ? { rule: route.rule } : {}),
    ...(route.target && route.target !== '*' ? { target: route.target } : {}),
    ...(route.model && route.model !== '*' ? { model: route.model } : {}),
  };
  const closeEditor = () => setEditing({ kind: 'none' });
  const saved = () => {
    closeEditor();
    void queryClient.invalidateQueries({ queryKey: queryKeys.rules });
  };

  return (
    <>
      <div className="page-head">
        <h1>Alerts</h1>
        <nav aria-label="Alert sections" className="section-nav">
          {SECTIONS.map((s) => (
            <button
              key={s.id}
              type="button"
              className="link-button"
              onClick={() => {
                const section = document.getElementById(s.id);
                section?.scrollIntoView();
                section?.focus();
              }}
            >
              {s.label}
            </button>
          ))}
        </nav>
      </div>
      <section className="card" id="alerts-now" tabIndex={-1} aria-labelledby="alerts-now-heading">
        <h2 id="alerts-now-heading">Now</h2>
        <AlertStates states={states} />
      </section>
      <section className="card" id="alerts-rules" tabIndex={-1} aria-labelledby="alerts-rules-heading">
        <div className="section-head">
          <h2 id="alerts-rules-heading">Rules</h2>
          {editing.kind === 'none' && rules.isSuccess && (
            <button
              type="button"
              className="button primary"
              onClick={() => setEditing({ kind: 'new' })}
              data-testid="rule-new"
            >
              New rule
            </button>
          )}
        </div>
        {rules.isPending && <p className="muted">Loading…</p>}
        {rules.isError && <p className="field-error">Rules are not available: {rules.error.message}</p>}
        {editing.kind !== 'none' && (
          <RuleForm
            key={editing.kind === 'edit' ? editing.rule.id : 'new'}
            {...(editing.kind === 'edit' ? { rule: editing.rule } : {})}
            targets={targets}
            models={models}
            webhooks={webhooks}
            onSaved={saved}
            onCancel={closeEditor}
          />
        )}
        {rules.data && (
          <RuleList
            rules={rules.data.rules}
            states={states}
            highlight={route.rule}
            onEdit={(rule) => setEditing({ kind: 'edit', rule })}
          />
        )}
      </section>
      <section className="card" id="alerts-events" tabIndex={-1} aria-labelledby="alerts-events-heading">
        <h2 id="alerts-events-heading">Events</h2>
        <EventLog filter={filter} />
      </section>
      <section className="card" id="alerts-silences" tabIndex={-1} aria-labelledby="alerts-silences-heading">
        <h2 id="alerts-silences-heading">Silences</h2>
        <SilencesPanel rules={rules.data?.rules ?? []} />
      </section>
      <section className="card" id="alerts-webhooks" tabIndex={-1} aria-labelledby="alerts-webhooks-heading">
        <h2 id="alerts-webhooks-heading">Webhooks</h2>
        <WebhooksPanel />
      </section>
    </>
  );
}
