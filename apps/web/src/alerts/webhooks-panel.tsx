import type { WebhookKind } from '@lookout/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useApi } from '../api/api-context.tsx';
import { createWebhook, deleteWebhook, testWebhook } from '../api/endpoints.ts';
import { queryKeys, webhooksQuery } from '../api/queries.ts';
import { formatDateTime } from '../core/format.ts';
import { CreateForm, useCreateForm } from './create-form.tsx';
import { Field } from './field.tsx';

/** Webhooks the rules notify: the last delivery of each, a test button, and a form for a new one. */
export function WebhooksPanel() {
  const api = useApi();
  const queryClient = useQueryClient();
  const webhooks = useQuery(webhooksQuery(api));
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.webhooks });
  const test = useMutation({ mutationFn: (id: string) => testWebhook(api, id), onSettled: refresh });
  const remove = useMutation({ mutationFn: (id: string) => deleteWebhook(api, id), onSettled: refresh });
  const list = webhooks.data?.webhooks ?? [];
  const failure = test.error ?? remove.error;
  return (
    <>
      {webhooks.isError && (
        <p className="field-error">Webhooks are not available: {webhooks.error.message}</p>
      )}
      {failure && (
        <p className="field-error" role="alert">
          {failure.message}
        </p>
      )}
      {webhooks.isSuccess && list.length === 0 && <p className="muted">No webhook yet.</p>}
      {list.length > 0 && (
        <div className="table-wrap">
          <table className="data-table" data-testid="webhook-list">
            <caption className="visually-hidden">Webhooks</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">URL</th>
                <th scope="col">Last delivery</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((w) => {
                const last = w.lastDelivery;
                return (
                  <tr key={w.id} data-testid={`webhook-${w.id}`}>
                    <th scope="row">
                      {w.name} <span className="badge">{w.kind}</span>
                      {w.source === 'config' && <span className="muted small"> from lookout.yaml</span>}
                    </th>
                    <td className="url-cell">{w.url}</td>
                    <td>
                      {last ? (
                        <>
                          <span
                            className={`badge ${last.status === 'failed' ? 'state-firing' : last.status === 'delivered' ? 'state-ok' : 'state-pending'}`}
                          >
                            {last.status}
                          </span>{' '}
                          {last.kind} · {formatDateTime(last.updatedAt)}
                          {last.lastError && <span className="muted small"> ({last.lastError.code})</span>}
                        </>
                      ) : (
                        <span className="muted">never</span>
                      )}
                    </td>
                    <td>
                      <div className="actions">
                        <button
                          type="button"
                          className="button small"
                          onClick={() => test.mutate(w.id)}
                          disabled={test.isPending}
                        >
                          Send test<span className="visually-hidden"> to {w.name}</span>
                        </button>
                        {w.source === 'ui' && (
                          <button type="button" className="button small" onClick={() => remove.mutate(w.id)}>
                            Delete<span className="visually-hidden"> {w.name}</span>
                          </button>
                        )}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <WebhookForm onCreated={refresh} />
    </>
  );
}

function WebhookForm({ onCreated }: { onCreated: () => void }) {
  const api = useApi();
  const base = useId();
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [kind, setKind] = useState<WebhookKind>('json');
  const form = useCreateForm(
    () => createWebhook(api, { name, url, kind }),
    () => {
      setName('');
      setUrl('');
      onCreated();
    },
  );
  const { fields } = form;
  return (
    <CreateForm form={form} title="New webhook" submitLabel="Add webhook" testId="webhook-form">
      <div className="field-row">
        <Field id={`${base}-name`} label="Name" error={fields.name}>
          {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field id={`${base}-url`} label="URL" error={fields.url} className="wide">
          {(p) => (
            <input
              {...p}
              type="url"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              placeholder="https://"
            />
          )}
        </Field>
        <Field id={`${base}-kind`} label="Body" error={fields.kind}>
          {(p) => (
            <select {...p} value={kind} onChange={(e) => setKind(e.target.value as WebhookKind)}>
              <option value="json">JSON (Lookout’s)</option>
              <option value="slack">Slack-compatible</option>
            </select>
          )}
        </Field>
      </div>
    </CreateForm>
  );
}
