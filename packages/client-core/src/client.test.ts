/** The high-level client against ollama-sim. */
import { getEventListeners } from 'node:events';
import { type SimulatorHandle, startSimulator } from '@lookout/ollama-sim';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createOllamaClient, normalizeHost, type OllamaClient } from './client.ts';
import { isHttpError, isStreamError, isTimeoutError } from './errors.ts';
import { recordingSink } from './testing/sink.ts';

const MODEL = 'llama3.2:1b';
const HI = [{ role: 'user', content: 'hi' }];
let sim: SimulatorHandle;
let client: OllamaClient;
const sink = recordingSink();

beforeAll(async () => {
  sim = await startSimulator({ tokensPerSec: 500 });
  client = createOllamaClient({
    host: sim.url,
    sink,
    timeouts: { firstByteTimeoutMs: 5000 },
    retry: { baseDelayMs: 10 },
  });
});
afterAll(async () => {
  await client.close();
  await sim.close();
});
beforeEach(() => {
  sim.clearFaults();
  sink.events.length = 0;
});

describe('createOllamaClient', () => {
  test('chat, not streamed by default (as the official clients)', async () => {
    const res = await client.chat({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] });
    expect(res.done).toBe(true);
    expect(res.message.role).toBe('assistant');
    expect(res.message.content.length).toBeGreaterThan(0);
    expect(res.eval_count).toBeGreaterThan(0);
    expect(sink.terminals()).toMatchObject([{ type: 'done', call: { endpoint: 'chat', streaming: false } }]);
  });

  test('chat streamed as an async iterable of frames', async () => {
    const stream = await client.chat({
      model: MODEL,
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    const frames = [];
    for await (const frame of stream) frames.push(frame);
    expect(frames.at(-1)?.done).toBe(true);
    expect(frames.slice(0, -1).every((f) => !f.done && typeof f.message.content === 'string')).toBe(true);
    expect(stream.response.status).toBe(200);
    expect(sink.of('first_token')).toHaveLength(1);
  });

  test('generate, streamed and not', async () => {
    const whole = await client.generate({ model: MODEL, prompt: 'hello' });
    expect(whole.response.length).toBeGreaterThan(0);
    const stream = await client.generate({ model: MODEL, prompt: 'hello', stream: true });
    let text = '';
    for await (const part of stream) text += part.response;
    expect(text.length).toBeGreaterThan(0);
  });

  test('embed, list, ps, show, version', async () => {
    const emb = await client.embed({ model: 'nomic-embed-text', input: ['a', 'b'] });
    expect(emb.embeddings).toHaveLength(2);
    const list = await client.list();
    expect(list.models.map((m) => m.name)).toContain(MODEL);
    const ps = await client.ps();
    expect(Array.isArray(ps.models)).toBe(true);
    const show = await client.show({ model: MODEL });
    expect(show.details.family).toBeTruthy();
    const version = await client.version();
    expect(version.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  test('pull: progress stream ending in success, or one final object', async () => {
    const stream = await client.pull({ model: 'qwen2.5:0.5b', stream: true });
    const statuses: string[] = [];
    for await (const p of stream) statuses.push(p.status);
    expect(statuses[0]).toBe('pulling manifest');
    expect(statuses.at(-1)).toBe('success');
    expect((await client.pull({ model: 'qwen2.5:0.5b' })).status).toBe('success');
  });

  test("an unknown model throws an HTTP error carrying Ollama's text", async () => {
    const error = await client.chat({ model: 'nope', messages: HI }).catch((e: unknown) => e);
    expect(isHttpError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'LOOKOUT_UPSTREAM_HTTP', status: 404 });
    expect((error as { upstreamMessage: string }).upstreamMessage).toMatch(/not found/);
    const streamError = await client
      .chat({ model: 'nope', messages: HI, stream: true })
      .catch((e: unknown) => e);
    expect(streamError).toMatchObject({ status: 404 });
  });

  test('a mid-stream error frame ends the iteration with a stream error', async () => {
    sim.setFaults([{ kind: 'error_line', afterChunks: 2, message: 'runner died' }]);
    const stream = await client.chat({ model: MODEL, messages: HI, stream: true });
    let frames = 0;
    const error = await (async () => {
      for await (const _ of stream) frames++;
    })().catch((e: unknown) => e);
    expect(frames).toBe(2);
    expect(isStreamError(error)).toBe(true);
    expect((error as Error).message).toContain('runner died');
  });

  test('timeouts per call, through CallOptions', async () => {
    const error = await client
      .chat(
        { model: MODEL, messages: HI, stream: true },
        { timeouts: { firstByteTimeoutMs: 200 }, headers: { 'x-sim-ttft-ms': '2000' } },
      )
      .catch((e: unknown) => e);
    expect(isTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'LOOKOUT_FIRST_BYTE_TIMEOUT' });
  });

  test('an AbortSignal cancels a stream; stream.abort() too; the slot frees', async () => {
    const ac = new AbortController();
    const stream = await client.chat(
      { model: MODEL, messages: HI, stream: true },
      { signal: ac.signal, headers: { 'x-sim-tokens': '500' } },
    );
    let n = 0;
    const error = await (async () => {
      for await (const _ of stream) if (++n === 3) ac.abort();
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'LOOKOUT_ABORTED' });
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);

    const stream2 = await client.chat(
      { model: MODEL, messages: HI, stream: true },
      { headers: { 'x-sim-tokens': '500' } },
    );
    let m = 0;
    const error2 = await (async () => {
      for await (const _ of stream2) if (++m === 3) stream2.abort();
    })().catch((e: unknown) => e);
    expect(error2).toMatchObject({ code: 'LOOKOUT_ABORTED' });
    await expect.poll(() => sim.stats().models[MODEL]?.inFlight, { timeout: 1000, interval: 5 }).toBe(0);
  });

  test('breaking out of a stream after the final frame is a done call', async () => {
    const stream = await client.chat({ model: MODEL, messages: HI, stream: true });
    for await (const frame of stream) if (frame.done) break;
    expect(sink.terminals()).toMatchObject([{ type: 'done' }]);
  });

  test('retries 503 busy', async () => {
    sim.setFaults([{ kind: 'http_503', remaining: 1 }]);
    const res = await client.chat({ model: MODEL, messages: HI });
    expect(res.done).toBe(true);
    expect(sink.of('retry')).toHaveLength(1);
  });

  test('a gate given as limits queues calls', async () => {
    const gated = createOllamaClient({ host: sim.url, gate: { maxConcurrent: 1, maxQueue: 0 } });
    try {
      const first = gated.chat(
        { model: MODEL, messages: HI, stream: true },
        { headers: { 'x-sim-tokens': '50' } },
      );
      const stream = await first;
      await expect(gated.version()).rejects.toMatchObject({ code: 'LOOKOUT_QUEUE_FULL' });
      stream.abort();
      expect(gated.gate.inFlight).toBe(0);
    } finally {
      await gated.close();
    }
  });
});

describe('normalizeHost', () => {
  test.each([
    [undefined, 'http://127.0.0.1:11434'],
    ['localhost', 'http://localhost:11434'],
    ['example.com:8080', 'http://example.com:8080'],
    [':11500', 'http://127.0.0.1:11500'],
    ['https://ollama.example.com', 'https://ollama.example.com'],
    ['http://10.0.0.2:11434/', 'http://10.0.0.2:11434'],
    ['http://proxy/ollama/', 'http://proxy/ollama'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeHost(input)).toBe(expected);
  });

  test('rejects other schemes', () => {
    expect(() => normalizeHost('ftp://x')).toThrow(/http\(s\) URL/);
  });
});
