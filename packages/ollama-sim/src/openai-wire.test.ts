import { describe, expect, it } from 'vitest';
import { fetchRaw, simulatorPerTest, sseData } from './test-support.ts';

const start = simulatorPerTest();

const messages = [{ role: 'user', content: 'hello' }];

describe('/v1/chat/completions on the wire', () => {
  it('does not stream by default: one application/json object ending in a newline', async () => {
    const { url } = await start({ tokensPerResponse: 3 });
    const reply = await fetchRaw(url, '/v1/chat/completions', { body: { model: 'llama3.2:1b', messages } });
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.body.endsWith('}\n')).toBe(true);
    const body = JSON.parse(reply.body) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([
      'id',
      'object',
      'created',
      'model',
      'system_fingerprint',
      'choices',
      'usage',
    ]);
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'llama3.2:1b',
      system_fingerprint: 'fp_ollama',
      choices: [{ index: 0, message: { role: 'assistant' }, finish_reason: 'stop' }],
      usage: { completion_tokens: 3 },
    });
  });

  it('streams SSE chunks, a usage chunk with choices [] when asked, then [DONE]', async () => {
    const { url } = await start({ tokensPerResponse: 2 });
    const reply = await fetchRaw(url, '/v1/chat/completions', {
      body: { model: 'llama3.2:1b', messages, stream: true, stream_options: { include_usage: true } },
    });
    expect(reply.headers['content-type']).toBe('text/event-stream');
    expect(reply.body.endsWith('data: [DONE]\n\n')).toBe(true);
    const events = sseData(reply.body);
    expect(events).toHaveLength(5);
    const chunks = events.slice(0, 4).map((e) => JSON.parse(e) as Record<string, unknown>);
    expect(Object.keys(chunks[0] as object)).toEqual([
      'id',
      'object',
      'created',
      'model',
      'system_fingerprint',
      'choices',
    ]);
    expect(chunks[0]).toMatchObject({
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: null }],
    });
    expect(chunks[2]).toMatchObject({ choices: [{ delta: { content: '' }, finish_reason: 'stop' }] });
    expect(chunks[3]).toMatchObject({ choices: [], usage: { completion_tokens: 2 } });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
  });

  it('without include_usage there is no usage chunk', async () => {
    const { url } = await start({ tokensPerResponse: 2 });
    const reply = await fetchRaw(url, '/v1/chat/completions', {
      body: { model: 'llama3.2:1b', messages, stream: true },
    });
    const events = sseData(reply.body);
    expect(events).toHaveLength(4);
    expect(events.slice(0, 3).every((e) => !('usage' in JSON.parse(e)))).toBe(true);
  });

  it.each([
    ['', 400, 'EOF', 'invalid_request_error', 'application/json; charset=utf-8'],
    [
      '{"model":"llama3.2:1b","messages":[]}',
      400,
      "[] is too short - 'messages'",
      'invalid_request_error',
      'application/json; charset=utf-8',
    ],
    [
      '{"model":"nope","messages":[{"role":"user","content":"x"}]}',
      404,
      "model 'nope' not found",
      'not_found_error',
      'application/json',
    ],
    [
      '{"model":"nomic-embed-text","messages":[{"role":"user","content":"x"}]}',
      400,
      '"nomic-embed-text" does not support chat',
      'invalid_request_error',
      'application/json',
    ],
  ])('%s -> %i %s', async (body, status, message, type, contentType) => {
    const { url } = await start();
    const reply = await fetchRaw(url, '/v1/chat/completions', { method: 'POST', body });
    expect([reply.status, reply.headers['content-type']]).toEqual([status, contentType]);
    expect(JSON.parse(reply.body)).toEqual({ error: { message, type, param: null, code: null } });
  });
});

describe('/v1/completions on the wire', () => {
  it('streams text_completion chunks; include_usage adds zero usage to each and a final usage chunk', async () => {
    const { url } = await start({ tokensPerResponse: 2 });
    const reply = await fetchRaw(url, '/v1/completions', {
      body: { model: 'llama3.2:1b', prompt: 'once', stream: true, stream_options: { include_usage: true } },
    });
    const events = sseData(reply.body);
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as Record<string, unknown>);
    expect(Object.keys(chunks[0] as object)).toEqual([
      'id',
      'object',
      'created',
      'choices',
      'model',
      'system_fingerprint',
      'usage',
    ]);
    expect(chunks[0]).toMatchObject({
      object: 'text_completion',
      usage: { prompt_tokens: 0, total_tokens: 0 },
    });
    expect(String(chunks[0]?.id)).toMatch(/^cmpl-\d+$/);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 2 } });
  });
});

describe('/v1/embeddings and /v1/models on the wire', () => {
  it('embeddings: a list object, float by default, base64 when asked', async () => {
    const { url } = await start();
    const reply = await fetchRaw(url, '/v1/embeddings', {
      body: { model: 'nomic-embed-text', input: ['a', 'b'] },
    });
    const body = JSON.parse(reply.body) as {
      object: string;
      data: { object: string; embedding: number[]; index: number }[];
    };
    expect(Object.keys(body)).toEqual(['object', 'data', 'model', 'usage']);
    expect(body.data.map((d) => [d.object, d.index, d.embedding.length])).toEqual([
      ['embedding', 0, 768],
      ['embedding', 1, 768],
    ]);
    const b64 = JSON.parse(
      (
        await fetchRaw(url, '/v1/embeddings', {
          body: { model: 'nomic-embed-text', input: 'a', encoding_format: 'base64' },
        })
      ).body,
    ) as { data: { embedding: string }[] };
    const floats = new Float32Array(Buffer.from(b64.data[0]?.embedding ?? '', 'base64').buffer.slice(0));
    expect(Array.from(floats)).toEqual(body.data[0]?.embedding.map((v) => Math.fround(v)));
    const bad = await fetchRaw(url, '/v1/embeddings', {
      body: { model: 'nomic-embed-text', input: 'a', encoding_format: 'hex' },
    });
    expect(JSON.parse(bad.body).error.message).toBe(
      "Invalid value for 'encoding_format' = hex. Supported values: ['float', 'base64'].",
    );
    const empty = await fetchRaw(url, '/v1/embeddings', { body: { model: 'nomic-embed-text', input: [] } });
    expect([empty.status, JSON.parse(empty.body).error.message]).toEqual([400, 'invalid input']);
  });

  it('models: list and retrieve, 404 for an unknown model', async () => {
    const { url } = await start();
    const list = JSON.parse((await fetchRaw(url, '/v1/models')).body) as {
      object: string;
      data: Record<string, unknown>[];
    };
    expect(list.object).toBe('list');
    expect(list.data[0]).toEqual({
      id: 'llama3.2:1b',
      object: 'model',
      created: 1735689600,
      owned_by: 'library',
    });
    const one = await fetchRaw(url, '/v1/models/nomic-embed-text');
    expect(JSON.parse(one.body)).toMatchObject({ id: 'nomic-embed-text', object: 'model' });
    const missing = await fetchRaw(url, '/v1/models/nope');
    expect([missing.status, JSON.parse(missing.body).error.type]).toEqual([404, 'not_found_error']);
  });
});
