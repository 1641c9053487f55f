import { describe, expect, it } from 'vitest';
import { goDecode, goJson, parseGoDuration } from './go-json.ts';
import { decodeRequest, SCHEMAS } from './request-schema.ts';

function syntaxError(text: string): string {
  const result = goDecode(text);
  if (result.ok) throw new Error(`expected an error for ${text}`);
  return result.error.message;
}

describe('goJson', () => {
  it('escapes <, > and & like encoding/json', () => {
    expect(goJson({ s: '<|eot_id|> & more' })).toBe('{"s":"\\u003c|eot_id|\\u003e \\u0026 more"}');
  });
});

describe('goDecode: the Go decoder messages Ollama returns in 400 bodies', () => {
  it.each([
    ['{"model": x}', "invalid character 'x' looking for beginning of value"],
    ['{model: 1}', "invalid character 'm' looking for beginning of object key string"],
    ['{"model" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b":2}', `invalid character '"' after object key:value pair`],
    ['[1 2]', "invalid character '2' after array element"],
    ['{"a":tru}', "invalid character '}' in literal true (expecting 'e')"],
    ['{"a":-}', "invalid character '}' in numeric literal"],
    ['{"a":1.}', "invalid character '}' after decimal point in numeric literal"],
    ['{"a":"\\x"}', "invalid character 'x' in string escape code"],
    ['{"a":', 'unexpected EOF'],
    ['{"a":"b', 'unexpected EOF'],
    ["{'a':1}", "invalid character '\\'' looking for beginning of object key string"],
  ])('%s -> %s', (text, message) => {
    expect(syntaxError(text)).toBe(message);
  });

  it('reads one value and ignores what follows, like json.Decoder', () => {
    expect(goDecode('{"a":1} trailing junk')).toEqual({ ok: true, value: { a: 1 } });
  });

  it('calls an empty or blank body missing', () => {
    expect(goDecode('  \n')).toEqual({
      ok: false,
      error: { code: 'missing_body', message: 'missing request body' },
    });
  });
});

describe('decodeRequest: type errors of the request structs', () => {
  it('names struct, field and Go type', () => {
    const result = decodeRequest('{"model":"m","stream":"yes"}', SCHEMAS.generate);
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'type',
        message: 'json: cannot unmarshal string into Go struct field GenerateRequest.stream of type bool',
      },
    });
  });

  it('reports a non-object body against the whole struct', () => {
    const result = decodeRequest('[1]', SCHEMAS.chat);
    expect(result.ok ? '' : result.error.message).toBe(
      'json: cannot unmarshal array into Go value of type api.ChatRequest',
    );
  });

  it('checks chat messages', () => {
    const result = decodeRequest('{"messages":[{"role":"user","content":5}]}', SCHEMAS.chat);
    expect(result.ok ? '' : result.error.message).toBe(
      'json: cannot unmarshal number into Go struct field Message.messages.content of type string',
    );
  });

  it('matches keys case-insensitively and drops nulls', () => {
    expect(decodeRequest('{"Model":"m","Prompt":null}', SCHEMAS.generate)).toEqual({
      ok: true,
      fields: { model: 'm' },
    });
  });

  it('decodes keep_alive as seconds, Go durations, or forever when negative', () => {
    const fields = (text: string) => {
      const r = decodeRequest(text, SCHEMAS.generate);
      return r.ok ? r.fields.keep_alive : r.error.message;
    };
    expect(fields('{"keep_alive":2.5}')).toBe(2500);
    expect(fields('{"keep_alive":"1m30s"}')).toBe(90_000);
    expect(fields('{"keep_alive":-1}')).toBe(Number.POSITIVE_INFINITY);
    expect(fields('{"keep_alive":"-1"}')).toBe('time: missing unit in duration "-1"');
    expect(fields('{"keep_alive":true}')).toBe("Unsupported type: 'bool'");
  });
});

describe('parseGoDuration', () => {
  it('follows time.ParseDuration', () => {
    expect(parseGoDuration('300ms')).toEqual({ ok: true, ms: 300 });
    expect(parseGoDuration('1h2m3.5s')).toEqual({ ok: true, ms: 3_723_500 });
    expect(parseGoDuration('0')).toEqual({ ok: true, ms: 0 });
    expect(parseGoDuration('5d')).toEqual({ ok: false, message: 'time: unknown unit "d" in duration "5d"' });
    expect(parseGoDuration('abc')).toEqual({ ok: false, message: 'time: invalid duration "abc"' });
  });
});
