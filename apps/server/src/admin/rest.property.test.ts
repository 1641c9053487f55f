import { ApiErrorSchema, RULE_METRICS } from '@lookout/contracts';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fleet, startFleet, TEST_ADMIN_TOKEN } from '../testing/harness.ts';

const RUNS = 120;
const ALLOWED = new Set([201, 202, 400, 404, 409, 429]);

let fleet: Fleet;
let ruleId: string;
beforeAll(async () => {
  fleet = await startFleet(
    [{ tokensPerSec: 5_000 }],
    {},
    // The limiter is not what is under test here: let every request reach validation.
    { dashboard: { limits: { testPrompts: { limit: 1_000_000, perMs: 60_000 } } } },
  );
  const res = await post('/api/rules', { name: 'seed', metric: 'timeouts', op: '>', threshold: 1 });
  ruleId = ((await res.json()) as { rule: { id: string } }).rule.id;
});
afterAll(() => fleet.close());

function post(path: string, body: unknown, raw = false): Promise<Response> {
  return fetch(`${fleet.dashboard}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: raw ? (body as string) : JSON.stringify(body),
  });
}

/** A field value: often right for some field of some endpoint, else any JSON. */
const fieldValue = fc.oneof(
  fc.constantFrom(
    '*',
    'sim0',
    'llama3.2:1b',
    'hello',
    '',
    'http://127.0.0.1:9/hook',
    'json',
    'slack',
    '>',
    '<',
    '5m',
    'warning',
    ...RULE_METRICS,
    new Date(Date.now() + 3_600_000).toISOString(),
  ),
  fc.double(),
  fc.integer({ min: -10, max: 5_000 }),
  fc.boolean(),
  fc.jsonValue({ maxDepth: 2 }),
);

const KEYS = [
  'name',
  'metric',
  'op',
  'threshold',
  'forSec',
  'recoverThreshold',
  'minSamples',
  'severity',
  'enabled',
  'notify',
  'scope',
  'window',
  'model',
  'prompt',
  'target',
  'numPredict',
  'temperature',
  'timeouts',
  'url',
  'kind',
  'headers',
  'ruleId',
  'until',
  'reason',
  'id',
  '__proto__',
  'constructor',
];

/** Bodies of any kind: objects of the endpoints' field names, any JSON, and text that is not JSON. */
const anyBody = fc.oneof(
  fc.dictionary(fc.constantFrom(...KEYS), fieldValue, { maxKeys: 8 }).map((o) => ({ json: o as unknown })),
  fc.jsonValue({ maxDepth: 3 }).map((json) => ({ json })),
  fc.string({ maxLength: 60 }).map((text) => ({ text })),
  fc
    .constantFrom('', ' ', '{', '[1,', 'null', '"x"', '{"a":1}{', '\u0000', '{"__proto__":{"x":1}}')
    .map((text) => ({ text })),
);

type Body = { json: unknown } | { text: string };

/** A valid body with some fields dropped and some set to other values: valid often enough to pass. */
function nearValid(valid: () => Record<string, unknown>): fc.Arbitrary<Body> {
  const keys = Object.keys(valid());
  return fc
    .record({
      drop: fc.subarray(keys, { maxLength: 2 }),
      set: fc.dictionary(fc.constantFrom(...KEYS), fieldValue, { maxKeys: 2 }),
    })
    .map(({ drop, set }) => {
      const json: Record<string, unknown> = { ...valid() };
      for (const k of drop) delete json[k];
      return { json: Object.assign(json, set) };
    });
}

const VALID: Record<string, () => Record<string, unknown>> = {
  '/api/rules': () => ({ name: 'slow', metric: 'latency_p95_ms', op: '>', threshold: 1000 }),
  '/api/test-prompts': () => ({ model: 'llama3.2:1b', prompt: 'hi', numPredict: 3 }),
  '/api/silences': () => ({
    ruleId,
    until: new Date(Date.now() + 3_600_000).toISOString(),
    reason: 'deploy',
  }),
  '/api/webhooks': () => ({ name: 'ops', url: 'http://127.0.0.1:9/hook' }),
};

describe('the REST layer on arbitrary bodies', () => {
  it.each(['/api/rules', '/api/test-prompts', '/api/silences', '/api/webhooks'])(
    'POST %s answers 201/202/400/404/409/429 with a JSON body, never a 500',
    async (path) => {
      const seen = new Set<number>();
      await fc.assert(
        fc.asyncProperty(fc.oneof(nearValid(VALID[path]!), anyBody), async (b: Body) => {
          const res = 'json' in b ? await post(path, b.json) : await post(path, b.text, true);
          seen.add(res.status);
          const text = await res.text();
          expect(ALLOWED.has(res.status), `${res.status} ${text}`).toBe(true);
          const parsed: unknown = JSON.parse(text);
          if (res.status >= 400) expect(ApiErrorSchema.safeParse(parsed).success, text).toBe(true);
        }),
        { numRuns: RUNS },
      );
      // Both sides were reached: some bodies were accepted, some refused.
      expect(seen.has(400)).toBe(true);
      expect(seen.has(201) || seen.has(202)).toBe(true);
    },
  );

  it('still answers after all that', async () => {
    expect((await fetch(`${fleet.dashboard}/healthz`)).status).toBe(200);
  });
});
