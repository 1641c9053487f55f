import { TestPromptRequestSchema, validate } from '@lookout/contracts';
import { Hono } from 'hono';
import { TestPromptRefused, type TestPromptService } from './service.ts';

/** `/api/test-prompts`: start a run, list earlier ones, read one. */
export function createTestPromptApi(service: TestPromptService): Hono {
  const api = new Hono();

  api.post('/test-prompts', async (c) => {
    const body: unknown = await c.req.json().catch(() => undefined);
    if (body === undefined) {
      return c.json({ error: { code: 'bad_request', message: 'send a JSON body' } }, 400);
    }
    const parsed = validate(TestPromptRequestSchema, body, 'bad_request');
    if (!parsed.ok) return c.json({ error: parsed.error }, 400);
    try {
      return c.json(service.start(parsed.value), 202);
    } catch (error) {
      if (error instanceof TestPromptRefused) {
        const fields = error.field ? { [error.field]: error.message } : undefined;
        return c.json(
          { error: { code: error.code, message: error.message, ...(fields ? { fields } : {}) } },
          error.status,
        );
      }
      throw error;
    }
  });

  api.get('/test-prompts', (c) => {
    const limit = Number(c.req.query('limit') ?? 50);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
      return c.json(
        {
          error: {
            code: 'bad_request',
            message: 'limit must be 1..200',
            fields: { limit: 'must be 1..200' },
          },
        },
        400,
      );
    }
    return c.json({ runs: service.list(limit) });
  });

  api.get('/test-prompts/:runId', (c) => {
    const run = service.get(c.req.param('runId'));
    if (!run) return c.json({ error: { code: 'not_found', message: 'no such run' } }, 404);
    return c.json(run);
  });

  return api;
}
