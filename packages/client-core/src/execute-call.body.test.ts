/** The body: bytes pass untouched, frames are observed, and the end decides the one terminal event. */
import diagnostics from 'node:diagnostics_channel';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, test } from 'vitest';
import { useCallSuite } from './testing/call-suite.ts';
import { chatFrame, finalFrame } from './testing/harness.ts';
import { delay, readBody } from './testing/raw-server.ts';

const { h, server } = useCallSuite();

describe('streams', () => {
  test('bytes reach the caller exactly as sent, with Host set to the target and hop-by-hop headers dropped', async () => {
    const written: Buffer[] = [];
    let seen: { headers: IncomingHttpHeaders; body: string } | undefined;
    const s = await server(async (req, res) => {
      seen = { headers: req.headers, body: await readBody(req) };
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'x-extra': 'yes' });
      const text = `${chatFrame('héllo')}${chatFrame('wörld')}${finalFrame(2)}`;
      const bytes = Buffer.from(text);
      // Cut the frames at odd places so lines straddle chunks.
      const f1 = Buffer.byteLength(chatFrame('héllo'));
      for (const [a, b] of [
        [0, 7],
        [7, f1 - 3],
        [f1 - 3, f1 + 5],
        [f1 + 5, bytes.length],
      ] as const) {
        written.push(bytes.subarray(a, b));
        res.write(bytes.subarray(a, b));
        await delay(15);
      }
      res.end();
    });
    const res = await h.run(s.url, {
      headers: {
        host: 'client.example',
        connection: 'keep-alive, x-hop',
        'x-hop': '1',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        'content-type': 'application/json',
        'user-agent': 'ollama-js/0.6.4',
      },
      body: '{"model":"m","messages":[{"role":"user","content":"hi"}]}',
    });
    expect(res.status).toBe(200);
    expect(res.headers['x-extra']).toBe('yes');
    expect(res.framing).toBe('ndjson');
    const { bytes } = await h.drain(res);
    expect(bytes.equals(Buffer.concat(written))).toBe(true);
    expect(seen?.headers.host).toBe(`127.0.0.1:${s.port}`);
    expect(seen?.headers['x-hop']).toBeUndefined();
    expect(seen?.headers['keep-alive']).toBeUndefined();
    expect(seen?.headers['user-agent']).toBe('ollama-js/0.6.4');
    expect(seen?.body).toBe('{"model":"m","messages":[{"role":"user","content":"hi"}]}');
    const types = h.sink.types();
    // The first two chunks complete no frame; the third completes the first one.
    expect(types.slice(0, 6)).toEqual(['dispatched', 'headers', 'chunk', 'chunk', 'first_token', 'chunk']);
    expect(types.at(-1)).toBe('done');
    const chunks = h.sink.of('chunk');
    expect(chunks.reduce((n, c) => n + c.bytes, 0)).toBe(bytes.length);
    expect(chunks.reduce((n, c) => n + c.tokens, 0)).toBe(2);
    expect(h.sink.of('done')[0]).toMatchObject({
      status: 200,
      attempts: 1,
      metrics: { evalCount: 2, totalDurationNs: 1_000_000, evalDurationNs: 500_000, doneReason: 'stop' },
    });
    const stamps = h.sink.events.map((e) => e.atMs);
    expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
  });

  test('the chunks handed over are the very Buffers undici produced (no copy, no re-encoding)', async () => {
    const s = await server(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      for (let i = 0; i < 5; i++) {
        res.write(chatFrame(`t${i}`));
        await delay(10);
      }
      res.end(finalFrame());
    });
    const fromUndici: unknown[] = [];
    const onChunk = (message: unknown): void => {
      fromUndici.push((message as { chunk: unknown }).chunk);
    };
    diagnostics.subscribe('undici:request:bodyChunkReceived', onChunk);
    try {
      const res = await h.run(s.url);
      const handed: Buffer[] = [];
      for await (const chunk of res.body) handed.push(chunk);
      expect(handed.length).toBeGreaterThan(1);
      expect(handed).toHaveLength(fromUndici.length);
      for (const [i, chunk] of handed.entries()) expect(chunk).toBe(fromUndici[i]);
    } finally {
      diagnostics.unsubscribe('undici:request:bodyChunkReceived', onChunk);
    }
  });

  test('keep-alive: sequential calls to a target reuse one connection', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.end(chatFrame('a') + finalFrame());
    });
    // undici hands a socket back to the pool one event-loop turn after a response ends.
    for (let i = 0; i < 5; i++) {
      await h.drain(await h.run(s.url));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(s.connections).toBe(1);
    // Back to back, a call may open a second socket; both are then reused.
    for (let i = 0; i < 10; i++) await h.drain(await h.run(s.url));
    expect(s.connections).toBeLessThanOrEqual(2);
    expect(h.sink.of('done')).toHaveLength(15);
  });

  test('an upstream {"error"} frame passes through; the body ends as the upstream ended it; the call fails', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(chatFrame('a'));
      res.end('{"error":"llama runner process has terminated: exit status 2"}\n');
    });
    const res = await h.run(s.url);
    const { bytes, error } = await h.drain(res);
    expect(error).toBeUndefined();
    expect(bytes.toString()).toBe(
      `${chatFrame('a')}{"error":"llama runner process has terminated: exit status 2"}\n`,
    );
    expect(res.failure).toMatchObject({ code: 'LOOKOUT_STREAM', reason: 'error_frame' });
    expect(h.sink.of('failed')[0]).toMatchObject({
      outcome: 'upstream_error',
      code: 'LOOKOUT_STREAM',
      afterFirstByte: true,
    });
    expect(h.sink.of('failed')[0]?.message).toContain('llama runner process has terminated');
    expect((await res.settled).type).toBe('failed');
  });

  test('a stream that ends without its final frame throws a stream error', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.end(chatFrame('a'));
    });
    const res = await h.run(s.url);
    const { error } = await h.drain(res);
    expect(error).toMatchObject({ code: 'LOOKOUT_STREAM', reason: 'missing_done' });
    expect(h.sink.of('failed')[0]?.outcome).toBe('upstream_error');
  });

  test('a malformed line: its chunk is still handed over, then the call fails and the read throws', async () => {
    const s = await server(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(chatFrame('a'));
      await delay(20);
      res.write('{"model":"m","message":{"con\n');
      await delay(20);
      res.end(finalFrame());
    });
    const res = await h.run(s.url);
    const { error, bytes } = await h.drain(res);
    expect(bytes.toString()).toBe(`${chatFrame('a')}{"model":"m","message":{"con\n`);
    expect(error).toMatchObject({ code: 'LOOKOUT_STREAM', reason: 'malformed_frame' });
  });

  test('SSE (/v1) streams: content chunks, usage metrics, [DONE]', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (content: string, finish: string | null) =>
        `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant', content }, finish_reason: finish }] })}\n\n`;
      res.write(chunk('a', null));
      res.write(chunk('b', null));
      res.write(chunk('', 'stop'));
      res.write(
        `data: ${JSON.stringify({ id: 'chatcmpl-1', choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } })}\n\n`,
      );
      res.end('data: [DONE]\n\n');
    });
    const res = await h.run(s.url, {
      path: '/v1/chat/completions',
      body: { model: 'm', messages: [], stream: true, stream_options: { include_usage: true } },
    });
    expect(res.framing).toBe('sse');
    await h.drain(res);
    expect(h.sink.of('first_token')).toHaveLength(1);
    expect(h.sink.of('done')[0]?.metrics).toEqual({ doneReason: 'stop', promptEvalCount: 3, evalCount: 2 });
  });
});

describe('error statuses are handed through', () => {
  test('404 model not found: bytes to the caller, upstream_error with Ollama text, no retry', async () => {
    const s = await server((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{"error":"model \'nope\' not found"}');
    });
    const res = await h.run(s.url, { retry: { maxRetries: 2 } });
    expect(res.status).toBe(404);
    const { bytes } = await h.drain(res);
    expect(bytes.toString()).toBe('{"error":"model \'nope\' not found"}');
    expect(res.failure).toMatchObject({
      code: 'LOOKOUT_UPSTREAM_HTTP',
      status: 404,
      upstreamMessage: "model 'nope' not found",
    });
    expect(h.sink.of('failed')[0]).toMatchObject({ outcome: 'upstream_error', status: 404 });
    expect(h.sink.of('first_token')).toHaveLength(0);
  });

  test('400 counts as bad_request', async () => {
    const s = await server((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{"error":"missing request body"}');
    });
    const res = await h.run(s.url);
    await h.drain(res);
    expect(h.sink.of('failed')[0]).toMatchObject({
      outcome: 'bad_request',
      code: 'LOOKOUT_BAD_REQUEST',
      status: 400,
    });
  });

  test('a non-streamed answer: done with metrics read from its tail', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(
        JSON.stringify({
          model: 'e',
          embeddings: [[0.1, 0.2]],
          total_duration: 42,
          load_duration: 2,
          prompt_eval_count: 7,
        }),
      );
    });
    const res = await h.run(s.url, { path: '/api/embed', body: { model: 'e', input: 'x' } });
    expect(res.framing).toBe('single');
    await h.drain(res);
    expect(h.sink.of('first_token')).toHaveLength(0);
    expect(h.sink.of('done')[0]?.metrics).toEqual({
      totalDurationNs: 42,
      loadDurationNs: 2,
      promptEvalCount: 7,
    });
  });

  test('GET without a body', async () => {
    const s = await server((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ version: '0.12.0', method: req.method }));
    });
    const res = await h.run(s.url, { method: 'GET', path: '/api/version' });
    const { bytes } = await h.drain(res);
    expect(JSON.parse(bytes.toString())).toEqual({ version: '0.12.0', method: 'GET' });
  });

  test('a target URL with a path prefix keeps it', async () => {
    let path = '';
    const s = await server((req, res) => {
      path = req.url ?? '';
      res.end('{}');
    });
    const res = await h.run(`${s.url}/ollama/`, { method: 'GET', path: '/api/tags?x=1' });
    await h.drain(res);
    expect(path).toBe('/ollama/api/tags?x=1');
  });
});
