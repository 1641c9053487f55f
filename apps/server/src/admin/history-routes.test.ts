import { ApiErrorSchema, HistoryResponseSchema } from '@lookout/contracts';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EPOCH_MS, fakeEngine, tempDataDir } from '../history/history-fixture.ts';
import { RollupJob } from '../history/index.ts';
import type { Store } from '../store/index.ts';
import { openStore } from '../store/index.ts';
import { requireAuth } from './auth.ts';
import { createHistoryApi } from './history-routes.ts';
import { SessionSigner } from './session.ts';

let data: ReturnType<typeof tempDataDir>;
let store: Store;
beforeEach(() => {
  data = tempDataDir();
  store = openStore(data.dir);
});
afterEach(() => {
  store.close();
  data.remove();
});

const NOW_MS = EPOCH_MS + 5 * 60_000;

async function get(query: string) {
  const app = createHistoryApi({ store, now: () => NOW_MS });
  const response = await app.request(`/history${query}`);
  return { status: response.status, body: (await response.json()) as unknown };
}

async function badRequest(query: string): Promise<Record<string, string>> {
  const { status, body } = await get(query);
  expect(status).toBe(400);
  const error = ApiErrorSchema.parse(body).error;
  expect(error.code).toBe('bad_request');
  expect(error.message.length).toBeGreaterThan(0);
  return error.fields ?? {};
}

describe('GET /history', () => {
  it('answers a chart from the store in the documented shape', async () => {
    const { engine, clock, play } = fakeEngine();
    play(
      {
        callId: 'a',
        startedAtMs: 0,
        totalMs: 1200,
        queueWaitMs: 5,
        ttftMs: 300,
        target: 'gpu-1',
        model: 'm1',
      },
      {
        callId: 'b',
        startedAtMs: 0,
        totalMs: 1800,
        queueWaitMs: 5,
        ttftMs: 300,
        target: 'gpu-2',
        model: 'm1',
      },
    );
    clock.nowMs = 2 * 60_000 + 2000;
    new RollupJob({ metrics: engine, rollups: store.rollups, runId: 1 }).tick();

    const { status, body } = await get('?metric=requests&range=1h&target=gpu-1');
    expect(status).toBe(200);
    const history = HistoryResponseSchema.parse(body);
    expect(history).toMatchObject({
      target: 'gpu-1',
      model: '*',
      source: 'app',
      metric: 'requests',
      range: '1h',
    });
    expect(history.stepMs).toBe(60_000);
    expect(history.points).toHaveLength(60);
    expect(history.points.at(-1)!.t).toBe(new Date(NOW_MS).toISOString());
    expect(history.points.find((p) => p.t === new Date(EPOCH_MS).toISOString())).toEqual({
      t: new Date(EPOCH_MS).toISOString(),
      value: 1,
      count: 1,
    });
    const p99 = HistoryResponseSchema.parse((await get('?metric=latency_p99_ms&range=6h&model=m1')).body);
    const bucket = p99.points.at(-2)!; // 17:00-17:05; the last one, 17:05-17:10, holds now
    expect(bucket).toMatchObject({ t: new Date(EPOCH_MS).toISOString(), count: 2 });
    // The sketch's p99 of two values is the lower one (rank floor(0.99 * (2 - 1)) = 0), within 1%.
    expect(Math.abs(bucket.value! - 1200)).toBeLessThanOrEqual(12);
  });

  it('accepts every metric, range and source, and outcome metrics', async () => {
    for (const query of [
      '?metric=error_rate&range=24h',
      '?metric=ttft_p95_ms&range=7d&source=probe',
      '?metric=queue_wait_p95_ms&range=1h&source=test_prompt',
      '?metric=outcome:timeout_idle&range=6h&target=*&model=*',
      '?metric=tokens_per_sec_p50&range=1h&model=llama3.2%3A3b',
    ]) {
      const { status, body } = await get(query);
      expect([query, status]).toEqual([query, 200]);
      HistoryResponseSchema.parse(body);
    }
  });

  it('names the bad parameter in a 400, never a 500', async () => {
    expect(await badRequest('?range=1h')).toEqual({
      metric: expect.stringMatching(/^metric must be one of .*missing/),
    });
    expect(await badRequest('?metric=requests')).toEqual({
      range: expect.stringMatching(/^range must be one of 1h, 6h, 24h, 7d/),
    });
    expect(await badRequest('?metric=latency_p42_ms&range=1h')).toEqual({
      metric: expect.stringContaining('got "latency_p42_ms"'),
    });
    expect(Object.keys(await badRequest('?metric=outcome:nope&range=1h'))).toEqual(['metric']);
    expect(await badRequest('?metric=requests&range=2d')).toEqual({
      range: expect.stringContaining('got "2d"'),
    });
    expect(await badRequest('?metric=requests&range=1h&source=everyone')).toEqual({
      source: expect.stringContaining('source must be one of app, probe, test_prompt'),
    });
    expect(await badRequest('?metric=requests&range=1h&target=')).toEqual({
      target: expect.stringContaining('not empty'),
    });
    expect(await badRequest(`?metric=requests&range=1h&model=${'m'.repeat(201)}`)).toEqual({
      model: expect.stringContaining('at most 200'),
    });
    expect(await badRequest('?metric=requests&range=1h&window=5m')).toEqual({
      window: expect.stringContaining('unknown parameter window'),
    });
    expect(await badRequest('?metric=requests&range=1h&range=6h')).toEqual({
      range: 'range is given 2 times; give it once',
    });
    expect(Object.keys(await badRequest('?metric=&range=&target=gpu-1')).sort()).toEqual(['metric', 'range']);
  });

  it('serves /api/history behind the admin auth when mounted after requireAuth', async () => {
    const api = new Hono();
    api.use(requireAuth({ adminToken: 'secret-token', sessions: new SessionSigner('secret-token') }));
    api.route('/', createHistoryApi({ store }));
    const app = new Hono().route('/api', api);
    const url = '/api/history?metric=requests&range=1h';
    expect((await app.request(url)).status).toBe(401);
    const ok = await app.request(url, { headers: { authorization: 'Bearer secret-token' } });
    expect(ok.status).toBe(200);
    expect(HistoryResponseSchema.parse(await ok.json()).points).toHaveLength(60);
  });

  it('answers 500 with an error value when the stored history cannot be read', async () => {
    store.db
      .prepare(
        "INSERT INTO rollups VALUES (?, 'gpu-1', 'm', 'app', 1, 60000, 1, 'not json', NULL, NULL, NULL, NULL)",
      )
      .run(EPOCH_MS);
    const { status, body } = await get('?metric=requests&range=1h');
    expect(status).toBe(500);
    expect(ApiErrorSchema.parse(body).error).toMatchObject({ code: 'history_unavailable' });
  });
});
