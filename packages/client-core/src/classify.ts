/**
 * Classifies a request from its method, path and body bytes: which endpoint, which model, and
 * whether the response will stream (endpoint + `stream` field + that endpoint's default).
 */
import type { CallInfo, CallSource, EndpointKind } from './events.ts';

/** What the core needs to know about a request before sending it. */
export interface RequestClass {
  endpoint: EndpointKind;
  model: string | undefined;
  streaming: boolean;
}

/** Native endpoints that stream unless the body says `"stream": false`. */
const STREAM_BY_DEFAULT: ReadonlySet<string> = new Set([
  '/api/generate',
  '/api/chat',
  '/api/pull',
  '/api/push',
  '/api/create',
]);

const ENDPOINTS: Readonly<Record<string, EndpointKind>> = {
  '/api/generate': 'generate',
  '/api/chat': 'chat',
  '/api/embed': 'embed',
  '/api/embeddings': 'embed',
  '/api/pull': 'pull',
  '/v1/chat/completions': 'openai_chat',
  '/v1/completions': 'openai_completions',
  '/v1/embeddings': 'openai_embeddings',
};

const decoder = new TextDecoder();

function parseBody(body: Uint8Array | string | undefined): Record<string, unknown> | undefined {
  if (body === undefined || body.length === 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(typeof body === 'string' ? body : decoder.decode(body));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    // Not JSON: upstream will answer 400; the call is still classified by its path.
    return undefined;
  }
}

/** Path without query string and trailing slash, e.g. `/api/chat?x=1` -> `/api/chat`. */
function routeOf(path: string): string {
  const q = path.indexOf('?');
  let route = q === -1 ? path : path.slice(0, q);
  if (route.length > 1 && route.endsWith('/')) route = route.slice(0, -1);
  return route;
}

/**
 * Classifies a request. Unknown paths are `other` and never stream unless the body sets
 * `"stream": true`.
 * @example classifyRequest({ method: 'POST', path: '/api/chat', body }) // { endpoint: 'chat', model: 'llama3.2:1b', streaming: true }
 */
export function classifyRequest(request: {
  method: string;
  path: string;
  body?: Uint8Array | string | undefined;
}): RequestClass {
  const route = routeOf(request.path);
  const endpoint: EndpointKind = ENDPOINTS[route] ?? 'other';
  const json = request.method.toUpperCase() === 'GET' ? undefined : parseBody(request.body);
  const stream = json?.stream;
  let model: string | undefined;
  if (typeof json?.model === 'string') model = json.model;
  else if (typeof json?.name === 'string')
    model = json.name; // legacy field of show/pull/delete
  else if (route.startsWith('/v1/models/')) model = decodeURIComponent(route.slice('/v1/models/'.length));

  let streaming: boolean;
  if (endpoint === 'embed' || endpoint === 'openai_embeddings') streaming = false;
  else if (STREAM_BY_DEFAULT.has(route)) streaming = stream !== false;
  else streaming = stream === true; // `/v1/*` and unknown endpoints: off unless asked
  return { endpoint, model, streaming };
}

/** Builds the `CallInfo` every event of a call shares. */
export function createCallInfo(options: {
  method: string;
  path: string;
  body?: Uint8Array | string | undefined;
  source: CallSource;
  callId: string;
  startedAtMs?: number | undefined;
}): CallInfo {
  const cls = classifyRequest(options);
  return Object.freeze({
    callId: options.callId,
    source: options.source,
    method: options.method.toUpperCase(),
    path: options.path,
    endpoint: cls.endpoint,
    model: cls.model,
    streaming: cls.streaming,
    startedAtMs: options.startedAtMs ?? performance.now(),
  });
}
