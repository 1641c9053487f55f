import type { Rule, RuleDraft } from '@lookout/contracts';
import { AlertEventQuerySchema, RuleDraftSchema, validate } from '@lookout/contracts';
import type { Context } from 'hono';
import { Hono } from 'hono';
import {
  invalid,
  jsonBody,
  newId,
  notFound,
  queryParams,
  rejected,
  withoutReadOnly,
} from '../alerts/http.ts';
import { checkRuleContext } from '../alerts/rule-checks.ts';
import type { AlertService } from '../alerts/service.ts';
import { createSilenceRoutes } from '../alerts/silence-routes.ts';
import { createWebhookRoutes } from '../alerts/webhook-routes.ts';

export interface AlertsApiDeps {
  readonly alerts: AlertService;
}

/**
 * The alert API, mounted under `/api` behind auth:
 * - `GET /rules`, `GET /rules/:id`, `POST /rules`, `PUT /rules/:id`, `DELETE /rules/:id`
 * - `GET /alerts?limit&before&rule&target&model&state&severity` (events, newest first), `GET /alerts/states`
 * - `GET/POST /webhooks`, `PUT/DELETE /webhooks/:id`, `POST /webhooks/:id/test`, `GET /deliveries`
 * - `GET/POST /silences`, `PUT/DELETE /silences/:id`
 *
 * Invalid input gets 400 `{error: {code, message, fields}}` naming each bad field, an unknown id 404
 * in the same shape; nothing a client sends produces a 500.
 */
export function createAlertsApi(deps: AlertsApiDeps): Hono {
  const api = new Hono();
  const { alerts } = deps;
  const now = () => alerts.nowMs();

  api.get('/rules', (c) => c.json({ rules: alerts.rules.list() }));

  api.get('/rules/:id', (c) => {
    const rule = alerts.rules.get(c.req.param('id'));
    return rule ? c.json({ rule }) : notFound(c, 'rule', c.req.param('id'));
  });

  api.post('/rules', async (c) => {
    const draft = await ruleDraft(c, undefined);
    if (draft instanceof Response) return draft;
    const rule: Rule = { id: newId('rule'), ...draft };
    alerts.rules.insert(rule, now());
    alerts.rulesChanged();
    return c.json({ rule }, 201);
  });

  api.put('/rules/:id', async (c) => {
    const id = c.req.param('id');
    if (!alerts.rules.has(id)) return notFound(c, 'rule', id);
    const draft = await ruleDraft(c, id);
    if (draft instanceof Response) return draft;
    const rule: Rule = { id, ...draft };
    alerts.rules.update(rule, now());
    alerts.rulesChanged();
    return c.json({ rule });
  });

  api.delete('/rules/:id', (c) => {
    const id = c.req.param('id');
    if (!alerts.rules.delete(id)) return notFound(c, 'rule', id);
    alerts.silences.deleteRule(id);
    alerts.silencesChanged();
    alerts.rulesChanged();
    return c.body(null, 204);
  });

  api.get('/alerts', (c) => {
    const { params, repeated } = queryParams(c);
    const query = validate(AlertEventQuerySchema, params, 'bad_request');
    if (!query.ok || Object.keys(repeated).length > 0) {
      return invalid(c, 'bad_request', { ...(query.ok ? {} : query.error.fields), ...repeated });
    }
    return c.json(alerts.events.page(query.value));
  });

  api.get('/alerts/states', (c) => c.json({ states: alerts.currentStates() }));

  api.route('/', createWebhookRoutes({ alerts }));
  api.route('/', createSilenceRoutes({ alerts }));

  api.onError((error, c) => {
    alerts.log.error({ err: error, path: c.req.path }, 'alert API request failed');
    return c.json(
      { error: { code: 'internal_error', message: 'the alert store failed; see the server log' } },
      500,
    );
  });

  /**
   * The validated draft of a POST or PUT body, or the 400 response. A PUT may send the rule back with
   * its `id` (as GET returns it) as long as it is the one in the path.
   */
  async function ruleDraft(c: Context, pathId: string | undefined): Promise<RuleDraft | Response> {
    const body = await jsonBody(c);
    if (!body.ok) return rejected(c, body.error);
    const input = pathId === undefined ? body : withoutReadOnly(body.value, pathId, []);
    if (!input.ok) return rejected(c, { ...input.error, code: 'invalid_rule' });
    const draft = validate(RuleDraftSchema, input.value, 'invalid_rule');
    if (!draft.ok) return rejected(c, draft.error);
    const fields = checkRuleContext(draft.value, {
      targets: alerts.knownTargets(),
      webhooks: alerts.webhooks,
    });
    if (Object.keys(fields).length > 0) return invalid(c, 'invalid_rule', fields);
    return draft.value;
  }

  return api;
}
