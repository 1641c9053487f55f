import { describe, expect, it } from 'vitest';
import { fetchRaw, simulatorPerTest } from './test-support.ts';

const start = simulatorPerTest();

const embed = (url: string, body: object) => fetchRaw(url, '/api/embed', { body });

describe('/api/embed', () => {
  it('never streams: one object with embeddings, durations and prompt_eval_count', async () => {
    const { url } = await start();
    const reply = await embed(url, { model: 'nomic-embed-text', input: ['why is the sky blue', 'hello'] });
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = JSON.parse(reply.body) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([
      'model',
      'embeddings',
      'total_duration',
      'load_duration',
      'prompt_eval_count',
    ]);
    const vectors = body.embeddings as number[][];
    expect(vectors.map((v) => v.length)).toEqual([768, 768]);
    const norm = Math.sqrt((vectors[0] ?? []).reduce((s, v) => s + v * v, 0));
    expect(norm).toBeCloseTo(1, 3);
    expect(body.prompt_eval_count).toBe(6);
    expect(Number.isInteger(body.total_duration)).toBe(true);
  });

  it('takes a string as one input and the same text gives the same vector', async () => {
    const { url } = await start();
    const one = JSON.parse((await embed(url, { model: 'nomic-embed-text', input: 'hello' })).body) as {
      embeddings: number[][];
    };
    const two = JSON.parse((await embed(url, { model: 'nomic-embed-text', input: ['x', 'hello'] })).body) as {
      embeddings: number[][];
    };
    expect(one.embeddings).toHaveLength(1);
    expect(two.embeddings[1]).toEqual(one.embeddings[0]);
  });

  it('no input loads the model and answers an empty list', async () => {
    const s = await start();
    const reply = await embed(s.url, { model: 'nomic-embed-text' });
    expect(reply.body).toBe('{"model":"nomic-embed-text","embeddings":[]}');
    expect(s.stats().models['nomic-embed-text']?.loaded).toBe(true);
  });

  it('dimensions truncates and renormalises', async () => {
    const { url } = await start();
    const body = JSON.parse(
      (await embed(url, { model: 'nomic-embed-text', input: 'x', dimensions: 64 })).body,
    ) as {
      embeddings: number[][];
    };
    const vector = body.embeddings[0] ?? [];
    expect(vector).toHaveLength(64);
    expect(Math.sqrt(vector.reduce((s, v) => s + v * v, 0))).toBeCloseTo(1, 3);
  });

  it.each([
    [{ model: 'nope', input: 'x' }, 404, 'model "nope" not found, try pulling it first'],
    [{ input: 'x' }, 400, 'model is required'],
    [{ model: 'nomic-embed-text', input: [1, 2] }, 400, 'invalid input type'],
    [{ model: 'nomic-embed-text', input: 5 }, 400, 'invalid input type'],
    [
      { model: 'nomic-embed-text', input: 'a b c d e f', truncate: false, options: { num_ctx: 2 } },
      400,
      'input exceeds maximum context length',
    ],
  ])('%j -> %i %s', async (body, status, message) => {
    const { url } = await start();
    const reply = await embed(url, body);
    expect(reply.status).toBe(status);
    expect(JSON.parse(reply.body)).toEqual({ error: message });
  });
});

describe('/api/embeddings (legacy)', () => {
  it('answers {"embedding":[...]} and an empty prompt only loads', async () => {
    const { url } = await start();
    const reply = await fetchRaw(url, '/api/embeddings', {
      body: { model: 'nomic-embed-text', prompt: 'hello' },
    });
    const body = JSON.parse(reply.body) as Record<string, number[]>;
    expect(Object.keys(body)).toEqual(['embedding']);
    expect(body.embedding).toHaveLength(768);
    const empty = await fetchRaw(url, '/api/embeddings', { body: { model: 'nomic-embed-text' } });
    expect(empty.body).toBe('{"embedding":[]}');
    const missing = await fetchRaw(url, '/api/embeddings', { body: { model: 'nope', prompt: 'x' } });
    expect([missing.status, JSON.parse(missing.body).error]).toEqual([
      404,
      'model "nope" not found, try pulling it first',
    ]);
  });
});
