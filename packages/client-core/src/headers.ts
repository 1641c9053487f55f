/** Header handling for a transparent hop: hop-by-hop headers never cross it, and `Host` is the target's. */

/** Headers as a plain record (Node, undici) or as `[name, value]` pairs (a fetch `Headers`, arrays). */
export type HeadersInput =
  | Readonly<Record<string, string | readonly string[] | number | undefined>>
  | Iterable<readonly [string, string]>;

/** Response headers as undici delivers them: lower-case names. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

// RFC 9110 7.6.1 connection-specific fields, plus the ones the sender must compute itself.
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'host',
  'content-length',
]);

function entriesOf(
  input: HeadersInput,
): Iterable<readonly [string, string | readonly string[] | number | undefined]> {
  return Symbol.iterator in input
    ? (input as Iterable<readonly [string, string]>)
    : Object.entries(input as Record<string, string | readonly string[] | number | undefined>);
}

/**
 * Copies headers without hop-by-hop ones (and without those the `Connection` header names), with
 * lower-case names. `host` and `content-length` are dropped too: the sender sets them.
 */
export function withoutHopByHop(input: HeadersInput | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (input === undefined) return out;
  const named = new Set<string>();
  const entries = [...entriesOf(input)];
  for (const [name, value] of entries) {
    if (name.toLowerCase() === 'connection' && value !== undefined) {
      const list = Array.isArray(value) ? value.join(',') : String(value);
      for (const token of list.split(',')) named.add(token.trim().toLowerCase());
    }
  }
  for (const [rawName, value] of entries) {
    if (value === undefined) continue;
    const name = rawName.toLowerCase();
    if (HOP_BY_HOP.has(name) || named.has(name)) continue;
    const v = Array.isArray(value) ? [...(value as readonly string[])] : String(value);
    const prev = out[name];
    if (prev === undefined) out[name] = v;
    else out[name] = [...(Array.isArray(prev) ? prev : [prev]), ...(Array.isArray(v) ? v : [v])];
  }
  return out;
}

/**
 * Response headers a relay can pass on to its client: hop-by-hop ones dropped, `content-length`
 * kept (the body is passed through byte for byte, so it stays true).
 */
export function forwardableResponseHeaders(headers: ResponseHeaders): Record<string, string | string[]> {
  const out = withoutHopByHop(headers);
  const length = headers['content-length'];
  if (length !== undefined && headers['transfer-encoding'] === undefined) out['content-length'] = length;
  return out;
}

/** Request headers for the upstream: the caller's, minus hop-by-hop ones, with the target's `Host`. */
export function upstreamRequestHeaders(
  input: HeadersInput | undefined,
  targetHost: string,
): Record<string, string | string[]> {
  const out = withoutHopByHop(input);
  out.host = targetHost;
  return out;
}

/** One header value as a string (first of a list). */
export function headerValue(headers: ResponseHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
