import type { ServerResponse } from 'node:http';

/**
 * Errors Lookout itself produces, in Ollama's shapes so clients handle them as they would Ollama's:
 * native `{"error":"..."}`, and on `/v1` OpenAI's `{"error":{"message","type","param","code"}}`.
 */

export type ApiFlavour = 'native' | 'openai';

export function flavourOf(path: string): ApiFlavour {
  return path === '/v1' || path.startsWith('/v1/') ? 'openai' : 'native';
}

/** OpenAI's error type for a status, as Ollama's compatibility layer maps it. */
function openAiType(status: number): string {
  if (status === 400 || status === 413) return 'invalid_request_error';
  if (status === 401) return 'authentication_error';
  if (status === 404) return 'not_found_error';
  return 'api_error';
}

/** The JSON body of an error response for a request on `path`. */
export function errorBody(path: string, status: number, message: string): string {
  if (flavourOf(path) === 'openai') {
    return JSON.stringify({ error: { message, type: openAiType(status), param: null, code: null } });
  }
  return JSON.stringify({ error: message });
}

/** Answers a request on `route` with one of Lookout's own errors, before any byte of an answer went out. */
export function sendError(
  res: ServerResponse,
  route: string,
  requestId: string,
  status: number,
  message: string,
  extraHeaders?: Record<string, string>,
): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'x-lookout-request-id': requestId,
    ...extraHeaders,
  });
  res.end(errorBody(route, status, message));
}

/**
 * The last bytes of a stream that failed after bytes reached the client: a native stream ends with an
 * `{"error":"..."}` line, as Ollama does; an SSE stream gets an error event and no `[DONE]`.
 */
export function midStreamErrorFrame(path: string, message: string): string {
  if (flavourOf(path) === 'openai') {
    return `data: ${JSON.stringify({ error: { message, type: 'api_error', param: null, code: null } })}\n\n`;
  }
  return `${JSON.stringify({ error: message })}\n`;
}
