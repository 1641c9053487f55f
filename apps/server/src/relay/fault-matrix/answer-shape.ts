import { expect } from 'vitest';
import type { Answer, Variant } from './matrix.ts';
import type { RawAnswer } from './raw-call.ts';

/** NDJSON lines of a body (the last may be a cut frame). */
function lines(body: string): string[] {
  return body.split('\n').filter((l) => l !== '');
}

/** `data:` payloads of an SSE body. */
function events(body: string): string[] {
  return body
    .split('\n\n')
    .map((e) => e.trim())
    .filter((e) => e !== '')
    .map((e) => e.replace(/^data: /, ''));
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The message of an error body in the flavour's shape (asserting that shape). */
function errorMessage(json: unknown, v: Variant): string {
  if (v.api === 'native') {
    expect(json).toEqual({ error: expect.any(String) });
    return (json as { error: string }).error;
  }
  expect(json).toEqual({
    error: { message: expect.any(String), type: 'api_error', param: null, code: null },
  });
  return (json as { error: { message: string } }).error.message;
}

/** Asserts that what the client got is `expected`, in the shape of the call's flavour and framing. */
export function expectAnswer(got: RawAnswer, expected: Answer, v: Variant): void {
  switch (expected.kind) {
    case 'whole': {
      expect(got.status).toBe(200);
      expect(got.complete).toBe(true);
      if (!v.stream) {
        const doc = JSON.parse(got.body) as Record<string, unknown>;
        if (v.api === 'native') expect(doc).toMatchObject({ done: true });
        else expect(doc).toMatchObject({ object: 'chat.completion' });
      } else if (v.api === 'native') {
        const all = lines(got.body).map((l) => JSON.parse(l) as { done?: boolean });
        expect(all.at(-1)?.done).toBe(true);
      } else {
        const all = events(got.body);
        expect(all.at(-1)).toBe('[DONE]');
        for (const e of all.slice(0, -1)) expect(JSON.parse(e)).toHaveProperty('choices');
      }
      return;
    }
    case 'error': {
      expect(got.status).toBe(expected.status);
      expect(got.complete).toBe(true);
      expect(got.headers['content-type']).toMatch(/^application\/json/);
      const message = errorMessage(JSON.parse(got.body), v);
      expect(message).toMatch(expected.message);
      if (expected.by === 'upstream') expect(message).not.toMatch(/^lookout:/);
      return;
    }
    case 'stream_error': {
      expect(got.status).toBe(200);
      expect(got.complete).toBe(true);
      let last: string | undefined;
      if (v.api === 'native') {
        const all = lines(got.body);
        expect(all.length).toBeGreaterThanOrEqual(2); // at least one frame before the error
        expect(all.some((l) => parses(l) && (JSON.parse(l) as { done?: boolean }).done === true)).toBe(false);
        last = all.at(-1);
      } else {
        const all = events(got.body);
        expect(all.length).toBeGreaterThanOrEqual(2);
        expect(all).not.toContain('[DONE]');
        last = all.at(-1);
      }
      const message = errorMessage(JSON.parse(last ?? ''), v);
      expect(message).toMatch(expected.message);
      // Exactly one error frame: nothing of Lookout's after Ollama's own.
      expect(got.body.split('"error"').length - 1).toBe(1);
      return;
    }
    case 'cut': {
      expect(got.status).toBe(200);
      expect(got.complete).toBe(false);
      const declared = Number(got.headers['content-length']);
      if (Number.isFinite(declared)) expect(Buffer.byteLength(got.body)).toBeLessThan(declared);
      expect(parses(got.body)).toBe(false);
      expect(got.body).not.toContain('"error"');
      return;
    }
    case 'passed_through': {
      expect(got.status).toBe(200);
      expect(got.complete).toBe(true);
      expect(got.body.length).toBeGreaterThan(0);
      expect(parses(got.body)).toBe(false);
      return;
    }
  }
}
