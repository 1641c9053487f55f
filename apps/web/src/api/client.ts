import { ApiErrorSchema } from '@lookout/contracts';
import type { z } from 'zod';

/** Stable codes of failures the client itself detects; HTTP errors carry the server's code. */
export type ClientErrorCode = 'network_error' | 'invalid_response';

/**
 * A failed API call as a value: `code` is the server's (`unauthorized`, `invalid_rule`, ...) or one of
 * `ClientErrorCode`; `fields` maps a field path to what is wrong with it (400 on invalid input).
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: string,
    message: string,
    /** HTTP status; null when no response arrived. */
    readonly status: number | null,
    readonly fields: Readonly<Record<string, string>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isApiError(error: unknown): error is ApiError {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'ApiError';
}

/** The session is missing or expired: the app shows the sign-in screen. */
export function isUnauthorized(error: unknown): boolean {
  return isApiError(error) && error.status === 401;
}

export interface ApiClient {
  get<S extends z.ZodType>(path: string, schema: S): Promise<z.output<S>>;
  /** A body-less answer (204) resolves to undefined. */
  send<S extends z.ZodType>(
    method: 'POST' | 'PUT' | 'DELETE',
    path: string,
    body: unknown,
    schema: S,
  ): Promise<z.output<S>>;
  sendNoContent(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<void>;
}

export interface ApiClientOptions {
  /** Prefix of every path; empty for the same origin (production, and the dev server's proxy). */
  readonly baseUrl?: string;
  readonly fetch?: typeof fetch;
}

/** A small JSON client for the dashboard API: errors as `ApiError` values, bodies checked with the contract schemas. */
export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const baseUrl = options.baseUrl ?? '';
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  async function request(method: string, path: string, body: unknown): Promise<Response> {
    const url = `${baseUrl}${path}`;
    let response: Response;
    try {
      response = await doFetch(url, {
        method,
        credentials: 'same-origin',
        headers:
          body === undefined
            ? { accept: 'application/json' }
            : { accept: 'application/json', 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (cause) {
      throw new ApiError(
        'network_error',
        `${method} ${path} failed: the server did not answer`,
        null,
        {},
        { cause },
      );
    }
    if (!response.ok) throw await errorOf(method, path, response);
    return response;
  }

  async function parse<S extends z.ZodType>(method: string, path: string, response: Response, schema: S) {
    let json: unknown;
    try {
      json = await response.json();
    } catch (cause) {
      throw new ApiError(
        'invalid_response',
        `${method} ${path}: the answer is not JSON`,
        response.status,
        {},
        { cause },
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.join('.') || 'body';
      throw new ApiError(
        'invalid_response',
        `${method} ${path}: the answer does not match the contract at ${where}: ${issue?.message ?? ''}`,
        response.status,
      );
    }
    return parsed.data as z.output<S>;
  }

  return {
    async get(path, schema) {
      return parse('GET', path, await request('GET', path, undefined), schema);
    },
    async send(method, path, body, schema) {
      const response = await request(method, path, body);
      return parse(method, path, response, schema);
    },
    async sendNoContent(method, path, body) {
      const response = await request(method, path, body);
      await response.body?.cancel();
    },
  };
}

async function errorOf(method: string, path: string, response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const parsed = ApiErrorSchema.safeParse(JSON.parse(text));
    if (parsed.success) {
      const { code, message, fields } = parsed.data.error;
      return new ApiError(code, message, response.status, fields ?? {});
    }
  } catch {
    // not JSON: fall through to a message naming the status
  }
  return new ApiError(
    `http_${response.status}`,
    `${method} ${path} answered ${response.status}`,
    response.status,
  );
}
