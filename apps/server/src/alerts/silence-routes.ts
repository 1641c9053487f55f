import type { SilenceDraft } from '@lookout/contracts';
import { SilenceDraftSchema, validate } from '@lookout/contracts';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { invalid, jsonBody, newId, notFound, rejected, withoutReadOnly } from './http.ts';
import type { AlertService } from './service.ts';

const MAX_SILENCE_MS = 366 * 24 * 3_600_000;

/** `/silences`: mute a rule, or some of its scopes, until a time, with a reason. */
export function createSilenceRoutes({ alerts }: { alerts: AlertService }): Hono {
  const api = new Hono();
  const table = alerts.silences;

  api.get('/silences', (c) => c.json({ silences: table.list(alerts.nowMs()) }));

  api.post('/silences', async (c) => {
    const draft = await silenceDraft(c, undefined);
    if (draft instanceof Response) return draft;
    const id = newId('silence');
    table.insert(id, draft, alerts.nowMs());
    alerts.silencesChanged();
    return c.json({ silence: table.get(id, alerts.nowMs()) }, 201);
  });

  api.put('/silences/:id', async (c) => {
    const id = c.req.param('id');
    if (!table.get(id, alerts.nowMs())) return notFound(c, 'silence', id);
    const draft = await silenceDraft(c, id);
    if (draft instanceof Response) return draft;
    table.update(id, draft);
    alerts.silencesChanged();
    return c.json({ silence: table.get(id, alerts.nowMs()) });
  });

  api.delete('/silences/:id', (c) => {
    const id = c.req.param('id');
    if (!table.delete(id)) return notFound(c, 'silence', id);
    alerts.silencesChanged();
    return c.body(null, 204);
  });

  /** The validated body, or the 400 response; the rule must exist and the scope be one it covers. */
  async function silenceDraft(c: Context, pathId: string | undefined): Promise<SilenceDraft | Response> {
    const body = await jsonBody(c);
    if (!body.ok) return rejected(c, body.error);
    const input = pathId === undefined ? body : withoutReadOnly(body.value, pathId, ['active', 'createdAt']);
    if (!input.ok) return rejected(c, { ...input.error, code: 'invalid_silence' });
    const parsed = validate(SilenceDraftSchema, input.value, 'invalid_silence');
    if (!parsed.ok) return rejected(c, parsed.error);
    const draft = parsed.value;
    const fields: Record<string, string> = {};
    const rule = alerts.rules.get(draft.ruleId);
    if (!rule) fields.ruleId = `no rule with id "${draft.ruleId}"`;
    for (const key of ['target', 'model'] as const) {
      const wanted = draft.scope[key];
      const covered = rule?.scope[key];
      if (covered !== undefined && covered !== '*' && wanted !== '*' && wanted !== covered) {
        fields[`scope.${key}`] = `the rule only watches ${key} "${covered}"; use "*" or "${covered}"`;
      }
    }
    const untilMs = Date.parse(draft.until);
    const nowMs = alerts.nowMs();
    if (untilMs <= nowMs)
      fields.until = `until must be in the future (now is ${new Date(nowMs).toISOString()})`;
    else if (untilMs - nowMs > MAX_SILENCE_MS)
      fields.until = 'until must be within a year; disable the rule instead';
    return Object.keys(fields).length > 0 ? invalid(c, 'invalid_silence', fields) : draft;
  }

  return api;
}
