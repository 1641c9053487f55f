import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { exchange, fetchRaw, simulatorPerTest, waitUntil } from './test-support.ts';
import type { SimulatorHandle } from './types.ts';

const start = simulatorPerTest();

const gen = (model = 'llama3.2:1b', extra: object = {}) => ({
  body: { model, prompt: 'p', stream: false, ...extra },
});
const slow = (ttftMs: number, tokens = 1) => ({
  'x-sim-ttft-ms': String(ttftMs),
  'x-sim-tokens': String(tokens),
});
const modelStats = (s: SimulatorHandle, name = 'llama3.2:1b') => {
  const stats = s.stats().models[name];
  if (!stats) throw new Error(`no stats for ${name}`);
  return stats;
};

describe('slots per loaded model', () => {
  it('runs numParallel requests at once; the others wait for a slot', async () => {
    const s = await start({ numParallel: 2 });
    await fetchRaw(s.url, '/api/generate', { body: { model: 'llama3.2:1b' } });
    const calls = Array.from({ length: 4 }, () =>
      exchange(s.url, '/api/generate', { ...gen(), headers: slow(300) }),
    );
    await waitUntil(
      () => modelStats(s).inFlight === 2 && modelStats(s).waiting === 2,
      2000,
      '2 in flight, 2 waiting',
    );
    const replies = await Promise.all(calls.map((c) => c.reply));
    const ends = replies.map((r) => r.endedAtMs).sort((a, b) => a - b);
    expect(ends[1]).toBeLessThan(300 + 250);
    expect(ends[2]).toBeGreaterThanOrEqual(590);
    expect(modelStats(s)).toMatchObject({ inFlight: 0, waiting: 0, maxInFlightSeen: 2, completed: 4 });
  });

  it('waiting for a slot is unbounded: maxQueue does not limit it', async () => {
    const s = await start({ maxQueue: 1 });
    await fetchRaw(s.url, '/api/generate', { body: { model: 'llama3.2:1b' } });
    const holder = exchange(s.url, '/api/generate', { ...gen(), headers: slow(400) });
    await waitUntil(() => modelStats(s).inFlight === 1, 2000, 'the slot taken');
    const waiters = Array.from({ length: 5 }, () =>
      exchange(s.url, '/api/generate', { ...gen(), headers: slow(10) }),
    );
    await waitUntil(() => modelStats(s).waiting === 5, 2000, 'five requests waiting on the slot');
    const calls = [holder, ...waiters];
    const statuses = (await Promise.all(calls.map((c) => c.reply))).map((r) => r.status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
  });

  it('setNumParallel widens the slots of a loaded model at once', async () => {
    const s = await start({ numParallel: 1 });
    await fetchRaw(s.url, '/api/generate', { body: { model: 'llama3.2:1b' } });
    const calls = Array.from({ length: 3 }, () =>
      exchange(s.url, '/api/generate', { ...gen(), headers: slow(400) }),
    );
    await waitUntil(() => modelStats(s).waiting === 2, 2000, 'two waiting');
    s.setNumParallel(3);
    expect(modelStats(s).inFlight).toBe(3);
    await Promise.all(calls.map((c) => c.reply));
  });

  it('embedding-only models run one request at a time whatever numParallel says', async () => {
    const s = await start({ numParallel: 4 });
    const started = performance.now();
    const calls = Array.from({ length: 3 }, () =>
      exchange(s.url, '/api/embed', {
        body: { model: 'nomic-embed-text', input: 'x' },
        headers: { 'x-sim-ttft-ms': '150' },
      }),
    );
    await Promise.all(calls.map((c) => c.reply));
    expect(performance.now() - started).toBeGreaterThanOrEqual(440);
    expect(modelStats(s, 'nomic-embed-text').maxInFlightSeen).toBe(1);
  });

  it('/api/embed with N inputs takes up to N slots of a generation model at once', async () => {
    const s = await start({ numParallel: 4 });
    const reply = await fetchRaw(s.url, '/api/embed', {
      body: { model: 'llama3.2:1b', input: ['a', 'b', 'c'] },
      headers: { 'x-sim-ttft-ms': '100' },
    });
    expect(reply.status).toBe(200);
    expect(modelStats(s).maxInFlightSeen).toBe(3);
    expect(reply.endedAtMs).toBeLessThan(100 + 250);
  });
});

describe('slot arithmetic and sharing', () => {
  it('slot wait is total - load - prompt_eval - eval', async () => {
    const s = await start();
    await fetchRaw(s.url, '/api/generate', { body: { model: 'llama3.2:1b' } });
    const holder = exchange(s.url, '/api/generate', { ...gen(), headers: slow(300) });
    await waitUntil(() => modelStats(s).inFlight === 1, 2000, 'holder');
    const waiter = JSON.parse((await fetchRaw(s.url, '/api/generate', gen())).body) as Record<string, number>;
    await holder.reply;
    const slotWaitMs =
      ((waiter.total_duration ?? 0) -
        (waiter.load_duration ?? 0) -
        (waiter.prompt_eval_duration ?? 0) -
        (waiter.eval_duration ?? 0)) /
      1e6;
    expect(slotWaitMs).toBeGreaterThanOrEqual(250);
    expect(slotWaitMs).toBeLessThan(300 + 250);
  });

  it('embeddings and generations on one model share its slots', async () => {
    const s = await start();
    await fetchRaw(s.url, '/api/generate', { body: { model: 'llama3.2:1b' } });
    const generation = exchange(s.url, '/api/generate', { ...gen(), headers: slow(300) });
    await waitUntil(() => modelStats(s).inFlight === 1, 2000, 'generation');
    const embed = await fetchRaw(s.url, '/api/embed', { body: { model: 'llama3.2:1b', input: 'x' } });
    expect(embed.headersAtMs).toBeGreaterThanOrEqual(200);
    expect(modelStats(s).maxInFlightSeen).toBe(1);
    await generation.reply;
  });

  it('keeps at most 3 models loaded by default', async () => {
    const models = ['m1:1b', 'm2:1b', 'm3:1b', 'm4:1b'];
    const s = await start({ models });
    for (const model of models) await fetchRaw(s.url, '/api/generate', gen(model));
    expect(models.map((m) => modelStats(s, m).loaded)).toEqual([false, true, true, true]);
  });
});

describe('the scheduler queue (only while a model loads)', () => {
  it('holds requests behind a load and answers 503 with the two-space text when full', async () => {
    const s = await start({ maxQueue: 2, loadTimeMs: 400 });
    const first = exchange(s.url, '/api/generate', gen());
    await waitUntil(() => s.stats().schedulerQueueDepth === 1, 2000, 'the load to start');
    const queued = [
      exchange(s.url, '/api/generate', gen()),
      exchange(s.url, '/api/chat', gen('llama3.2:1b', { messages: [] })),
    ];
    await waitUntil(() => s.stats().schedulerQueueDepth === 3, 2000, 'two requests queued');
    expect(modelStats(s)).toMatchObject({ queued: 3, waiting: 3, loaded: false });
    const native = await fetchRaw(s.url, '/api/generate', gen());
    expect([native.status, native.body]).toEqual([
      503,
      '{"error":"server busy, please try again.  maximum pending requests exceeded"}',
    ]);
    const openai = await fetchRaw(s.url, '/v1/chat/completions', {
      body: { model: 'llama3.2:1b', messages: [{ role: 'user', content: 'x' }] },
    });
    expect(openai.status).toBe(503);
    expect(JSON.parse(openai.body)).toEqual({
      error: {
        message: 'server busy, please try again.  maximum pending requests exceeded',
        type: 'api_error',
        param: null,
        code: null,
      },
    });
    const replies = await Promise.all([first.reply, ...queued.map((q) => q.reply)]);
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(s.stats().schedulerQueueDepth).toBe(0);
  });

  it('a load blocks requests for other models behind it (head of line)', async () => {
    const s = await start({ loadTimeMs: 200, models: ['llama3.2:1b', 'qwen2:0.5b', 'm3:1b'] });
    const a = exchange(s.url, '/api/generate', gen('llama3.2:1b'));
    await waitUntil(() => s.stats().schedulerQueueDepth === 1, 2000, 'first load');
    const b = await exchange(s.url, '/api/generate', gen('qwen2:0.5b')).reply;
    expect((await a.reply).status).toBe(200);
    const loadMs = (JSON.parse(b.body) as { load_duration: number }).load_duration / 1e6;
    expect(loadMs).toBeGreaterThanOrEqual(340);
    expect(loadMs).toBeLessThan(400 + 250);
    // Once loaded, a model's requests skip the queue, even while another model loads.
    const c = exchange(s.url, '/api/generate', gen('m3:1b'));
    await waitUntil(() => s.stats().schedulerQueueDepth === 1, 2000, 'third load');
    const again = JSON.parse((await fetchRaw(s.url, '/api/generate', gen('qwen2:0.5b'))).body) as {
      load_duration: number;
    };
    expect(again.load_duration / 1e6).toBeLessThan(50);
    expect(s.stats().schedulerQueueDepth).toBe(1);
    expect((await c.reply).status).toBe(200);
  });
});

describe('keep-alive, unloading and eviction', () => {
  it('unloads a model keepAliveMs after its last request; /api/ps shows when', async () => {
    const s = await start({ keepAliveMs: 300 });
    await fetchRaw(s.url, '/api/generate', gen());
    const ps = JSON.parse((await fetchRaw(s.url, '/api/ps')).body) as { models: { expires_at: string }[] };
    const expiresInMs = Date.parse(ps.models[0]?.expires_at ?? '') - Date.now();
    expect(expiresInMs).toBeGreaterThan(100);
    expect(expiresInMs).toBeLessThanOrEqual(300);
    expect(modelStats(s).loaded).toBe(true);
    await waitUntil(() => !modelStats(s).loaded, 1000, 'the model to unload');
    expect(JSON.parse((await fetchRaw(s.url, '/api/ps')).body)).toEqual({ models: [] });
  });

  it('a request keep_alive overrides the default; negative means forever', async () => {
    const s = await start({ keepAliveMs: 60_000 });
    await fetchRaw(s.url, '/api/generate', gen('llama3.2:1b', { keep_alive: '100ms' }));
    await waitUntil(() => !modelStats(s).loaded, 1000, 'unload after 100ms');
    await fetchRaw(s.url, '/api/generate', gen('llama3.2:1b', { keep_alive: -1 }));
    const ps = JSON.parse((await fetchRaw(s.url, '/api/ps')).body) as { models: { expires_at: string }[] };
    expect(new Date(ps.models[0]?.expires_at ?? '').getUTCFullYear()).toBeGreaterThan(2300);
  });

  it('maxLoadedModels evicts an idle model to load another', async () => {
    const s = await start({ maxLoadedModels: 1 });
    await fetchRaw(s.url, '/api/generate', gen('llama3.2:1b'));
    await fetchRaw(s.url, '/api/embed', { body: { model: 'nomic-embed-text', input: 'x' } });
    expect(modelStats(s).loaded).toBe(false);
    expect(modelStats(s, 'nomic-embed-text')).toMatchObject({ loaded: true, loads: 1 });
  });

  it('eviction waits for the in-flight request on the evicted model', async () => {
    const s = await start({ maxLoadedModels: 1 });
    const busy = exchange(s.url, '/api/generate', { ...gen(), headers: slow(300) });
    await waitUntil(() => modelStats(s).inFlight === 1, 2000, 'busy model');
    const embed = exchange(s.url, '/api/embed', { body: { model: 'nomic-embed-text', input: 'x' } });
    const [busyReply, embedReply] = await Promise.all([busy.reply, embed.reply]);
    expect([busyReply.status, embedReply.status]).toEqual([200, 200]);
    // The embedding model could only load once the generation released the other model.
    expect(embed.sentAtMs + embedReply.headersAtMs).toBeGreaterThanOrEqual(
      busy.sentAtMs + busyReply.endedAtMs - 5,
    );
    expect(modelStats(s).loaded).toBe(false);
  });

  it('a request changing num_ctx reloads the model', async () => {
    const s = await start();
    await fetchRaw(s.url, '/api/generate', gen());
    await fetchRaw(s.url, '/api/generate', gen('llama3.2:1b', { options: { num_ctx: 8192 } }));
    const ps = JSON.parse((await fetchRaw(s.url, '/api/ps')).body) as {
      models: { context_length: number }[];
    };
    expect(ps.models[0]?.context_length).toBe(8192);
    expect(modelStats(s).loads).toBe(2);
  });
});

describe('a client that goes away frees its slot or leaves the queue at once', () => {
  it('generating: the slot frees and the cancel is recorded within 100 ms of the abort', async () => {
    const s = await start();
    await fetchRaw(s.url, '/api/generate', { body: { model: 'llama3.2:1b' } });
    const victim = exchange(s.url, '/api/generate', {
      body: { model: 'llama3.2:1b', prompt: 'p' },
      headers: { 'x-sim-tokens': '1000', 'x-sim-token-interval-ms': '20' },
    });
    await victim.chunks(2);
    const next = exchange(s.url, '/api/generate', { ...gen(), headers: slow(0) });
    await waitUntil(() => modelStats(s).waiting === 1, 2000, 'a waiter');
    const abortedAt = victim.abort();
    await waitUntil(() => s.stats().cancellations.length === 1, 1000, 'the cancellation');
    const [record] = s.stats().cancellations;
    expect(record).toMatchObject({ path: '/api/generate', model: 'llama3.2:1b', phase: 'generating' });
    expect((record?.atMs ?? 0) - abortedAt).toBeLessThan(100);
    expect((await next.reply).status).toBe(200);
  });

  it('waiting for a slot: the request leaves the wait', async () => {
    const s = await start();
    await fetchRaw(s.url, '/api/generate', { body: { model: 'llama3.2:1b' } });
    const holder = exchange(s.url, '/api/generate', { ...gen(), headers: slow(400) });
    await waitUntil(() => modelStats(s).inFlight === 1, 2000, 'holder');
    const waiter = exchange(s.url, '/api/chat', {
      body: { model: 'llama3.2:1b', messages: [{ role: 'user', content: 'x' }] },
    });
    await waitUntil(() => modelStats(s).waiting === 1, 2000, 'waiter');
    const abortedAt = waiter.abort();
    await waitUntil(() => modelStats(s).waiting === 0, 1000, 'the waiter to leave');
    const [record] = s.stats().cancellations;
    expect(record).toMatchObject({ path: '/api/chat', phase: 'waiting_slot' });
    expect((record?.atMs ?? 0) - abortedAt).toBeLessThan(100);
    await holder.reply;
  });

  it('queued behind a load: the request leaves the queue and its load is abandoned', async () => {
    const s = await start({ loadTimeMs: 500 });
    const loader = exchange(s.url, '/api/generate', gen());
    await waitUntil(() => s.stats().schedulerQueueDepth === 1, 2000, 'load');
    const behind = exchange(s.url, '/api/embed', { body: { model: 'nomic-embed-text', input: 'x' } });
    await waitUntil(() => s.stats().schedulerQueueDepth === 2, 2000, 'second in queue');
    behind.abort();
    await waitUntil(() => s.stats().schedulerQueueDepth === 1, 1000, 'queue to shrink');
    const abortedAt = loader.abort();
    await waitUntil(() => s.stats().schedulerQueueDepth === 0, 1000, 'queue to empty');
    const records = s.stats().cancellations;
    expect(records.map((r) => r.phase)).toEqual(['queued', 'queued']);
    expect((records[1]?.atMs ?? 0) - abortedAt).toBeLessThan(100);
    expect(modelStats(s).loaded).toBe(false);
  });
});
