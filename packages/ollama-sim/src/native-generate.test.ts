import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from './server.ts';
import { exchange, fetchRaw, ndjson } from './test-support.ts';
import type { SimulatorHandle, SimulatorOptions } from './types.ts';

const sims: SimulatorHandle[] = [];
async function start(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const sim = await startSimulator(options);
  sims.push(sim);
  return sim;
}
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

const FINAL_GENERATE_KEYS = [
  'model',
  'created_at',
  'response',
  'done',
  'done_reason',
  'context',
  'total_duration',
  'load_duration',
  'prompt_eval_count',
  'prompt_eval_duration',
  'eval_count',
  'eval_duration',
];

describe('/api/generate streaming', () => {
  it('streams NDJSON by default: token lines, then a final line with done_reason, context and ns metrics', async () => {
    const { url } = await start({ tokensPerResponse: 5 });
    const reply = await fetchRaw(url, '/api/generate', {
      body: { model: 'LLaMA3.2:1b', prompt: 'Why is the sky blue?' },
    });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/x-ndjson');
    expect(reply.headers['transfer-encoding']).toBe('chunked');
    const lines = ndjson(reply.body);
    expect(lines).toHaveLength(6);
    for (const line of lines.slice(0, 5)) {
      expect(Object.keys(line)).toEqual(['model', 'created_at', 'response', 'done']);
      expect(line).toMatchObject({ model: 'LLaMA3.2:1b', done: false });
      expect(line.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,9}Z$/);
    }
    const final = lines[5] as Record<string, unknown>;
    expect(Object.keys(final)).toEqual(FINAL_GENERATE_KEYS);
    expect(final).toMatchObject({ response: '', done: true, done_reason: 'stop', eval_count: 5 });
    for (const key of ['total_duration', 'load_duration', 'prompt_eval_duration', 'eval_duration']) {
      expect(Number.isInteger(final[key]), key).toBe(true);
    }
    expect((final.context as number[]).length).toBe((final.prompt_eval_count as number) + 5);
  });

  it('stream:false answers one application/json object holding the same text', async () => {
    const { url } = await start();
    const body = { model: 'llama3.2:1b', prompt: 'same prompt' };
    const streamed = ndjson((await fetchRaw(url, '/api/generate', { body })).body);
    const whole = await fetchRaw(url, '/api/generate', { body: { ...body, stream: false } });
    expect(whole.headers['content-type']).toBe('application/json; charset=utf-8');
    const parsed = JSON.parse(whole.body) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(FINAL_GENERATE_KEYS);
    expect(parsed.response).toBe(streamed.map((l) => l.response).join(''));
    expect(parsed.done).toBe(true);
  });

  it('num_predict caps the answer with done_reason "length", and caps x-sim-tokens too', async () => {
    const { url } = await start();
    const capped = JSON.parse(
      (
        await fetchRaw(url, '/api/generate', {
          body: { model: 'llama3.2:1b', prompt: 'p', stream: false, options: { num_predict: 3 } },
          headers: { 'x-sim-tokens': '40' },
        })
      ).body,
    ) as Record<string, unknown>;
    expect(capped).toMatchObject({ done_reason: 'length', eval_count: 3 });
    const uncapped = JSON.parse(
      (
        await fetchRaw(url, '/api/generate', {
          body: { model: 'llama3.2:1b', prompt: 'p', stream: false, options: { num_predict: 50 } },
          headers: { 'x-sim-tokens': '4' },
        })
      ).body,
    ) as Record<string, unknown>;
    expect(uncapped).toMatchObject({ done_reason: 'stop', eval_count: 4 });
    expect(String(capped.response)).toBe(String(uncapped.response).split(' ').slice(0, 3).join(' '));
  });

  it('omits zero metrics (no tokens -> no eval_count)', async () => {
    const { url } = await start();
    const reply = await fetchRaw(url, '/api/generate', {
      body: { model: 'llama3.2:1b', prompt: 'p', stream: false },
      headers: { 'x-sim-tokens': '0' },
    });
    const final = JSON.parse(reply.body) as Record<string, unknown>;
    expect(final.response).toBe('');
    expect('eval_count' in final).toBe(false);
    expect('eval_duration' in final).toBe(false);
  });
});

describe('/api/chat', () => {
  it('streams assistant messages; the final line has no context', async () => {
    const { url } = await start({ tokensPerResponse: 3 });
    const reply = await fetchRaw(url, '/api/chat', {
      body: { model: 'llama3.2:1b', messages: [{ role: 'user', content: 'hello' }] },
    });
    const lines = ndjson(reply.body);
    expect(lines).toHaveLength(4);
    expect(Object.keys(lines[0] as object)).toEqual(['model', 'created_at', 'message', 'done']);
    expect((lines[0] as { message: unknown }).message).toEqual({
      role: 'assistant',
      content: expect.any(String),
    });
    expect(Object.keys(lines[3] as object)).toEqual([
      'model',
      'created_at',
      'message',
      'done',
      'done_reason',
      'total_duration',
      'load_duration',
      'prompt_eval_count',
      'prompt_eval_duration',
      'eval_count',
      'eval_duration',
    ]);
    expect(lines[3]).toMatchObject({
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: 'stop',
    });
  });
});

describe('load and unload shortcuts', () => {
  it('an empty prompt loads the model (done_reason "load"); keep_alive 0 unloads it (done_reason "unload")', async () => {
    const sim = await start();
    const load = JSON.parse(
      (await fetchRaw(sim.url, '/api/generate', { body: { model: 'llama3.2:1b' } })).body,
    );
    expect(load).toMatchObject({ model: 'llama3.2:1b', response: '', done: true, done_reason: 'load' });
    expect(sim.stats().models['llama3.2:1b']?.loaded).toBe(true);
    const unload = JSON.parse(
      (await fetchRaw(sim.url, '/api/generate', { body: { model: 'llama3.2:1b', keep_alive: 0 } })).body,
    );
    expect(unload).toMatchObject({ done: true, done_reason: 'unload' });
    expect(sim.stats().models['llama3.2:1b']?.loaded).toBe(false);
  });

  it('chat with messages: [] loads; with keep_alive 0 unloads', async () => {
    const sim = await start();
    const load = JSON.parse(
      (await fetchRaw(sim.url, '/api/chat', { body: { model: 'llama3.2:1b', messages: [] } })).body,
    );
    expect(load).toMatchObject({
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: 'load',
    });
    const unload = JSON.parse(
      (await fetchRaw(sim.url, '/api/chat', { body: { model: 'llama3.2:1b', messages: [], keep_alive: 0 } }))
        .body,
    );
    expect(unload.done_reason).toBe('unload');
    expect(sim.stats().models['llama3.2:1b']?.loaded).toBe(false);
  });
});

describe('timing: headers come with the first token, or with the whole answer', () => {
  it('a stream sends headers at TTFT and one chunk per token; stream:false only when done', async () => {
    const { url } = await start();
    const headers = { 'x-sim-ttft-ms': '300', 'x-sim-tokens': '5', 'x-sim-token-interval-ms': '60' };
    const streamed = await fetchRaw(url, '/api/generate', {
      body: { model: 'llama3.2:1b', prompt: 'p' },
      headers,
    });
    expect(streamed.headersAtMs).toBeGreaterThanOrEqual(290);
    expect(streamed.headersAtMs).toBeLessThan(300 + 250);
    expect(streamed.chunks.length).toBeGreaterThanOrEqual(5);
    const gaps = streamed.chunks
      .slice(1, 5)
      .map((c, i) => c.atMs - (streamed.chunks[i] as { atMs: number }).atMs);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(40);

    const whole = await fetchRaw(url, '/api/generate', {
      body: { model: 'llama3.2:1b', prompt: 'p', stream: false },
      headers,
    });
    // 300 ms to the first token, then 4 more tokens 60 ms apart.
    expect(whole.headersAtMs).toBeGreaterThanOrEqual(530);
    expect(whole.headersAtMs).toBeLessThan(540 + 250);
  });

  it('durations in the final chunk match the real timings', async () => {
    const { url } = await start({ tokensPerSec: 50, loadTimeMs: 150 });
    const reply = await fetchRaw(url, '/api/generate', {
      body: { model: 'llama3.2:1b', prompt: 'p', stream: false },
      headers: { 'x-sim-tokens': '10' },
    });
    const m = JSON.parse(reply.body) as Record<string, number>;
    const ms = (ns: number | undefined) => (ns ?? 0) / 1e6;
    expect(ms(m.eval_duration)).toBeGreaterThanOrEqual(195);
    expect(ms(m.eval_duration)).toBeLessThan(200 + 250);
    expect(ms(m.load_duration)).toBeGreaterThanOrEqual(145);
    expect(ms(m.load_duration)).toBeLessThan(150 + 250);
    expect(ms(m.total_duration)).toBeGreaterThanOrEqual(
      ms(m.load_duration) + ms(m.prompt_eval_duration) + ms(m.eval_duration),
    );
    expect(ms(m.total_duration)).toBeLessThanOrEqual(reply.headersAtMs + 1);
    const tokensPerSec = ((m.eval_count ?? 0) / (m.eval_duration ?? 1)) * 1e9;
    expect(tokensPerSec).toBeGreaterThan(30);
    expect(tokensPerSec).toBeLessThanOrEqual(51);
  });

  it('rejects a bad override header with a message naming it', async () => {
    const { url } = await start();
    const reply = await fetchRaw(url, '/api/generate', {
      body: { model: 'llama3.2:1b', prompt: 'p' },
      headers: { 'x-sim-tokens': 'many' },
    });
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toEqual({ error: 'x-sim-tokens must be an integer >= 0, got "many"' });
  });
});

describe('errors before any work', () => {
  it.each([
    ['/api/generate', '', 400, '{"error":"missing request body"}'],
    ['/api/generate', '{"model":', 400, '{"error":"unexpected EOF"}'],
    ['/api/generate', '{"model":"nope","prompt":"x"}', 404, '{"error":"model \'nope\' not found"}'],
    ['/api/generate', '{"prompt":"x"}', 404, '{"error":"model \'\' not found"}'],
    ['/api/chat', '{"model":"nope","messages":[]}', 404, '{"error":"model \'nope\' not found"}'],
    ['/api/chat', '{"messages":[]}', 400, '{"error":"model is required"}'],
    [
      '/api/generate',
      '{"model":"nomic-embed-text","prompt":"x"}',
      400,
      '{"error":"\\"nomic-embed-text\\" does not support generate"}',
    ],
    [
      '/api/chat',
      '{"model":"nomic-embed-text","messages":[{"role":"user","content":"x"}]}',
      400,
      '{"error":"\\"nomic-embed-text\\" does not support chat"}',
    ],
    [
      '/api/chat',
      '{"model":"llama3.2:1b","think":true,"messages":[]}',
      400,
      '{"error":"\\"llama3.2:1b\\" does not support thinking"}',
    ],
  ])('%s %s -> %i %s', async (path, body, status, expected) => {
    const { url } = await start();
    const reply = await fetchRaw(url, path, { method: 'POST', body });
    expect(reply.status).toBe(status);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(reply.body).toBe(expected);
  });
});

describe('determinism', () => {
  it('the same seed, prompt and model give the same text; another seed gives another', async () => {
    const a = await start({ seed: 7 });
    const b = await start({ seed: 7 });
    const c = await start({ seed: 8 });
    const text = async (url: string, prompt = 'tell me') =>
      (
        JSON.parse(
          (await fetchRaw(url, '/api/generate', { body: { model: 'llama3.2:1b', prompt, stream: false } }))
            .body,
        ) as {
          response: string;
        }
      ).response;
    expect(await text(a.url)).toBe(await text(b.url));
    expect(await text(a.url)).not.toBe(await text(c.url));
    expect(await text(a.url)).not.toBe(await text(a.url, 'another prompt'));
  });

  it('with deterministicTimestamps two streams are byte-identical', async () => {
    const options = { seed: 3, deterministicTimestamps: true, tokensPerSec: 200, loadTimeMs: 20 };
    const a = await start(options);
    const b = await start(options);
    const take = (url: string) =>
      exchange(url, '/api/chat', {
        body: { model: 'llama3.2:1b', messages: [{ role: 'user', content: 'hi' }] },
      }).reply;
    const [first, second] = await Promise.all([take(a.url), take(b.url)]);
    expect(first.body).toBe(second.body);
    const final = ndjson(first.body).at(-1) as Record<string, unknown>;
    expect(final.created_at).toBe('2025-01-01T00:00:00Z');
    // 12 tokens at 5 ms each, 20 ms load: durations come from the rates, not the clock.
    expect(final.eval_duration).toBe(60_000_000);
    expect(final.load_duration).toBe(20_000_000);
  });
});
