import { describe, expect, test } from 'vitest';
import { forwardableResponseHeaders, upstreamRequestHeaders, withoutHopByHop } from './headers.ts';

describe('headers', () => {
  test('request headers lose hop-by-hop ones, those named by Connection, and get the target Host', () => {
    expect(
      upstreamRequestHeaders(
        {
          Host: 'relay:11435',
          Connection: 'keep-alive, X-Trace-Hop',
          'X-Trace-Hop': '1',
          'Keep-Alive': 'timeout=5',
          'Transfer-Encoding': 'chunked',
          'Content-Length': '12',
          Expect: '100-continue',
          Authorization: 'Bearer k',
          'Content-Type': 'application/json',
          'X-Multi': ['a', 'b'],
          'X-Undefined': undefined,
        },
        '127.0.0.1:11434',
      ),
    ).toEqual({
      authorization: 'Bearer k',
      'content-type': 'application/json',
      'x-multi': ['a', 'b'],
      host: '127.0.0.1:11434',
    });
  });

  test('accepts a fetch Headers object and [name, value] pairs', () => {
    const h = new Headers({ 'content-type': 'application/json', connection: 'close' });
    expect(withoutHopByHop(h)).toEqual({ 'content-type': 'application/json' });
    expect(
      withoutHopByHop([
        ['X-A', '1'],
        ['x-a', '2'],
      ]),
    ).toEqual({ 'x-a': ['1', '2'] });
  });

  test('response headers keep content-length for a byte-for-byte pass-through', () => {
    expect(
      forwardableResponseHeaders({
        'content-type': 'application/json; charset=utf-8',
        'content-length': '27',
        connection: 'keep-alive',
        'keep-alive': 'timeout=5',
        date: 'x',
      }),
    ).toEqual({ 'content-type': 'application/json; charset=utf-8', 'content-length': '27', date: 'x' });
    expect(forwardableResponseHeaders({ 'transfer-encoding': 'chunked', 'content-type': 'x' })).toEqual({
      'content-type': 'x',
    });
  });

  test('the input is not mutated', () => {
    const input = { Host: 'a', 'X-B': 'b' };
    upstreamRequestHeaders(input, 'c');
    expect(input).toEqual({ Host: 'a', 'X-B': 'b' });
  });
});
