/** The slot queue made visible: per-request `x-sim-queue-ms`, cumulative wait in stats, parallelism changed at runtime. */
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from './server.ts';
import { exchange, fetchRaw, waitUntil } from './test-support.ts';
import type { SimulatorHandle, SimulatorOptions } from './types.ts';

const MODEL = 'llama3.2:1b';
const LATE_MARGIN_MS = 250;

let sim: SimulatorHandle | undefined;
async function start(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  sim = await startSimulator(options);
  await fetchRaw(sim.url, '/api/generate', { body: { model: MODEL } }); // loaded: no load time in the waits
  return sim;
}
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const streamed = (ttftMs: number, tokens = 1) => ({
  body: { model: MODEL, prompt: 'p' },
  headers: { 'x-sim-ttft-ms': String(ttftMs), 'x-sim-tokens': String(tokens) },
});
const modelStats = (s: SimulatorHandle) => s.stats().models[MODEL]!;
const queueMs = (headers: Record<string, unknown>) => Number(headers['x-sim-queue-ms']);

describe('time waiting for a slot', () => {
  it('each reply says how long it waited, and stats add the waits up', async () => {
    const s = await start({ numParallel: 1 });
    s.resetStats();
    const calls = Array.from({ length: 3 }, () => exchange(s.url, '/api/generate', streamed(200)));
    const replies = await Promise.all(calls.map((c) => c.reply));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
    const waits = replies.map((r) => queueMs(r.headers)).sort((a, b) => a - b);
    expect(waits[0]).toBeLessThan(50);
    expect(waits[1]).toBeGreaterThanOrEqual(195);
    expect(waits[1]).toBeLessThan(200 + LATE_MARGIN_MS);
    expect(waits[2]).toBeGreaterThanOrEqual(395);
    expect(waits[2]).toBeLessThan(400 + 2 * LATE_MARGIN_MS);
    const stats = modelStats(s);
    expect(stats.slotWaits).toBe(3);
    expect(stats.slotWaitMsTotal).toBeGreaterThanOrEqual(590);
    expect(Math.abs(stats.slotWaitMsTotal - waits.reduce((a, b) => a + b, 0))).toBeLessThan(5);
    expect(stats.slotWaitMsMax).toBeCloseTo(waits[2]!, -1);
    expect(s.stats().slotWaitMsTotal).toBeCloseTo(stats.slotWaitMsTotal, 5);
  });

  it('a request that finds a free slot reports about zero, streamed or not, embeddings too', async () => {
    const s = await start({ numParallel: 2 });
    const stream = await fetchRaw(s.url, '/api/chat', {
      body: { model: MODEL, messages: [{ role: 'user', content: 'hi' }] },
    });
    const whole = await fetchRaw(s.url, '/api/generate', {
      body: { model: MODEL, prompt: 'p', stream: false },
    });
    const embed = await fetchRaw(s.url, '/api/embed', {
      body: { model: 'nomic-embed-text', input: ['a', 'b'] },
    });
    const openai = await fetchRaw(s.url, '/v1/chat/completions', {
      body: { model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true },
    });
    for (const reply of [stream, whole, embed, openai]) {
      expect(reply.status).toBe(200);
      expect(queueMs(reply.headers)).toBeGreaterThanOrEqual(0);
      expect(queueMs(reply.headers)).toBeLessThan(50);
    }
  });

  it('an embedding with two inputs on a one-slot model reports the wait of its second input', async () => {
    const s = await start();
    const reply = await fetchRaw(s.url, '/api/embed', {
      body: { model: 'nomic-embed-text', input: ['a', 'b'] },
      headers: { 'x-sim-ttft-ms': '150' },
    });
    expect(queueMs(reply.headers)).toBeGreaterThanOrEqual(145);
    expect(queueMs(reply.headers)).toBeLessThan(150 + LATE_MARGIN_MS);
  });

  it('a stats reset starts the sums again', async () => {
    const s = await start({ numParallel: 1 });
    const calls = Array.from({ length: 2 }, () => exchange(s.url, '/api/generate', streamed(100)));
    await Promise.all(calls.map((c) => c.reply));
    expect(modelStats(s).slotWaitMsTotal).toBeGreaterThan(90);
    s.resetStats();
    expect(modelStats(s)).toMatchObject({ slotWaits: 0, slotWaitMsTotal: 0, slotWaitMsMax: 0 });
    expect(s.stats().slotWaitMsTotal).toBe(0);
  });

  it('no header when the request never got a slot (unknown model)', async () => {
    const s = await start();
    const reply = await fetchRaw(s.url, '/api/generate', { body: { model: 'nope', prompt: 'p' } });
    expect(reply.status).toBe(404);
    expect(reply.headers['x-sim-queue-ms']).toBeUndefined();
  });
});

describe('hidden parallelism changed at runtime', () => {
  it('fewer slots: holders keep theirs, newcomers wait until enough have ended', async () => {
    const s = await start({ numParallel: 4 });
    expect(modelStats(s).slots).toBe(4);
    const holders = Array.from({ length: 3 }, () => exchange(s.url, '/api/generate', streamed(300)));
    await waitUntil(() => modelStats(s).inFlight === 3, 2000, 'three holding slots');
    s.setNumParallel(1);
    expect(s.stats().numParallel).toBe(1);
    expect(modelStats(s)).toMatchObject({ slots: 1, inFlight: 3 });
    const late = exchange(s.url, '/api/generate', streamed(10));
    await waitUntil(() => modelStats(s).waiting === 1, 2000, 'the newcomer waiting');
    const holderReplies = await Promise.all(holders.map((h) => h.reply));
    const lastHolderEndAtMs = Math.max(...holderReplies.map((r, i) => holders[i]!.sentAtMs + r.endedAtMs));
    const reply = await late.reply;
    // It could start only once all three holders had ended.
    expect(late.sentAtMs + reply.headersAtMs).toBeGreaterThanOrEqual(lastHolderEndAtMs - 5);
    expect(queueMs(reply.headers)).toBeGreaterThanOrEqual(200);
  });

  it('GET and POST /__sim/parallel read and set it', async () => {
    const s = await start({ numParallel: 2 });
    expect(JSON.parse((await fetchRaw(s.url, '/__sim/parallel')).body)).toEqual({ numParallel: 2 });
    const set = await fetchRaw(s.url, '/__sim/parallel', { body: { numParallel: 8 } });
    expect(JSON.parse(set.body)).toEqual({ numParallel: 8 });
    expect(JSON.parse((await fetchRaw(s.url, '/__sim/parallel')).body)).toEqual({ numParallel: 8 });
    expect(modelStats(s).slots).toBe(8);
    expect(JSON.parse((await fetchRaw(s.url, '/__sim/stats')).body)).toMatchObject({ numParallel: 8 });
    const bad = await fetchRaw(s.url, '/__sim/parallel', { body: { numParallel: 1.5 } });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: { code: 'invalid_parallel' } });
  });
});
