import { GIN_JSON, type SurfaceSpelling } from './call.ts';
import { goJson } from './go-json.ts';

/**
 * Native errors. Handlers answer with gin's c.JSON (`application/json; charset=utf-8`); a stream failing before
 * its first line is answered by streamResponse with `application/json`; after that, a bare `{"error"}` line.
 */
export function nativeSpelling(stream: boolean, model = ''): SurfaceSpelling {
  return {
    errorReply: (_status, message) => ({ contentType: GIN_JSON, body: goJson({ error: message }) }),
    errorBeforeStart: (_status, message) => ({
      contentType: stream ? 'application/json' : GIN_JSON,
      body: goJson({ error: message }),
    }),
    midStreamError: (message) => `${goJson({ error: message })}\n`,
    malformedChunk: () => `{"model":${goJson(model)},"created_at":"\n`,
  };
}

/** The `type` Ollama's OpenAI layer gives an error of this status. */
export function openaiErrorType(status: number): string {
  if (status === 400) return 'invalid_request_error';
  if (status === 404) return 'not_found_error';
  return 'api_error';
}

/** `{"error":{"message","type","param":null,"code":null}}` */
export function openaiErrorBody(status: number, message: string): string {
  return goJson({ error: { message, type: openaiErrorType(status), param: null, code: null } });
}

/**
 * /v1 errors: the response writers re-encode a handler's error with json.Encoder (`application/json` and a
 * trailing newline). Mid-stream, Ollama 0.12.6's ChatWriter decodes the `{"error"}` line as an empty chunk, so
 * the stream gets one chunk with no content and ends without `[DONE]`.
 */
export function openaiSpelling(emptyChunk: () => string): SurfaceSpelling {
  const reply = (status: number, message: string) => ({
    contentType: 'application/json',
    body: `${openaiErrorBody(status, message)}\n`,
  });
  return {
    errorReply: reply,
    errorBeforeStart: reply,
    midStreamError: () => `data: ${emptyChunk()}\n\n`,
    malformedChunk: () => 'data: {"id":"chatcmpl-0","object":\n\n',
  };
}

/** Errors the OpenAI middleware itself returns (AbortWithStatusJSON: gin's content type, no newline). */
export function openaiMiddlewareError(
  status: number,
  message: string,
): { contentType: string; body: string } {
  return { contentType: GIN_JSON, body: openaiErrorBody(status, message) };
}
