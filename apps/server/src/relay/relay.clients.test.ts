import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fleet, startFleet } from '../testing/harness.ts';

/**
 * The official clients, unchanged, get the same results through the relay as straight from Ollama
 * (the simulator, with deterministic timestamps so answers compare exactly).
 */
let fleet: Fleet;
let direct: string;

beforeAll(async () => {
  fleet = await startFleet([
    { deterministicTimestamps: true, seed: 7, models: ['llama3.2:1b', 'nomic-embed-text'] },
  ]);
  direct = fleet.sims[0]!.url;
});
afterAll(() => fleet.close());

/** Runs the same thing against the simulator and the relay. */
async function both<T>(run: (host: string) => Promise<T>): Promise<{ viaDirect: T; viaRelay: T }> {
  return { viaDirect: await run(direct), viaRelay: await run(fleet.relay) };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

const messages = [{ role: 'user', content: 'Why is the sky blue?' }];

describe('ollama-js through the relay', () => {
  it('chat and generate, streamed and not, equal the direct answers', async () => {
    const chat = await both((host) =>
      new Ollama({ host }).chat({ model: 'llama3.2:1b', messages, options: { num_predict: 8 } }),
    );
    expect(chat.viaRelay).toEqual(chat.viaDirect);
    expect(chat.viaRelay.message.content.length).toBeGreaterThan(0);

    const chatStream = await both(async (host) =>
      collect(
        await new Ollama({ host }).chat({
          model: 'llama3.2:1b',
          messages,
          stream: true,
          options: { num_predict: 8 },
        }),
      ),
    );
    expect(chatStream.viaRelay).toEqual(chatStream.viaDirect);
    expect(chatStream.viaRelay.at(-1)?.done).toBe(true);

    const gen = await both((host) =>
      new Ollama({ host }).generate({ model: 'llama3.2:1b', prompt: 'hello', options: { num_predict: 5 } }),
    );
    expect(gen.viaRelay).toEqual(gen.viaDirect);
    expect(gen.viaRelay.done_reason).toBe('length');

    const genStream = await both(async (host) =>
      collect(await new Ollama({ host }).generate({ model: 'llama3.2:1b', prompt: 'hello', stream: true })),
    );
    expect(genStream.viaRelay).toEqual(genStream.viaDirect);
  });

  it('embed, list, show, ps and version equal the direct answers', async () => {
    const embed = await both((host) =>
      new Ollama({ host }).embed({ model: 'nomic-embed-text', input: ['a', 'b'] }),
    );
    expect(embed.viaRelay).toEqual(embed.viaDirect);
    expect(embed.viaRelay.embeddings).toHaveLength(2);

    const list = await both((host) => new Ollama({ host }).list());
    expect(list.viaRelay).toEqual(list.viaDirect);

    const show = await both((host) => new Ollama({ host }).show({ model: 'llama3.2:1b' }));
    expect(show.viaRelay).toEqual(show.viaDirect);

    const version = await both((host) => new Ollama({ host }).version());
    expect(version.viaRelay).toEqual(version.viaDirect);

    const ps = await both((host) => new Ollama({ host }).ps());
    expect(ps.viaRelay.models.map((m) => m.name).sort()).toEqual(
      ps.viaDirect.models.map((m) => m.name).sort(),
    );
  });

  it('errors surface as the same ResponseError', async () => {
    const failure = await both(async (host) => {
      try {
        await new Ollama({ host }).chat({ model: 'nope:1b', messages });
        return undefined;
      } catch (error) {
        const e = error as { name: string; status_code: number; message: string };
        return { name: e.name, status: e.status_code, message: e.message };
      }
    });
    expect(failure.viaRelay).toEqual(failure.viaDirect);
    expect(failure.viaRelay).toMatchObject({ name: 'ResponseError', status: 404 });
  });
});

describe('the openai SDK through the relay', () => {
  const sdk = (host: string) => new OpenAI({ baseURL: `${host}/v1`, apiKey: 'unused', maxRetries: 0 });
  const withoutIds = <T extends { id?: string; created?: number }>(x: T) => ({ ...x, id: 'x', created: 0 });

  it('chat completions, streamed and not, and embeddings equal the direct answers', async () => {
    const chat = await both((host) =>
      sdk(host).chat.completions.create({
        model: 'llama3.2:1b',
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 6,
      }),
    );
    expect(withoutIds(chat.viaRelay)).toEqual(withoutIds(chat.viaDirect));

    const stream = await both(async (host) =>
      collect(
        await sdk(host).chat.completions.create({
          model: 'llama3.2:1b',
          messages: [{ role: 'user', content: 'hi' }],
          max_tokens: 6,
          stream: true,
          stream_options: { include_usage: true },
        }),
      ),
    );
    expect(stream.viaRelay.map(withoutIds)).toEqual(stream.viaDirect.map(withoutIds));
    expect(stream.viaRelay.at(-1)?.usage?.completion_tokens).toBe(6);

    const emb = await both((host) => sdk(host).embeddings.create({ model: 'nomic-embed-text', input: 'x' }));
    expect(emb.viaRelay).toEqual(emb.viaDirect);

    const models = await both(async (host) => (await sdk(host).models.list()).data.map((m) => m.id).sort());
    expect(models.viaRelay).toEqual(models.viaDirect);
  });

  it('errors surface as the same APIError', async () => {
    const failure = await both(async (host) => {
      try {
        await sdk(host).chat.completions.create({
          model: 'nope:1b',
          messages: [{ role: 'user', content: 'x' }],
        });
        return undefined;
      } catch (error) {
        const e = error as { status: number; message: string; type?: string };
        return { status: e.status, message: e.message, type: e.type };
      }
    });
    expect(failure.viaRelay).toEqual(failure.viaDirect);
    expect(failure.viaRelay?.status).toBe(404);
  });
});

describe('raw bytes', () => {
  it('a stream through the relay is byte-identical to the same stream taken directly', async () => {
    const body = JSON.stringify({
      model: 'llama3.2:1b',
      prompt: 'bytes please',
      options: { num_predict: 20 },
    });
    const raw = await both(async (host) => {
      const res = await fetch(`${host}/api/generate`, {
        method: 'POST',
        body,
        headers: { 'x-sim-tokens': '20' },
      });
      return {
        status: res.status,
        type: res.headers.get('content-type'),
        bytes: Buffer.from(await res.arrayBuffer()),
      };
    });
    expect(raw.viaRelay.status).toBe(200);
    expect(raw.viaRelay.type).toBe(raw.viaDirect.type);
    expect(raw.viaRelay.bytes.equals(raw.viaDirect.bytes)).toBe(true);
    expect(raw.viaRelay.bytes.toString().split('\n').filter(Boolean)).toHaveLength(21);
  });

  it('sets the X-Lookout headers on relayed answers', async () => {
    const res = await fetch(`${fleet.relay}/api/version`);
    expect(res.headers.get('x-lookout-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('x-lookout-target')).toBe('sim0');
    expect(Number(res.headers.get('x-lookout-queue-ms'))).toBeGreaterThanOrEqual(0);
    expect(await res.json()).toEqual({ version: expect.any(String) });
  });
});
