import { Ollama } from 'ollama';
import { afterEach, describe, expect, it } from 'vitest';
import { type Fleet, startFleet } from '../testing/harness.ts';

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

describe('relay keys', () => {
  it('refuses calls without a known key, in Ollama shapes, and strips the key upstream', async () => {
    fleet = await startFleet([{}], { relayKeys: ['key-one-12345', 'key-two-12345'] });
    const f = fleet;
    const none = await fetch(`${f.relay}/api/tags`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: expect.stringMatching(/relay key/) });
    const v1 = await fetch(`${f.relay}/v1/models`, { headers: { authorization: 'Bearer wrong-key-123' } });
    expect(v1.status).toBe(401);
    expect(await v1.json()).toMatchObject({
      error: { type: 'authentication_error', param: null, code: null },
    });

    const client = new Ollama({ host: f.relay, headers: { authorization: 'Bearer key-two-12345' } });
    expect((await client.list()).models.length).toBeGreaterThan(0);
  });
});

describe('request limits and target selection', () => {
  it('413 for a body over the limit', async () => {
    fleet = await startFleet([{}], { maxBodyBytes: 2048 });
    const res = await fetch(`${fleet.relay}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'llama3.2:1b', messages: [{ role: 'user', content: 'x'.repeat(4096) }] }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: expect.stringMatching(/larger than 2048 bytes/) });
  });

  it('calls that change one instance need X-Lookout-Target when there are several', async () => {
    fleet = await startFleet([{}, {}]);
    const f = fleet;
    const res = await fetch(`${f.relay}/api/pull`, {
      method: 'POST',
      body: JSON.stringify({ model: 'qwen3:0.6b' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: expect.stringMatching(/X-Lookout-Target.*sim0, sim1/) });

    const unknown = await fetch(`${f.relay}/api/pull`, {
      method: 'POST',
      headers: { 'x-lookout-target': 'nope' },
      body: JSON.stringify({ model: 'qwen3:0.6b' }),
    });
    expect(unknown.status).toBe(400);

    const named = await fetch(`${f.relay}/api/pull`, {
      method: 'POST',
      headers: { 'x-lookout-target': 'sim1' },
      body: JSON.stringify({ model: 'qwen3:0.6b', stream: false }),
    });
    expect(named.status).toBe(200);
    expect(named.headers.get('x-lookout-target')).toBe('sim1');
    expect(await named.json()).toEqual({ status: 'success' });
  });

  it('with one target, pull streams its progress through untouched', async () => {
    fleet = await startFleet([{}]);
    const client = new Ollama({ host: fleet.relay });
    const statuses: string[] = [];
    for await (const part of await client.pull({ model: 'qwen3:0.6b', stream: true }))
      statuses.push(part.status);
    expect(statuses[0]).toBe('pulling manifest');
    expect(statuses.at(-1)).toBe('success');
  });
});

describe('routing by model', () => {
  it('merges listings of all targets and sends each model where it lives', async () => {
    fleet = await startFleet([{ models: ['llama3.2:1b'] }, { models: ['qwen3:8b', 'nomic-embed-text'] }]);
    const client = new Ollama({ host: fleet.relay });
    const names = (await client.list()).models.map((m) => m.name).sort();
    expect(names).toEqual(['llama3.2:1b', 'nomic-embed-text:latest', 'qwen3:8b']);

    for (let i = 0; i < 4; i++) {
      const a = await fetch(`${fleet.relay}/api/generate`, {
        method: 'POST',
        body: JSON.stringify({ model: 'qwen3:8b', prompt: 'x', stream: false }),
      });
      expect(a.headers.get('x-lookout-target')).toBe('sim1');
      await a.text();
      const b = await fetch(`${fleet.relay}/api/generate`, {
        method: 'POST',
        body: JSON.stringify({ model: 'llama3.2:1b', prompt: 'x', stream: false }),
      });
      expect(b.headers.get('x-lookout-target')).toBe('sim0');
      await b.text();
    }
    const ps = await client.ps();
    expect(ps.models.map((m) => m.name).sort()).toEqual(['llama3.2:1b', 'qwen3:8b']);
  });

  it('keeps pooled models on their pool', async () => {
    fleet = await startFleet(
      [{ models: ['llama3.2:1b', 'nomic-embed-text'] }, { models: ['nomic-embed-text'] }],
      {
        pools: [{ name: 'embeddings', models: ['*embed*'], targets: ['sim1'] }],
      },
    );
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${fleet.relay}/api/embed`, {
        method: 'POST',
        body: JSON.stringify({ model: 'nomic-embed-text', input: 'x' }),
      });
      expect(res.headers.get('x-lookout-target')).toBe('sim1');
      await res.text();
    }
  });

  it('unknown paths are forwarded as they are', async () => {
    fleet = await startFleet([{}]);
    const res = await fetch(`${fleet.relay}/api/does-not-exist`);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('404 page not found');
    const root = await fetch(`${fleet.relay}/`);
    expect(await root.text()).toBe('Ollama is running');
  });
});
