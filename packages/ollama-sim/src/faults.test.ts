import { describe, expect, it } from 'vitest';
import { exchange, fetchRaw, ndjson, simulatorPerTest, sseData, waitUntil } from './test-support.ts';
import type { FaultSpec } from './types.ts';

const start = simulatorPerTest();

const streamBody = { model: 'llama3.2:1b', prompt: 'p' };
const sleepMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const errorCode = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'no error';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  }
};

describe('refuse', () => {
  it('stops listening and cuts open connections until cleared, then serves on the same port', async () => {
    const s = await start();
    const open = exchange(s.url, '/api/generate', { body: streamBody, headers: { 'x-sim-ttft-ms': '5000' } });
    await waitUntil(() => s.stats().models['llama3.2:1b']?.inFlight === 1, 2000, 'an open request');
    s.setFaults([{ kind: 'refuse' }]);
    expect(await errorCode(open.reply)).toBe('ECONNRESET');
    expect(await errorCode(fetchRaw(s.url, '/api/version'))).toBe('ECONNREFUSED');
    s.clearFaults();
    const reply = await fetchRaw(s.url, '/api/version');
    expect(reply.status).toBe(200);
  });

  it('with `remaining`, resets that many connections, then clears itself', async () => {
    const s = await start({ faults: [{ kind: 'refuse', remaining: 2 }] });
    expect(await errorCode(fetchRaw(s.url, '/api/version'))).toBe('ECONNRESET');
    expect(await errorCode(fetchRaw(s.url, '/api/version'))).toBe('ECONNRESET');
    expect((await fetchRaw(s.url, '/api/version')).status).toBe(200);
    expect((await fetchRaw(s.url, '/__sim/faults')).body).toBe('{"faults":[]}');
  });

  it('for one model, resets only the connections asking for it', async () => {
    const s = await start({ faults: [{ kind: 'refuse', model: 'nomic-embed-text' }] });
    const embed = fetchRaw(s.url, '/api/embed', { body: { model: 'nomic-embed-text', input: 'x' } });
    expect(await errorCode(embed)).toBe('ECONNRESET');
    expect((await fetchRaw(s.url, '/api/generate', { body: { ...streamBody, stream: false } })).status).toBe(
      200,
    );
  });
});

describe('hang', () => {
  it('accepts and never answers any request; the client leaving is recorded', async () => {
    const s = await start({ faults: [{ kind: 'hang' }] });
    const tags = exchange(s.url, '/api/tags');
    const outcome = await Promise.race([
      tags.headers.then(() => 'answered'),
      sleepMs(300).then(() => 'silent'),
    ]);
    expect(outcome).toBe('silent');
    const abortedAt = tags.abort();
    await waitUntil(() => s.stats().cancellations.length === 1, 1000, 'the cancellation');
    const [record] = s.stats().cancellations;
    expect(record).toMatchObject({ path: '/api/tags', model: undefined, phase: 'hung' });
    expect((record?.atMs ?? 0) - abortedAt).toBeLessThan(100);
  });
});

describe('stall', () => {
  it('sends afterChunks lines, then nothing until the client leaves', async () => {
    const s = await start({ faults: [{ kind: 'stall', afterChunks: 2 }] });
    const call = exchange(s.url, '/api/generate', { body: streamBody });
    await call.chunks(1);
    await sleepMs(300);
    const abortedAt = call.abort();
    await waitUntil(() => s.stats().cancellations.length === 1, 1000, 'the cancellation');
    expect(s.stats().cancellations[0]).toMatchObject({ phase: 'generating' });
    expect((s.stats().cancellations[0]?.atMs ?? 0) - abortedAt).toBeLessThan(100);
    expect(s.stats().models['llama3.2:1b']?.inFlight).toBe(0);
    const received = (await call.headers).status;
    expect(received).toBe(200);
  });

  it('counts lines exactly', async () => {
    const s = await start({ faults: [{ kind: 'stall', afterChunks: 3 }], tokensPerResponse: 10 });
    const call = exchange(s.url, '/api/chat', {
      body: { model: 'llama3.2:1b', messages: [{ role: 'user', content: 'x' }] },
    });
    await call.chunks(1);
    await sleepMs(250);
    expect(ndjson(call.received())).toHaveLength(3);
    call.abort();
  });

  it('with afterChunks 0 on a non-streamed call, no headers ever come', async () => {
    const s = await start({ faults: [{ kind: 'stall', afterChunks: 0 }] });
    const call = exchange(s.url, '/api/generate', { body: { ...streamBody, stream: false } });
    const outcome = await Promise.race([
      call.headers.then(() => 'headers'),
      sleepMs(300).then(() => 'silent'),
    ]);
    expect(outcome).toBe('silent');
    call.abort();
  });
});

describe('reset', () => {
  it('resets the socket after N chunks; that is not a cancellation', async () => {
    const s = await start({ faults: [{ kind: 'reset', afterChunks: 3 }] });
    const call = exchange(s.url, '/api/generate', { body: streamBody });
    expect(await errorCode(call.reply)).toBe('ECONNRESET');
    await call.chunks(1);
    expect(s.stats().cancellations).toEqual([]);
    await waitUntil(() => s.stats().models['llama3.2:1b']?.inFlight === 0, 1000, 'slot freed');
  });
});

describe('http_500 and http_503', () => {
  it('http_500: a runner crash, native and OpenAI spelling, message overridable', async () => {
    const s = await start({ faults: [{ kind: 'http_500' }] });
    const native = await fetchRaw(s.url, '/api/generate', { body: { ...streamBody, stream: false } });
    expect([native.status, native.body]).toEqual([
      500,
      '{"error":"llama runner process has terminated: exit status 2"}',
    ]);
    s.setFaults([{ kind: 'http_500', message: 'boom' }]);
    const openai = await fetchRaw(s.url, '/v1/chat/completions', {
      body: { model: 'llama3.2:1b', messages: [{ role: 'user', content: 'x' }] },
    });
    expect(openai.status).toBe(500);
    expect(JSON.parse(openai.body)).toEqual({
      error: { message: 'boom', type: 'api_error', param: null, code: null },
    });
  });

  it('http_500 also replaces replies no runner makes (show, pull)', async () => {
    const s = await start({ faults: [{ kind: 'http_500', message: 'disk gone' }] });
    const show = await fetchRaw(s.url, '/api/show', { body: { model: 'llama3.2:1b' } });
    expect([show.status, show.body]).toEqual([500, '{"error":"disk gone"}']);
    const pull = await fetchRaw(s.url, '/api/pull', { body: { model: 'llama3.2:1b' } });
    expect([pull.status, pull.body]).toEqual([500, '{"error":"disk gone"}']);
  });

  it('http_503: the queue-full reply at once', async () => {
    const s = await start({ faults: [{ kind: 'http_503', model: 'llama3.2:1b' }] });
    const reply = await fetchRaw(s.url, '/api/chat', { body: { model: 'llama3.2:1b', messages: [] } });
    expect([reply.status, reply.body]).toEqual([
      503,
      '{"error":"server busy, please try again.  maximum pending requests exceeded"}',
    ]);
    expect(
      (await fetchRaw(s.url, '/api/embed', { body: { model: 'nomic-embed-text', input: 'x' } })).status,
    ).toBe(200);
  });

  it('`remaining` and `forMs` clear a fault by themselves', async () => {
    const s = await start({ faults: [{ kind: 'http_500', remaining: 1 }] });
    const body = { body: { ...streamBody, stream: false } };
    expect((await fetchRaw(s.url, '/api/generate', body)).status).toBe(500);
    expect((await fetchRaw(s.url, '/api/generate', body)).status).toBe(200);
    s.setFaults([{ kind: 'http_503', forMs: 150 }]);
    expect((await fetchRaw(s.url, '/api/generate', body)).status).toBe(503);
    await sleepMs(250);
    expect((await fetchRaw(s.url, '/api/generate', body)).status).toBe(200);
  });
});

describe('error_line', () => {
  it('native: afterChunks lines, then {"error"} and the end, with no done line', async () => {
    const s = await start({ faults: [{ kind: 'error_line', afterChunks: 2, message: 'runner died' }] });
    const reply = await fetchRaw(s.url, '/api/generate', { body: streamBody });
    expect(reply.status).toBe(200);
    const lines = ndjson(reply.body);
    expect(lines).toHaveLength(3);
    expect(lines.slice(0, 2).every((l) => l.done === false)).toBe(true);
    expect(lines[2]).toEqual({ error: 'runner died' });
    expect(reply.body.endsWith('{"error":"runner died"}\n')).toBe(true);
  });

  it('before the first chunk, it is a 500 with application/json', async () => {
    const s = await start({ faults: [{ kind: 'error_line', afterChunks: 0 }] });
    const reply = await fetchRaw(s.url, '/api/generate', { body: streamBody });
    expect([reply.status, reply.headers['content-type']]).toEqual([500, 'application/json']);
  });

  it('/v1 stream: an empty chunk, then the end without [DONE] (Ollama 0.12.6)', async () => {
    const s = await start({ faults: [{ kind: 'error_line', afterChunks: 2 }] });
    const reply = await fetchRaw(s.url, '/v1/chat/completions', {
      body: { model: 'llama3.2:1b', stream: true, messages: [{ role: 'user', content: 'x' }] },
    });
    const events = sseData(reply.body);
    expect(events).toHaveLength(3);
    expect(events).not.toContain('[DONE]');
    expect(JSON.parse(events[2] as string)).toMatchObject({
      model: '',
      choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
    });
  });
});

describe('drip and malformed_line', () => {
  it('drip: small pieces one interval apart, the body intact', async () => {
    const s = await start({
      faults: [{ kind: 'drip', dripIntervalMs: 30, dripBytes: 40 }],
      tokensPerResponse: 2,
    });
    const reply = await fetchRaw(s.url, '/api/generate', { body: streamBody });
    expect(ndjson(reply.body).at(-1)).toMatchObject({ done: true });
    expect(reply.chunks.every((c) => Buffer.byteLength(c.text) <= 40)).toBe(true);
    expect(reply.chunks.length).toBeGreaterThan(5);
    const gaps = reply.chunks.slice(1).map((c, i) => c.atMs - (reply.chunks[i] as { atMs: number }).atMs);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(20);
    expect(reply.endedAtMs).toBeGreaterThanOrEqual(30 * (reply.chunks.length - 1) - 10);
  });

  it('malformed_line: one line that is not JSON, then the stream goes on', async () => {
    const s = await start({ faults: [{ kind: 'malformed_line', afterChunks: 1 }], tokensPerResponse: 3 });
    const reply = await fetchRaw(s.url, '/api/generate', { body: streamBody });
    const lines = reply.body.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(5);
    expect(() => JSON.parse(lines[1] as string)).toThrow();
    expect(JSON.parse(lines[4] as string)).toMatchObject({ done: true });
  });
});

describe('control endpoint', () => {
  it('POST /__sim/faults sets, GET lists, DELETE clears; bad specs are named', async () => {
    const s = await start();
    const faults: FaultSpec[] = [{ kind: 'http_503', model: 'llama3.2:1b', remaining: 3 }];
    const set = await fetchRaw(s.url, '/__sim/faults', { body: { faults } });
    expect(JSON.parse(set.body)).toEqual({ faults });
    expect((await fetchRaw(s.url, '/api/generate', { body: streamBody })).status).toBe(503);
    expect(JSON.parse((await fetchRaw(s.url, '/__sim/faults')).body)).toEqual({
      faults: [{ ...faults[0], remaining: 2 }],
    });
    await fetchRaw(s.url, '/__sim/faults', { method: 'DELETE' });
    expect((await fetchRaw(s.url, '/api/generate', { body: streamBody })).status).toBe(200);
    const bad = await fetchRaw(s.url, '/__sim/faults', {
      body: { faults: [{ kind: 'stall', afterChunks: -1 }] },
    });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toEqual({
      error: { code: 'invalid_fault', message: 'faults[0].afterChunks must be an integer >= 0, got -1' },
    });
  });

  it('POST /__sim/faults with refuse answers first, then stops listening', async () => {
    const s = await start();
    const set = await fetchRaw(s.url, '/__sim/faults', {
      body: { faults: [{ kind: 'refuse', forMs: 300 }] },
    });
    expect(set.status).toBe(200);
    expect(await errorCode(fetchRaw(s.url, '/'))).toBe('ECONNREFUSED');
    await sleepMs(400);
    expect((await fetchRaw(s.url, '/')).status).toBe(200);
  });

  it('GET /__sim/stats and POST /__sim/parallel', async () => {
    const s = await start();
    await fetchRaw(s.url, '/api/generate', { body: { ...streamBody, stream: false } });
    const stats = JSON.parse((await fetchRaw(s.url, '/__sim/stats')).body);
    expect(stats).toMatchObject({
      totalRequests: 1,
      schedulerQueueDepth: 0,
      models: { 'llama3.2:1b': { completed: 1 } },
    });
    const parallel = await fetchRaw(s.url, '/__sim/parallel', { body: { numParallel: 3 } });
    expect(JSON.parse(parallel.body)).toEqual({ numParallel: 3 });
    const bad = await fetchRaw(s.url, '/__sim/parallel', { body: { numParallel: 0 } });
    expect(bad.status).toBe(400);
  });
});
