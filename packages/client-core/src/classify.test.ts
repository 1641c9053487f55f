import { describe, expect, test } from 'vitest';
import { classifyRequest, createCallInfo } from './classify.ts';

const body = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));

describe('classifyRequest', () => {
  test.each([
    ['/api/generate', {}, 'generate', true],
    ['/api/generate', { stream: false }, 'generate', false],
    ['/api/chat', { stream: true }, 'chat', true],
    ['/api/chat', {}, 'chat', true],
    ['/api/chat', { stream: false }, 'chat', false],
    ['/api/embed', { stream: true }, 'embed', false],
    ['/api/embeddings', {}, 'embed', false],
    ['/api/pull', {}, 'pull', true],
    ['/api/pull', { stream: false }, 'pull', false],
    ['/v1/chat/completions', {}, 'openai_chat', false],
    ['/v1/chat/completions', { stream: true }, 'openai_chat', true],
    ['/v1/completions', { stream: true }, 'openai_completions', true],
    ['/v1/embeddings', { stream: true }, 'openai_embeddings', false],
    ['/api/create', {}, 'other', true],
    ['/api/show', {}, 'other', false],
    ['/api/unknown', { stream: true }, 'other', true],
  ] as const)('%s %j -> %s, streaming %s', (path, extra, endpoint, streaming) => {
    expect(classifyRequest({ method: 'POST', path, body: body({ model: 'm', ...extra }) })).toEqual({
      endpoint,
      model: 'm',
      streaming,
    });
  });

  test('query strings and trailing slashes do not change the route', () => {
    expect(
      classifyRequest({ method: 'POST', path: '/api/chat/?x=1', body: body({ model: 'm' }) }).endpoint,
    ).toBe('chat');
  });

  test('a body that is not JSON keeps the endpoint default and no model', () => {
    expect(
      classifyRequest({ method: 'POST', path: '/api/chat', body: new TextEncoder().encode('{nope') }),
    ).toEqual({
      endpoint: 'chat',
      model: undefined,
      streaming: true,
    });
    expect(classifyRequest({ method: 'POST', path: '/api/generate', body: undefined }).streaming).toBe(true);
  });

  test('only the top-level stream field counts', () => {
    const b = body({
      model: 'm',
      format: { properties: { stream: false } },
      messages: [{ content: '"stream":false' }],
    });
    expect(classifyRequest({ method: 'POST', path: '/api/chat', body: b }).streaming).toBe(true);
  });

  test('model from the legacy name field and from /v1/models/:model', () => {
    expect(classifyRequest({ method: 'POST', path: '/api/show', body: body({ name: 'x:1b' }) }).model).toBe(
      'x:1b',
    );
    expect(classifyRequest({ method: 'GET', path: '/v1/models/llama3.2%3A1b' }).model).toBe('llama3.2:1b');
  });

  test('GET requests do not stream and carry no body model', () => {
    expect(classifyRequest({ method: 'GET', path: '/api/tags' })).toEqual({
      endpoint: 'other',
      model: undefined,
      streaming: false,
    });
  });

  test('createCallInfo builds a frozen CallInfo', () => {
    const info = createCallInfo({
      method: 'post',
      path: '/api/chat',
      body: body({ model: 'm' }),
      source: 'probe',
      callId: 'c1',
      startedAtMs: 5,
    });
    expect(info).toEqual({
      callId: 'c1',
      source: 'probe',
      method: 'POST',
      path: '/api/chat',
      endpoint: 'chat',
      model: 'm',
      streaming: true,
      startedAtMs: 5,
    });
    expect(Object.isFrozen(info)).toBe(true);
  });
});
