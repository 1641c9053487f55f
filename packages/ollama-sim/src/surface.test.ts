import { Agent, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { fetchRaw, simulatorPerTest } from './test-support.ts';

const start = simulatorPerTest();

const RFC3339_NANO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;

describe('general endpoints', () => {
  it('GET and HEAD / answer "Ollama is running" as text/plain', async () => {
    const { url } = await start();
    const get = await fetchRaw(url, '/');
    expect(get.status).toBe(200);
    expect(get.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(get.body).toBe('Ollama is running');
    const head = await fetchRaw(url, '/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('GET /api/version reports the configured version', async () => {
    const { url } = await start({ version: '0.9.9' });
    const reply = await fetchRaw(url, '/api/version');
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(reply.body).toBe('{"version":"0.9.9"}');
  });

  it("unknown path: gin's 404 text body; wrong method: gin's 405", async () => {
    const { url } = await start();
    const missing = await fetchRaw(url, '/api/nope');
    expect([missing.status, missing.headers['content-type'], missing.body]).toEqual([
      404,
      'text/plain',
      '404 page not found',
    ]);
    const wrong = await fetchRaw(url, '/api/generate');
    expect([wrong.status, wrong.headers['content-type'], wrong.body]).toEqual([
      405,
      'text/plain',
      '405 method not allowed',
    ]);
    const wrongPs = await fetchRaw(url, '/api/ps', { method: 'POST', body: {} });
    expect(wrongPs.status).toBe(405);
  });
});

describe('transport', () => {
  it('keeps an idle keep-alive connection open past Node default 5 s (Ollama sets no idle timeout)', async () => {
    const { url } = await start();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const sockets: unknown[] = [];
      for (let i = 0; i < 2; i++) {
        await new Promise<void>((resolve, reject) => {
          const req = request(new URL('/api/version', url), { agent }, (res) => {
            sockets.push(res.socket);
            res.resume();
            res.on('end', () => resolve());
          });
          req.on('error', reject);
          req.end();
        });
        if (i === 0) await new Promise((resolve) => setTimeout(resolve, 5500));
      }
      expect(sockets[1]).toBe(sockets[0]);
    } finally {
      agent.destroy();
    }
  });

  it('has no /metrics endpoint', async () => {
    const { url } = await start();
    expect((await fetchRaw(url, '/metrics')).status).toBe(404);
  });
});

describe('/api/tags', () => {
  it('lists installed models with every field, tag included in the name', async () => {
    const { url } = await start({ models: ['llama3.2:1b', { name: 'nomic-embed-text', sizeBytes: 1000 }] });
    const reply = await fetchRaw(url, '/api/tags');
    const { models } = JSON.parse(reply.body) as { models: Record<string, unknown>[] };
    expect(models.map((m) => m.name)).toEqual(['llama3.2:1b', 'nomic-embed-text:latest']);
    const first = models[0] as Record<string, unknown>;
    expect(Object.keys(first)).toEqual(['name', 'model', 'modified_at', 'size', 'digest', 'details']);
    expect(first.modified_at).toMatch(RFC3339_NANO_UTC);
    expect(first.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(first.details).toEqual({
      parent_model: '',
      format: 'gguf',
      family: 'llama',
      families: ['llama'],
      parameter_size: '1.2B',
      quantization_level: 'Q8_0',
    });
    expect(models[1]?.size).toBe(1000);
  });
});

describe('/api/ps', () => {
  it('is empty until a model loads, then shows size_vram, expires_at and context_length', async () => {
    const { url } = await start({
      models: [{ name: 'llama3.2:1b', sizeBytes: 2000, sizeVramBytes: 500 }],
      keepAliveMs: 60_000,
    });
    expect(JSON.parse((await fetchRaw(url, '/api/ps')).body)).toEqual({ models: [] });
    await fetchRaw(url, '/api/generate', { body: { model: 'llama3.2:1b', prompt: 'hi', stream: false } });
    const { models } = JSON.parse((await fetchRaw(url, '/api/ps')).body) as {
      models: Record<string, unknown>[];
    };
    expect(models).toHaveLength(1);
    const loaded = models[0] as Record<string, unknown>;
    expect(Object.keys(loaded)).toEqual([
      'name',
      'model',
      'size',
      'digest',
      'details',
      'expires_at',
      'size_vram',
      'context_length',
    ]);
    expect(loaded).toMatchObject({ name: 'llama3.2:1b', size: 2000, size_vram: 500, context_length: 4096 });
    const expiresInMs = Date.parse(loaded.expires_at as string) - Date.now();
    expect(expiresInMs).toBeGreaterThan(55_000);
    expect(expiresInMs).toBeLessThanOrEqual(60_000);
  });
});

describe('/api/show', () => {
  it('describes a model without loading it', async () => {
    const s = await start();
    const reply = await fetchRaw(s.url, '/api/show', { body: { model: 'nomic-embed-text' } });
    expect(reply.status).toBe(200);
    const body = JSON.parse(reply.body) as Record<string, unknown>;
    expect(body.capabilities).toEqual(['embedding']);
    expect(body.details).toMatchObject({ family: 'nomic-bert' });
    expect(body.model_info).toMatchObject({
      'general.architecture': 'nomic-bert',
      'nomic-bert.context_length': 2048,
    });
    expect(String(body.modelfile)).toContain('# FROM nomic-embed-text:latest');
    expect(body.modified_at).toMatch(RFC3339_NANO_UTC);
    expect(s.stats().models['nomic-embed-text']?.loaded).toBe(false);
  });

  it('accepts the deprecated `name` and answers 404 for an unknown model', async () => {
    const { url } = await start();
    expect((await fetchRaw(url, '/api/show', { body: { name: 'llama3.2:1b' } })).status).toBe(200);
    const missing = await fetchRaw(url, '/api/show', { body: { model: 'nope:7b' } });
    expect([missing.status, missing.body]).toEqual([404, '{"error":"model \'nope:7b\' not found"}']);
    const none = await fetchRaw(url, '/api/show', { body: {} });
    expect([none.status, none.body]).toEqual([400, '{"error":"model is required"}']);
  });
});

describe('/api/delete and /api/copy', () => {
  it('copy adds a name, delete removes it', async () => {
    const { url } = await start({ models: ['llama3.2:1b'] });
    const copy = await fetchRaw(url, '/api/copy', {
      body: { source: 'llama3.2:1b', destination: 'mine:v1' },
    });
    expect([copy.status, copy.body]).toEqual([200, '']);
    const names = async () =>
      (JSON.parse((await fetchRaw(url, '/api/tags')).body) as { models: { name: string }[] }).models.map(
        (m) => m.name,
      );
    expect(await names()).toContain('mine:v1');
    expect(
      (await fetchRaw(url, '/api/delete', { method: 'DELETE', body: { model: 'mine:v1' } })).status,
    ).toBe(200);
    expect(await names()).toEqual(['llama3.2:1b']);
    const again = await fetchRaw(url, '/api/delete', { method: 'DELETE', body: { model: 'mine:v1' } });
    expect([again.status, again.body]).toEqual([404, '{"error":"model \'mine:v1\' not found"}']);
  });
});

describe('loopback Host check', () => {
  it('when enabled, a foreign Host gets 403 with an empty body; loopback and local names pass', async () => {
    const { url } = await start({ checkHost: true });
    const foreign = await fetchRaw(url, '/api/version', { headers: { Host: 'evil.example.com' } });
    expect([foreign.status, foreign.body, foreign.headers['content-type']]).toEqual([403, '', undefined]);
    const unknownPath = await fetchRaw(url, '/nope', { headers: { Host: 'evil.example.com' } });
    expect(unknownPath.status).toBe(403);
    for (const host of [
      'localhost:11434',
      '127.0.0.1:1',
      '10.1.2.3',
      'box.local',
      'svc.internal',
      'app.localhost',
      '[::1]:80',
    ]) {
      expect((await fetchRaw(url, '/api/version', { headers: { Host: host } })).status, host).toBe(200);
    }
    const preflight = await fetchRaw(url, '/api/chat', { method: 'OPTIONS', headers: { Host: 'localhost' } });
    expect([preflight.status, preflight.body]).toEqual([204, '']);
  });

  it('when disabled (the default), any Host passes', async () => {
    const { url } = await start();
    expect((await fetchRaw(url, '/api/version', { headers: { Host: 'evil.example.com' } })).status).toBe(200);
  });
});

describe('request counting', () => {
  it('counts requests on the Ollama surface, not on the control endpoint', async () => {
    const s = await start();
    await fetchRaw(s.url, '/');
    await fetchRaw(s.url, '/nope');
    await fetchRaw(s.url, '/__sim/stats');
    expect(s.stats().totalRequests).toBe(2);
    s.resetStats();
    expect(s.stats().totalRequests).toBe(0);
  });
});
