import type { Webhook } from '@lookout/contracts';
import { DeliveryQuerySchema, validate, WebhookDraftSchema } from '@lookout/contracts';
import type { Context } from 'hono';
import { Hono } from 'hono';
import {
  conflict,
  invalid,
  jsonBody,
  newId,
  notFound,
  queryParams,
  rejected,
  withoutReadOnly,
} from './http.ts';
import { notificationBody } from './payload.ts';
import type { AlertService } from './service.ts';
import type { WebhookTarget } from './webhook-table.ts';

/**
 * `/webhooks` and `/deliveries`. Webhooks of `lookout.yaml` are listed (source "config") and can be
 * tested, but are changed in the file: PUT and DELETE on them answer 409 `webhook_read_only`.
 */
export function createWebhookRoutes({ alerts }: { alerts: AlertService }): Hono {
  const api = new Hono();
  const table = alerts.webhooks.table;
  const now = () => alerts.nowMs();

  const view = (w: WebhookTarget): Webhook => ({
    id: w.id,
    name: w.name,
    url: w.url,
    kind: w.kind,
    headers: { ...w.headers },
    source: w.source === 'config' ? 'config' : 'ui',
    lastDelivery: alerts.deliveries.last(w.id),
  });

  api.get('/webhooks', (c) => c.json({ webhooks: alerts.webhooks.list().map(view) }));

  api.post('/webhooks', async (c) => {
    const body = await jsonBody(c);
    if (!body.ok) return rejected(c, body.error);
    const draft = validate(WebhookDraftSchema, body.value, 'invalid_webhook');
    if (!draft.ok) return rejected(c, draft.error);
    const id = newId('webhook');
    table.insert(id, draft.value, now());
    const created = alerts.webhooks.get(id);
    return created ? c.json({ webhook: view(created) }, 201) : notFound(c, 'webhook', id);
  });

  api.put('/webhooks/:id', async (c) => {
    const id = c.req.param('id');
    const readOnly = guard(id);
    if (readOnly) return readOnly === 'config' ? configured(c, id) : notFound(c, 'webhook', id);
    const body = await jsonBody(c);
    if (!body.ok) return rejected(c, body.error);
    const input = withoutReadOnly(body.value, id, ['source', 'lastDelivery']);
    if (!input.ok) return rejected(c, { ...input.error, code: 'invalid_webhook' });
    const draft = validate(WebhookDraftSchema, input.value, 'invalid_webhook');
    if (!draft.ok) return rejected(c, draft.error);
    table.update(id, draft.value, now());
    const updated = alerts.webhooks.get(id);
    return updated ? c.json({ webhook: view(updated) }) : notFound(c, 'webhook', id);
  });

  api.delete('/webhooks/:id', (c) => {
    const id = c.req.param('id');
    const readOnly = guard(id);
    if (readOnly) return readOnly === 'config' ? configured(c, id) : notFound(c, 'webhook', id);
    const users = alerts.rules.list().filter((r) => r.notify.includes(id));
    if (users.length > 0) {
      const names = users.map((r) => `"${r.name}"`).join(', ');
      return conflict(
        c,
        'webhook_in_use',
        `webhook ${id} is notified by rule${users.length > 1 ? 's' : ''} ${names}; remove it there first`,
      );
    }
    table.delete(id);
    return c.body(null, 204);
  });

  api.post('/webhooks/:id/test', async (c) => {
    const id = c.req.param('id');
    const webhook = alerts.webhooks.list().find((w) => w.id === id);
    if (!webhook) return notFound(c, 'webhook', id);
    const payload = notificationBody(webhook.kind, {
      kind: 'test',
      rule: null,
      scope: null,
      value: null,
      threshold: null,
      incidentSinceMs: null,
      resolvedAtMs: null,
      eventId: null,
      atMs: now(),
      publicUrl: alerts.publicUrl(),
    });
    const delivery = await alerts.notifier.sendTest(webhook, payload);
    return c.json({ delivery });
  });

  api.get('/deliveries', (c) => {
    const { params, repeated } = queryParams(c);
    const query = validate(DeliveryQuerySchema, params, 'bad_request');
    if (!query.ok || Object.keys(repeated).length > 0) {
      return invalid(c, 'bad_request', { ...(query.ok ? {} : query.error.fields), ...repeated });
    }
    return c.json(alerts.deliveries.page(query.value));
  });

  /** Why `id` cannot be changed here: it is in the config, or it does not exist. */
  function guard(id: string): 'config' | 'missing' | undefined {
    if (alerts.webhooks.isConfigured(id)) return 'config';
    return table.list().some((w) => w.id === id) ? undefined : 'missing';
  }

  function configured(c: Context, id: string): Response {
    return conflict(
      c,
      'webhook_read_only',
      `webhook ${id} is defined in lookout.yaml; change or remove it there`,
    );
  }

  return api;
}
