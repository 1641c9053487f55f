import { describe, expect, test } from 'vitest';
import type { EndpointKind } from '../events.ts';
import { type BodyObserver, createBodyObserver, framingOf } from './index.ts';

const chat = [
  '{"model":"m","created_at":"t","message":{"role":"assistant","content":"Hel"},"done":false}',
  '{"model":"m","created_at":"t","message":{"role":"assistant","content":"lo \\"done\\":true"},"done":false}',
  '{"model":"m","created_at":"t","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","total_duration":900,"load_duration":100,"prompt_eval_count":5,"prompt_eval_duration":200,"eval_count":2,"eval_duration":500}',
]
  .map((l) => `${l}\n`)
  .join('');

function feed(observer: BodyObserver, text: string, cuts: number[]): { tokens: number[]; total: number } {
  const bytes = Buffer.from(text);
  const tokens: number[] = [];
  let prev = 0;
  for (const cut of [...cuts, bytes.length]) {
    tokens.push(observer.observe(bytes.subarray(prev, cut)));
    prev = cut;
  }
  return { tokens, total: tokens.reduce((a, b) => a + b, 0) };
}

function observe(
  endpoint: EndpointKind,
  framing: 'ndjson' | 'sse' | 'single',
  text: string,
  cuts: number[] = [],
) {
  const observer = createBodyObserver(framing, endpoint, 200);
  const fed = feed(observer, text, cuts);
  return { ...fed, end: observer.finish() };
}

describe('NDJSON observer', () => {
  test('counts content frames, finds the final frame and its metrics', () => {
    const { total, end } = observe('chat', 'ndjson', chat);
    expect(total).toBe(2);
    expect(end).toEqual({
      complete: true,
      errorText: undefined,
      malformed: undefined,
      metrics: {
        totalDurationNs: 900,
        loadDurationNs: 100,
        promptEvalCount: 5,
        promptEvalDurationNs: 200,
        evalCount: 2,
        evalDurationNs: 500,
        doneReason: 'stop',
      },
    });
  });

  test('gives the same result for every split of the bytes into two and three chunks', () => {
    const whole = observe('chat', 'ndjson', chat);
    const len = Buffer.byteLength(chat);
    for (let a = 1; a < len; a++) {
      const two = observe('chat', 'ndjson', chat, [a]);
      expect(two.total).toBe(2);
      expect(two.end).toEqual(whole.end);
      const b = Math.min(len - 1, a + 37);
      if (b > a) expect(observe('chat', 'ndjson', chat, [a, b]).end).toEqual(whole.end);
    }
  });

  test('a chunk of many lines counts each line once', () => {
    const line = '{"model":"m","response":"x","done":false}\n';
    const text = `${line.repeat(500)}{"model":"m","response":"","done":true,"eval_count":500}\n`;
    const { total, end } = observe('generate', 'ndjson', text);
    expect(total).toBe(500);
    expect(end.complete).toBe(true);
    expect(end.metrics.evalCount).toBe(500);
  });

  test('an error frame is reported with its text and no final frame', () => {
    const text = `${chat.split('\n')[0]}\n{"error":"llama runner process has terminated"}\n`;
    const { total, end } = observe('chat', 'ndjson', text);
    expect(total).toBe(1);
    expect(end.complete).toBe(false);
    expect(end.errorText).toBe('llama runner process has terminated');
  });

  test('a stream that stops early is not complete', () => {
    expect(observe('chat', 'ndjson', chat.split('\n')[0]!).end.complete).toBe(false);
  });

  test('a line that is not a JSON object is malformed, seen as soon as its chunk is observed', () => {
    const observer = createBodyObserver('ndjson', 'chat', 200);
    observer.observe(Buffer.from('{"model":"m","message":{"content":"a"},"done":false}\n'));
    expect(observer.malformed).toBeUndefined();
    observer.observe(Buffer.from('{"model":"m","mess\n'));
    expect(observer.malformed).toBe('{"model":"m","mess');
  });

  test('pull progress completes on status success and carries no tokens', () => {
    const text =
      '{"status":"pulling manifest"}\n{"status":"pulling abc","digest":"abc","total":10,"completed":5}\n{"status":"success"}\n';
    const { total, end } = observe('pull', 'ndjson', text, [7, 40]);
    expect(total).toBe(0);
    expect(end.complete).toBe(true);
  });

  test('a final line without a newline is still seen', () => {
    expect(observe('chat', 'ndjson', chat.trimEnd()).end.complete).toBe(true);
  });

  test('observing does not change the chunks', () => {
    const bytes = Buffer.from(chat);
    const copy = Buffer.from(bytes);
    const observer = createBodyObserver('ndjson', 'chat', 200);
    observer.observe(bytes.subarray(0, 50));
    observer.observe(bytes.subarray(50));
    observer.finish();
    expect(bytes.equals(copy)).toBe(true);
  });
});

const sse = [
  'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}',
  '',
  'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":" there"},"finish_reason":null}]}',
  '',
  'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":"stop"}]}',
  '',
  'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6}}',
  '',
  'data: [DONE]',
  '',
  '',
].join('\n');

describe('SSE observer', () => {
  test('counts content chunks, reads finish_reason and usage, completes on [DONE]', () => {
    const { total, end } = observe('openai_chat', 'sse', sse);
    expect(total).toBe(2);
    expect(end).toEqual({
      complete: true,
      errorText: undefined,
      malformed: undefined,
      metrics: { doneReason: 'stop', promptEvalCount: 4, evalCount: 2 },
    });
  });

  test('every split gives the same result; CRLF line ends too', () => {
    const whole = observe('openai_chat', 'sse', sse);
    for (let a = 1; a < sse.length; a += 3)
      expect(observe('openai_chat', 'sse', sse, [a]).end).toEqual(whole.end);
    expect(observe('openai_chat', 'sse', sse.replaceAll('\n', '\r\n')).end).toEqual(whole.end);
  });

  test('without [DONE] the stream is not complete; an error frame is reported', () => {
    expect(observe('openai_chat', 'sse', sse.replace('data: [DONE]', '')).end.complete).toBe(false);
    const err = 'data: {"error":{"message":"boom","type":"api_error","param":null,"code":null}}\n\n';
    expect(observe('openai_chat', 'sse', err).end.errorText).toBe('boom');
  });

  test('comments and other fields are ignored', () => {
    const text = `: keep-alive\nevent: message\nid: 1\n${sse}`;
    expect(observe('openai_chat', 'sse', text).total).toBe(2);
  });
});

describe('single-body observer', () => {
  test('reads metrics from the tail of a large non-streamed body', () => {
    const embeddings = JSON.stringify(Array.from({ length: 4000 }, (_, i) => i / 7));
    const text = `{"model":"e","embeddings":[${embeddings}],"total_duration":123,"load_duration":4,"prompt_eval_count":9}`;
    const { end } = observe('embed', 'single', text, [1000, 20000, 40000]);
    expect(end.metrics).toEqual({ totalDurationNs: 123, loadDurationNs: 4, promptEvalCount: 9 });
  });

  test('reads done_reason and counts of a stream:false generate answer', () => {
    const text =
      '{"model":"m","created_at":"t","response":"hi","done":true,"done_reason":"stop","context":[1,2],"total_duration":10,"eval_count":3,"eval_duration":7}';
    expect(observe('generate', 'single', text).end.metrics).toEqual({
      totalDurationNs: 10,
      evalCount: 3,
      evalDurationNs: 7,
      doneReason: 'stop',
    });
  });

  test('a success body that does not end as a JSON object is malformed (cut upstream); trailing space is fine', () => {
    const whole = '{"model":"m","response":"hi","done":true}';
    expect(observe('chat', 'single', `${whole}\n`, [10]).end.malformed).toBeUndefined();
    const cut = observe('chat', 'single', whole.slice(0, 25), [10]).end;
    expect(cut.malformed).toMatch(/^a JSON body that does not end with "}": \.\.\./);
    expect(observe('openai_embeddings', 'single', '').end.malformed).toBeDefined();
    // Bodies Lookout does not read (listings, pulls) and error bodies are not checked.
    expect(observe('other', 'single', 'plain text').end.malformed).toBeUndefined();
  });

  test("an error body's text comes from Ollama's error field, native or /v1", () => {
    const native = createBodyObserver('single', 'chat', 404);
    native.observe(Buffer.from('{"error":"model \'x\' not'));
    native.observe(Buffer.from(' found"}'));
    expect(native.finish().errorText).toBe("model 'x' not found");
    const v1 = createBodyObserver('single', 'openai_chat', 400);
    v1.observe(
      Buffer.from('{"error":{"message":"bad","type":"invalid_request_error","param":null,"code":null}}'),
    );
    expect(v1.finish().errorText).toBe('bad');
    const plain = createBodyObserver('single', 'other', 404);
    plain.observe(Buffer.from('404 page not found'));
    expect(plain.finish().errorText).toBe('404 page not found');
  });
});

describe('framingOf', () => {
  test('streams only for 2xx with a stream content type', () => {
    expect(framingOf(200, 'application/x-ndjson')).toBe('ndjson');
    expect(framingOf(200, 'text/event-stream; charset=utf-8')).toBe('sse');
    expect(framingOf(200, 'application/json; charset=utf-8')).toBe('single');
    expect(framingOf(404, 'application/x-ndjson')).toBe('single');
    expect(framingOf(200, undefined)).toBe('single');
  });
});
