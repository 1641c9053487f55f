/**
 * createOllamaClient: a typed Ollama client on the core, with the four budgets, retries, a gate and
 * call events. Streams are async iterables; every method takes an `AbortSignal`.
 */
import { randomUUID } from 'node:crypto';
import type { RetryPolicy } from './backoff.ts';
import type { SinkErrorHandler } from './call-events.ts';
import { createCallInfo } from './classify.ts';
import { AbortedError, type ErrorContext } from './errors.ts';
import type { CallEventSink, CallSource } from './events.ts';
import { type CallTarget, executeCall, type UpstreamResponse } from './execute-call.ts';
import { type CallGate, type GateLimits, TargetGate } from './gate.ts';
import type { HeadersInput } from './headers.ts';
import { readJson, readNdjson } from './json-body.ts';
import type {
  ChatRequest,
  ChatResponse,
  EmbedRequest,
  EmbedResponse,
  GenerateRequest,
  GenerateResponse,
  ListResponse,
  ProgressResponse,
  PsResponse,
  PullRequest,
  ShowRequest,
  ShowResponse,
  VersionResponse,
} from './ollama-types.ts';
import { UpstreamPool } from './pool.ts';
import { resolveTimeouts, type Timeouts } from './timeouts.ts';

export interface OllamaClientOptions {
  /** Ollama's address; default `http://127.0.0.1:11434`. Without a scheme `http://` is assumed, without a port 11434. */
  host?: string;
  timeouts?: Partial<Timeouts>;
  retry?: Partial<RetryPolicy>;
  /** A gate to share, or limits for the client's own. Default: no limit, no queue. */
  gate?: CallGate | Partial<GateLimits>;
  /** Headers sent with every request (e.g. `authorization` for a relay with keys). */
  headers?: HeadersInput;
  /** A pool to share; otherwise the client owns one and `close()` closes it. */
  pool?: UpstreamPool;
  sink?: CallEventSink;
  onSinkError?: SinkErrorHandler;
  /** Who makes the calls, for metrics. Default `app`. */
  source?: CallSource;
  /** Target name in events and errors. Default: the host's `host:port`. */
  name?: string;
}

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal;
  timeouts?: Partial<Timeouts>;
  headers?: HeadersInput;
  source?: CallSource;
}

/** A stream of frames; `abort()` ends it and closes the upstream request. */
export interface OllamaStream<T> extends AsyncIterable<T> {
  readonly response: UpstreamResponse;
  abort(): void;
}

export interface OllamaClient {
  chat(request: ChatRequest & { stream: true }, options?: CallOptions): Promise<OllamaStream<ChatResponse>>;
  chat(request: ChatRequest & { stream?: false }, options?: CallOptions): Promise<ChatResponse>;
  generate(
    request: GenerateRequest & { stream: true },
    options?: CallOptions,
  ): Promise<OllamaStream<GenerateResponse>>;
  generate(request: GenerateRequest & { stream?: false }, options?: CallOptions): Promise<GenerateResponse>;
  pull(
    request: PullRequest & { stream: true },
    options?: CallOptions,
  ): Promise<OllamaStream<ProgressResponse>>;
  pull(request: PullRequest & { stream?: false }, options?: CallOptions): Promise<ProgressResponse>;
  embed(request: EmbedRequest, options?: CallOptions): Promise<EmbedResponse>;
  /** Models available locally (`GET /api/tags`). */
  list(options?: CallOptions): Promise<ListResponse>;
  /** Models loaded now (`GET /api/ps`). */
  ps(options?: CallOptions): Promise<PsResponse>;
  show(request: ShowRequest, options?: CallOptions): Promise<ShowResponse>;
  version(options?: CallOptions): Promise<VersionResponse>;
  /** Any endpoint, raw: resolves at the headers with the body as bytes (error statuses included). */
  request(method: string, path: string, body?: unknown, options?: CallOptions): Promise<UpstreamResponse>;
  readonly host: string;
  readonly gate: CallGate;
  /** Closes the client's own pool (a shared pool is left open). */
  close(): Promise<void>;
}

/** Normalises a host the way the official clients do. */
export function normalizeHost(host: string | undefined): string {
  const raw = (host ?? 'http://127.0.0.1:11434').trim();
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw);
  const url = new URL(hasScheme ? raw : `http://${raw.startsWith(':') ? `127.0.0.1${raw}` : raw}`);
  if (!hasScheme && url.port === '') url.port = '11434';
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`host must be an http(s) URL, got ${host}`);
  }
  return `${url.origin}${url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '')}`;
}

const encoder = new TextEncoder();

/**
 * Creates a client.
 * @example
 * const ollama = createOllamaClient({ host: 'http://127.0.0.1:11434', timeouts: { firstByteTimeoutMs: 5_000 } });
 * const stream = await ollama.chat({ model: 'llama3.2:1b', messages: [{ role: 'user', content: 'hi' }], stream: true });
 * for await (const part of stream) process.stdout.write(part.message.content);
 */
export function createOllamaClient(options: OllamaClientOptions = {}): OllamaClient {
  const host = normalizeHost(options.host);
  const name = options.name ?? new URL(host).host;
  resolveTimeouts(options.timeouts); // validate eagerly
  const gate: CallGate =
    options.gate !== undefined && 'acquire' in options.gate
      ? options.gate
      : new TargetGate({
          name,
          maxConcurrent: Number.POSITIVE_INFINITY,
          maxQueue: 0,
          ...(options.gate as Partial<GateLimits> | undefined),
        });
  const ownsPool = options.pool === undefined;
  const pool = options.pool ?? new UpstreamPool();
  const target: CallTarget = { name, url: host, gate };

  async function request(
    method: string,
    path: string,
    body: unknown,
    callOptions: CallOptions = {},
  ): Promise<UpstreamResponse> {
    const bytes = body === undefined ? undefined : encoder.encode(JSON.stringify(body));
    const info = createCallInfo({
      method,
      path,
      body: bytes,
      source: callOptions.source ?? options.source ?? 'app',
      callId: randomUUID(),
    });
    const headers: Record<string, string> = { accept: 'application/json' };
    if (bytes !== undefined) headers['content-type'] = 'application/json';
    return executeCall({
      info,
      request: { headers: mergeHeaders(headers, options.headers, callOptions.headers), body: bytes },
      pickTarget: () => target,
      pool,
      timeouts: { ...options.timeouts, ...callOptions.timeouts },
      retry: options.retry,
      signal: callOptions.signal,
      sink: options.sink,
      onSinkError: options.onSinkError,
    });
  }

  function contextOf(method: string, path: string): ErrorContext {
    return { method, url: `${host}${path}`, target: name };
  }

  async function json<T>(method: string, path: string, body: unknown, callOptions?: CallOptions): Promise<T> {
    const res = await request(method, path, body, callOptions);
    return readJson<T>(res, contextOf(method, path));
  }

  async function streamOrJson<T>(
    path: string,
    body: { stream?: boolean },
    callOptions: CallOptions | undefined,
  ): Promise<OllamaStream<T> | T> {
    const stream = body.stream === true;
    const sent = { ...body, stream };
    if (!stream) return json<T>('POST', path, sent, callOptions);
    // The stream owns an abort of its own, fed by the caller's signal while the call runs.
    const own = new AbortController();
    const outer = callOptions?.signal;
    const forward = (): void => own.abort(outer?.reason);
    outer?.addEventListener('abort', forward, { once: true });
    if (outer?.aborted) forward();
    try {
      const res = await request('POST', path, sent, { ...callOptions, signal: own.signal });
      res.settled.then(() => outer?.removeEventListener('abort', forward));
      if (res.status >= 400) {
        await readJson<T>(res, contextOf('POST', path)); // throws the HTTP error with Ollama's text
      }
      const frames = readNdjson<T>(res, contextOf('POST', path));
      return {
        response: res,
        abort: () => own.abort(new AbortedError(contextOf('POST', path))),
        [Symbol.asyncIterator]: () => frames,
      };
    } catch (error) {
      outer?.removeEventListener('abort', forward);
      throw error;
    }
  }

  const client = {
    host,
    gate,
    chat: (req: ChatRequest, o?: CallOptions) => streamOrJson<ChatResponse>('/api/chat', req, o),
    generate: (req: GenerateRequest, o?: CallOptions) =>
      streamOrJson<GenerateResponse>('/api/generate', req, o),
    pull: (req: PullRequest, o?: CallOptions) => streamOrJson<ProgressResponse>('/api/pull', req, o),
    embed: (req: EmbedRequest, o?: CallOptions) => json<EmbedResponse>('POST', '/api/embed', req, o),
    list: (o?: CallOptions) => json<ListResponse>('GET', '/api/tags', undefined, o),
    ps: (o?: CallOptions) => json<PsResponse>('GET', '/api/ps', undefined, o),
    show: (req: ShowRequest, o?: CallOptions) => json<ShowResponse>('POST', '/api/show', req, o),
    version: (o?: CallOptions) => json<VersionResponse>('GET', '/api/version', undefined, o),
    request: (method: string, path: string, body?: unknown, o?: CallOptions) =>
      request(method, path, body, o),
    close: async () => {
      if (ownsPool) await pool.close();
    },
  };
  return client as OllamaClient;
}

function mergeHeaders(...layers: (HeadersInput | undefined)[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const layer of layers) {
    if (layer === undefined) continue;
    const entries =
      Symbol.iterator in layer ? [...(layer as Iterable<readonly [string, string]>)] : Object.entries(layer);
    for (const [k, v] of entries) {
      if (v === undefined) continue;
      out[k.toLowerCase()] = Array.isArray(v) ? [...(v as readonly string[])] : String(v);
    }
  }
  return out;
}
