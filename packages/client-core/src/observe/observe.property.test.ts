import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { BodyFraming, EndpointKind } from '../events.ts';
import { createBodyObserver, type ObservedBody } from './index.ts';

const RUNS = 150;

const ENDPOINTS: readonly EndpointKind[] = [
  'generate',
  'chat',
  'embed',
  'openai_chat',
  'openai_completions',
  'openai_embeddings',
  'pull',
  'other',
];

/** Bytes that look like bodies often enough to reach every branch: frame pieces, text, raw bytes. */
const bodyBytes = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '\n',
        '\r\n',
        '\n\n',
        '{',
        '}',
        ' ',
        '\t',
        '"done":true',
        '"done":false',
        '{"error":"boom"}',
        '{"error":{"message":"bad"}}',
        'data: ',
        'data:',
        '[DONE]',
        ': keep-alive',
        '"finish_reason":null',
        '"finish_reason":"stop"',
        '"usage":{"prompt_tokens":3,"completion_tokens":2}',
        '"status":"success"',
        '"eval_count":7,"eval_duration":1e30',
        '{"response":"x","done":false}',
      ),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.uint8Array({ maxLength: 20 }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p)))));

/** Cut points inside a body of `length` bytes, sorted, each piece non-empty. */
function cutsOf(length: number, raw: readonly number[]): number[] {
  if (length < 2) return [];
  return [...new Set(raw.map((n) => 1 + (n % (length - 1))))].sort((a, b) => a - b);
}

interface Fed {
  tokens: number;
  end: ObservedBody;
}

/** Feeds `bytes` cut at `cuts` (as fresh Uint8Array views, like a socket hands them) and finishes. */
function feed(
  framing: BodyFraming,
  endpoint: EndpointKind,
  status: number,
  bytes: Buffer,
  cuts: number[],
): Fed {
  const observer = createBodyObserver(framing, endpoint, status);
  let tokens = 0;
  let prev = 0;
  for (const cut of [...cuts, bytes.length]) {
    const counted = observer.observe(new Uint8Array(bytes.buffer, bytes.byteOffset + prev, cut - prev));
    expect(Number.isInteger(counted) && counted >= 0).toBe(true);
    tokens += counted;
    prev = cut;
  }
  return { tokens, end: observer.finish() };
}

function expectWellFormed(end: ObservedBody): void {
  expect(typeof end.complete).toBe('boolean');
  expect(end.errorText === undefined || typeof end.errorText === 'string').toBe(true);
  expect(end.malformed === undefined || typeof end.malformed === 'string').toBe(true);
  for (const [key, value] of Object.entries(end.metrics)) {
    if (key === 'doneReason') expect(typeof value).toBe('string');
    else expect(typeof value === 'number' && Number.isFinite(value)).toBe(true);
  }
}

describe('body observers on arbitrary bytes', () => {
  test('never throw, report a well-formed result, and give the same result however the bytes are cut', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<BodyFraming>('ndjson', 'sse', 'single'),
        fc.constantFrom(...ENDPOINTS),
        fc.constantFrom(200, 400, 500),
        bodyBytes,
        fc.array(fc.nat(), { maxLength: 12 }),
        (framing, endpoint, status, bytes, rawCuts) => {
          const whole = feed(framing, endpoint, status, bytes, []);
          expectWellFormed(whole.end);
          const split = feed(framing, endpoint, status, bytes, cutsOf(bytes.length, rawCuts));
          expect(split.end).toEqual(whole.end);
          expect(split.tokens).toBe(whole.tokens);
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  test('split into single bytes, a body still gives the unsplit result', () => {
    fc.assert(
      fc.property(fc.constantFrom<BodyFraming>('ndjson', 'sse'), bodyBytes, (framing, bytes) => {
        const whole = feed(framing, 'chat', 200, bytes, []);
        const bytewise = feed(
          framing,
          'chat',
          200,
          bytes,
          Array.from({ length: Math.max(0, bytes.length - 1) }, (_, i) => i + 1),
        );
        expect(bytewise).toEqual(whole);
      }),
      { numRuns: RUNS },
    );
  });
});

/** What a generated valid stream should be observed as. */
interface ValidStream {
  text: string;
  contentFrames: number;
  expected: ObservedBody;
}

const tokenText = fc.string({ unit: 'grapheme', maxLength: 12 });
const count = fc.nat({ max: 100_000 });

/** A native `/api/chat` or `/api/generate` stream as Ollama writes it, with any token texts. */
const ndjsonStream = fc
  .record({
    chat: fc.boolean(),
    tokens: fc.array(tokenText, { maxLength: 30 }),
    metrics: fc.record({
      total_duration: count,
      load_duration: count,
      prompt_eval_count: count,
      prompt_eval_duration: count,
      eval_count: count,
      eval_duration: count,
    }),
    doneReason: fc.constantFrom('stop', 'length'),
    crlf: fc.boolean(),
  })
  .map(({ chat, tokens, metrics, doneReason, crlf }): ValidStream => {
    const content = (text: string) =>
      chat ? { message: { role: 'assistant', content: text } } : { response: text };
    const lines = tokens.map((t) =>
      JSON.stringify({ model: 'm', created_at: '2025-01-01T00:00:00Z', ...content(t), done: false }),
    );
    lines.push(
      JSON.stringify({ model: 'm', ...content(''), done: true, done_reason: doneReason, ...metrics }),
    );
    return {
      text: lines.map((l) => `${l}${crlf ? '\r\n' : '\n'}`).join(''),
      contentFrames: tokens.length,
      expected: {
        complete: true,
        errorText: undefined,
        malformed: undefined,
        metrics: {
          totalDurationNs: metrics.total_duration,
          loadDurationNs: metrics.load_duration,
          promptEvalCount: metrics.prompt_eval_count,
          promptEvalDurationNs: metrics.prompt_eval_duration,
          evalCount: metrics.eval_count,
          evalDurationNs: metrics.eval_duration,
          doneReason,
        },
      },
    };
  });

/** A `/v1/chat/completions` stream with usage, as Ollama writes it, with any token texts. */
const sseStream = fc
  .record({
    tokens: fc.array(tokenText, { maxLength: 30 }),
    promptTokens: count,
    completionTokens: count,
    finish: fc.constantFrom('stop', 'length'),
    comments: fc.boolean(),
    crlf: fc.boolean(),
  })
  .map(({ tokens, promptTokens, completionTokens, finish, comments, crlf }): ValidStream => {
    const chunk = (delta: object, finishReason: string | null) =>
      JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta, finish_reason: finishReason }],
      });
    const events = tokens.map((t) => `data: ${chunk({ role: 'assistant', content: t }, null)}`);
    events.push(`data: ${chunk({ role: 'assistant', content: '' }, finish)}`);
    events.push(
      `data: ${JSON.stringify({ id: 'chatcmpl-1', choices: [], usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens } })}`,
    );
    events.push('data: [DONE]');
    const nl = crlf ? '\r\n' : '\n';
    const body = events.map((e) => `${comments ? `: ping${nl}` : ''}${e}${nl}${nl}`).join('');
    return {
      text: body,
      contentFrames: tokens.length,
      expected: {
        complete: true,
        errorText: undefined,
        malformed: undefined,
        metrics: { doneReason: finish, promptEvalCount: promptTokens, evalCount: completionTokens },
      },
    };
  });

describe('body observers on valid streams', () => {
  test.each([
    ['NDJSON', 'ndjson', 'chat', ndjsonStream],
    ['SSE', 'sse', 'openai_chat', sseStream],
  ] as const)(
    '%s: counts every content frame and reads the final metrics, cut anywhere',
    (_name, framing, endpoint, stream) => {
      fc.assert(
        fc.property(stream, fc.array(fc.nat(), { maxLength: 20 }), (s, rawCuts) => {
          const bytes = Buffer.from(s.text);
          const whole = feed(framing, endpoint, 200, bytes, []);
          expect(whole.tokens).toBe(s.contentFrames);
          expect(whole.end).toEqual(s.expected);
          const split = feed(framing, endpoint, 200, bytes, cutsOf(bytes.length, rawCuts));
          expect(split).toEqual(whole);
        }),
        { numRuns: RUNS },
      );
    },
  );
});
