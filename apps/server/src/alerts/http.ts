import type { ApiError, Validated } from '@lookout/contracts';
import type { Context } from 'hono';

/** 400 with `{error: {code, message, fields}}`, the message listing every field's reason. */
export function invalid(c: Context, code: string, fields: Record<string, string>): Response {
  return c.json({ error: { code, message: Object.values(fields).join('; '), fields } }, 400);
}

/** 400 for a failed `validate()`. */
export function rejected(c: Context, error: ApiError['error']): Response {
  return c.json({ error }, 400);
}

/** 404 in the REST error shape. */
export function notFound(c: Context, what: string, id: string): Response {
  return c.json({ error: { code: 'not_found', message: `no ${what} with id ${JSON.stringify(id)}` } }, 404);
}

/** 409: the request is valid but conflicts with what is stored. */
export function conflict(c: Context, code: string, message: string): Response {
  return c.json({ error: { code, message } }, 409);
}

/** The JSON body, or an error value for a 400 when it is not JSON. */
export async function jsonBody(c: Context): Promise<Validated<unknown>> {
  const text = await c.req.text();
  if (text.trim() === '') {
    return {
      ok: false,
      error: { code: 'invalid_json', message: 'send a JSON body', fields: { _: 'missing body' } },
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const message = `the body is not JSON: ${(error as Error).message}`;
    return { ok: false, error: { code: 'invalid_json', message, fields: { _: message } } };
  }
}

/**
 * A PUT body without the fields GET adds (so a client can send back what it read): `id` must be the
 * path's, the others (`readOnly`) are dropped. Returns the fields in error when `id` differs.
 */
export function withoutReadOnly(
  value: unknown,
  pathId: string,
  readOnly: readonly string[],
): Validated<unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: true, value };
  const rest: Record<string, unknown> = { ...value };
  if ('id' in rest && rest.id !== pathId) {
    const message = `id must be "${pathId}", as in the path, or left out`;
    return { ok: false, error: { code: 'invalid_input', message, fields: { id: message } } };
  }
  for (const key of ['id', ...readOnly]) delete rest[key];
  return { ok: true, value: rest };
}

/** The query parameters, each given once; a repeated one is an error naming it. */
export function queryParams(c: Context): {
  params: Record<string, string>;
  repeated: Record<string, string>;
} {
  const params: Record<string, string> = {};
  const repeated: Record<string, string> = {};
  for (const [name, values] of Object.entries(c.req.queries())) {
    if (values.length > 1) repeated[name] = `${name} is given ${values.length} times; give it once`;
    else if (values[0] !== undefined) params[name] = values[0];
  }
  return { params, repeated };
}

/** A new id: a prefix and 12 random hex digits, e.g. `rule-3f9a1c0b7d2e`. */
export function newId(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
}
