import { Ollama } from 'ollama';
import OpenAI, { APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { simulatorPerTest, waitUntil } from './test-support.ts';
import type { SimulatorHandle } from './types.ts';

const start = simulatorPerTest();

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('ollama-js runs unchanged against the simulator', () => {
  it('generate and chat, streamed and not', async () => {
    const s = await start({ tokensPerResponse: 6 });
    const ollama = new Ollama({ host: s.url });
    const whole = await ollama.generate({ model: 'llama3.2:1b', prompt: 'hello' });
    expect(whole).toMatchObject({ model: 'llama3.2:1b', done: true, done_reason: 'stop', eval_count: 6 });
    const parts: string[] = [];
    for await (const part of await ollama.generate({ model: 'llama3.2:1b', prompt: 'hello', stream: true })) {
      parts.push(part.response ?? '');
      if (part.done) expect(part.eval_count).toBe(6);
    }
    expect(parts.join('')).toBe(whole.response);

    const chat = await ollama.chat({ model: 'llama3.2:1b', messages: [{ role: 'user', content: 'hi' }] });
    expect(chat.message.role).toBe('assistant');
    let streamed = '';
    for await (const part of await ollama.chat({
      model: 'llama3.2:1b',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    })) {
      streamed += part.message.content;
    }
    expect(streamed).toBe(chat.message.content);
  });

  it('embed, embeddings, list, ps, show, version', async () => {
    const s = await start();
    const ollama = new Ollama({ host: s.url });
    const embed = await ollama.embed({ model: 'nomic-embed-text', input: ['a', 'b'] });
    expect(embed.embeddings).toHaveLength(2);
    expect(embed.embeddings[0]).toHaveLength(768);
    const legacy = await ollama.embeddings({ model: 'nomic-embed-text', prompt: 'a' });
    expect(legacy.embedding).toHaveLength(768);
    const list = await ollama.list();
    expect(list.models.map((m) => m.name)).toEqual(['llama3.2:1b', 'nomic-embed-text:latest']);
    const ps = await ollama.ps();
    expect(ps.models.map((m) => m.name)).toEqual(['nomic-embed-text:latest']);
    expect(ps.models[0]?.size_vram).toBeGreaterThan(0);
    const show = await ollama.show({ model: 'llama3.2:1b' });
    expect(show.capabilities).toEqual(['completion']);
    expect(show.details.family).toBe('llama');
    expect((await ollama.version()).version).toBe('0.12.6');
  });

  it('pull, streamed and not', async () => {
    const s = await start();
    const ollama = new Ollama({ host: s.url });
    const statuses: string[] = [];
    for await (const progress of await ollama.pull({ model: 'qwen2:0.5b', stream: true }))
      statuses.push(progress.status);
    expect(statuses[0]).toBe('pulling manifest');
    expect(statuses.slice(-3)).toEqual(['verifying sha256 digest', 'writing manifest', 'success']);
    expect(statuses.some((st) => /^pulling [0-9a-f]{12}$/.test(st))).toBe(true);
    expect(await ollama.pull({ model: 'phi3:mini' })).toEqual({ status: 'success' });
    expect((await ollama.list()).models.map((m) => m.name)).toContain('phi3:mini');
  });

  it('errors surface as ResponseError with the status and message', async () => {
    const s = await start();
    const ollama = new Ollama({ host: s.url });
    const missing = (await thrown(ollama.generate({ model: 'nope', prompt: 'x' }))) as {
      name: string;
      status_code: number;
      message: string;
    };
    expect([missing.name, missing.status_code, missing.message]).toEqual([
      'ResponseError',
      404,
      "model 'nope' not found",
    ]);
    const notChat = (await thrown(
      ollama.chat({ model: 'nomic-embed-text', messages: [{ role: 'user', content: 'x' }] }),
    )) as {
      status_code: number;
      message: string;
    };
    expect([notChat.status_code, notChat.message]).toEqual([400, '"nomic-embed-text" does not support chat']);
    s.setFaults([{ kind: 'http_503' }]);
    const busy = (await thrown(ollama.generate({ model: 'llama3.2:1b', prompt: 'x' }))) as {
      status_code: number;
      message: string;
    };
    expect([busy.status_code, busy.message]).toEqual([
      503,
      'server busy, please try again.  maximum pending requests exceeded',
    ]);
  });

  it('a mid-stream {"error"} line throws out of the stream', async () => {
    const s = await start({ faults: [{ kind: 'error_line', afterChunks: 2, message: 'runner died' }] });
    const ollama = new Ollama({ host: s.url });
    const seen: string[] = [];
    const err = await thrown(
      (async () => {
        for await (const part of await ollama.generate({ model: 'llama3.2:1b', prompt: 'x', stream: true }))
          seen.push(part.response ?? '');
      })(),
    );
    expect(seen).toHaveLength(2);
    expect((err as Error).message).toBe('runner died');
  });

  it('abort() closes the stream and the simulator sees the cancel within 100 ms', async () => {
    const s = await start();
    const ollama = new Ollama({
      host: s.url,
      headers: { 'x-sim-tokens': '1000', 'x-sim-token-interval-ms': '20' },
    });
    const stream = await ollama.generate({ model: 'llama3.2:1b', prompt: 'x', stream: true });
    let abortedAt = 0;
    const err = await thrown(
      (async () => {
        for await (const _part of stream) {
          abortedAt = performance.timeOrigin + performance.now();
          ollama.abort();
        }
      })(),
    );
    expect((err as Error).name).toBe('AbortError');
    await waitUntil(() => s.stats().cancellations.length === 1, 1000, 'the cancellation');
    const [record] = s.stats().cancellations;
    expect(record?.phase).toBe('generating');
    expect((record?.atMs ?? 0) - abortedAt).toBeLessThan(100);
    expect(s.stats().models['llama3.2:1b']?.inFlight).toBe(0);
  });
});

describe('the openai SDK runs unchanged against /v1', () => {
  const client = (s: SimulatorHandle) => new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'x', maxRetries: 0 });

  it('chat completions, streamed (with include_usage) and not', async () => {
    const s = await start({ tokensPerResponse: 5 });
    const openai = client(s);
    const messages = [{ role: 'user' as const, content: 'hello' }];
    const whole = await openai.chat.completions.create({ model: 'llama3.2:1b', messages });
    expect(whole.object).toBe('chat.completion');
    expect(whole.id).toMatch(/^chatcmpl-\d+$/);
    expect(whole.system_fingerprint).toBe('fp_ollama');
    expect(whole.choices[0]?.finish_reason).toBe('stop');
    expect(whole.usage).toMatchObject({ completion_tokens: 5 });

    const stream = await openai.chat.completions.create({
      model: 'llama3.2:1b',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    const finishes: (string | null | undefined)[] = [];
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finishes.push(chunk.choices[0]?.finish_reason);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(whole.choices[0]?.message.content);
    expect(finishes.filter((f) => f === 'stop')).toHaveLength(1);
    expect(usage).toEqual(whole.usage);
  });

  it('max_tokens ends with finish_reason "length"; completions work too', async () => {
    const s = await start();
    const openai = client(s);
    const capped = await openai.chat.completions.create({
      model: 'llama3.2:1b',
      messages: [{ role: 'user', content: 'x' }],
      max_tokens: 2,
    });
    expect(capped.choices[0]?.finish_reason).toBe('length');
    expect(capped.usage?.completion_tokens).toBe(2);
    const completion = await openai.completions.create({ model: 'llama3.2:1b', prompt: 'once upon' });
    expect(completion.object).toBe('text_completion');
    let streamed = '';
    for await (const chunk of await openai.completions.create({
      model: 'llama3.2:1b',
      prompt: 'once upon',
      stream: true,
    })) {
      streamed += chunk.choices[0]?.text ?? '';
    }
    expect(streamed).toBe(completion.choices[0]?.text);
  });

  it('embeddings (base64 by default, float on request) and models', async () => {
    const s = await start();
    const openai = client(s);
    const native = (await (
      await fetch(`${s.url}/api/embed`, {
        method: 'POST',
        body: JSON.stringify({ model: 'nomic-embed-text', input: 'abc' }),
      })
    ).json()) as { embeddings: number[][] };
    const decoded = await openai.embeddings.create({ model: 'nomic-embed-text', input: 'abc' });
    const asFloat = await openai.embeddings.create({
      model: 'nomic-embed-text',
      input: ['abc'],
      encoding_format: 'float',
    });
    expect(asFloat.data[0]?.embedding).toEqual(native.embeddings[0]);
    expect(decoded.data[0]?.embedding.map((v) => Math.fround(v))).toEqual(
      native.embeddings[0]?.map((v) => Math.fround(v)),
    );
    expect(decoded.usage.prompt_tokens).toBe(1);

    const models = await openai.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['llama3.2:1b', 'nomic-embed-text:latest']);
    expect(models.data[0]?.owned_by).toBe('library');
    const one = await openai.models.retrieve('llama3.2:1b');
    expect(one).toMatchObject({ id: 'llama3.2:1b', object: 'model' });
  });

  it('errors surface as APIError with the status and message', async () => {
    const s = await start();
    const openai = client(s);
    const missing = await thrown(
      openai.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }),
    );
    expect(missing).toBeInstanceOf(APIError);
    expect([(missing as APIError).status, (missing as APIError).message, (missing as APIError).type]).toEqual(
      [404, "404 model 'nope' not found", 'not_found_error'],
    );
    const empty = (await thrown(
      openai.chat.completions.create({ model: 'llama3.2:1b', messages: [] }),
    )) as APIError;
    expect([empty.status, empty.message]).toEqual([400, "400 [] is too short - 'messages'"]);
    const unknownModel = (await thrown(openai.models.retrieve('nope'))) as APIError;
    expect(unknownModel.status).toBe(404);
    s.setFaults([{ kind: 'http_500', message: 'runner crashed' }]);
    const crash = (await thrown(
      openai.completions.create({ model: 'llama3.2:1b', prompt: 'x' }),
    )) as APIError;
    expect([crash.status, crash.message]).toEqual([500, '500 runner crashed']);
  });
});
