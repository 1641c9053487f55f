import { HistoryQuerySchema, validate } from '@lookout/contracts';
import { Hono } from 'hono';
import { queryHistory } from '../history/index.ts';
import type { Store } from '../store/index.ts';
import { isStoreError } from '../store/index.ts';

export interface HistoryApiDeps {
  readonly store: Pick<Store, 'rollups'>;
  /** Wall-clock epoch milliseconds (default `Date.now`). */
  readonly now?: () => number;
}

/**
 * `GET /history?target=*|name&model=*|name&source=app|probe|test_prompt&metric=...&range=1h|6h|24h|7d`:
 * the points of one chart (`HistoryResponseSchema`). Every parameter is validated; a bad one gets
 * 400 `{error: {code: "bad_request", message, fields: {param: reason}}}`.
 */
export function createHistoryApi(deps: HistoryApiDeps): Hono {
  const api = new Hono();
  const now = deps.now ?? Date.now;

  api.get('/history', (c) => {
    const input: Record<string, string> = {};
    const repeated: Record<string, string> = {};
    for (const [name, values] of Object.entries(c.req.queries())) {
      if (values.length > 1) repeated[name] = `${name} is given ${values.length} times; give it once`;
      else if (values[0] !== undefined) input[name] = values[0];
    }
    const query = validate(HistoryQuerySchema, input, 'bad_request');
    if (!query.ok || Object.keys(repeated).length > 0) {
      const fields = { ...(query.ok ? {} : query.error.fields), ...repeated };
      const message = Object.values(fields).join('; ');
      return c.json({ error: { code: 'bad_request', message, fields } }, 400);
    }
    try {
      return c.json(queryHistory(deps.store.rollups, { ...query.value, nowMs: now() }));
    } catch (error) {
      if (!isStoreError(error)) throw error;
      return c.json({ error: { code: 'history_unavailable', message: error.message } }, 500);
    }
  });

  return api;
}
