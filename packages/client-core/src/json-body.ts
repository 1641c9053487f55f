/** Decoding of response bodies for the high-level client: one JSON object, or NDJSON frames. */
import { type ErrorContext, type LookoutError, NetworkError, StreamError } from './errors.ts';
import type { UpstreamResponse } from './execute-call.ts';

/** The call's failure, or a generic one if the body ended wrong without a recorded failure. */
function failureOf(res: UpstreamResponse, context: ErrorContext): LookoutError | undefined {
  return (
    res.failure ??
    (res.status >= 400 ? new NetworkError('UNKNOWN', `HTTP ${res.status}`, context) : undefined)
  );
}

/** Reads the whole body; throws the call's failure (HTTP error status, timeouts, abort). */
export async function readJson<T>(res: UpstreamResponse, context: ErrorContext): Promise<T> {
  const parts: Buffer[] = [];
  for await (const chunk of res.body) parts.push(chunk);
  const failure = failureOf(res, context);
  if (failure !== undefined) throw failure;
  const text = Buffer.concat(parts).toString('utf8');
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new StreamError('malformed_frame', text.slice(0, 120), { ...context, cause: error });
  }
}

function parseFrame<T>(res: UpstreamResponse, line: string, context: ErrorContext): T & { error?: unknown } {
  try {
    return JSON.parse(line) as T & { error?: unknown };
  } catch (error) {
    const failure = new StreamError('malformed_frame', line.slice(0, 120), {
      ...context,
      phase: 'body',
      cause: error,
    });
    res.cancel(failure);
    throw res.failure ?? failure;
  }
}

/**
 * Yields each NDJSON frame as an object. An `{"error"}` frame ends the stream with the call's
 * `StreamError`; breaking out of the loop closes the upstream request.
 */
export async function* readNdjson<T>(
  res: UpstreamResponse,
  context: ErrorContext,
): AsyncGenerator<T, void, undefined> {
  const decoder = new TextDecoder();
  let pending = '';
  let sawError = false;
  try {
    for await (const chunk of res.body) {
      pending += decoder.decode(chunk, { stream: true });
      let nl = pending.indexOf('\n');
      while (nl !== -1) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (line.length > 0) {
          const frame = parseFrame<T>(res, line, context);
          if (frame.error !== undefined) sawError = true;
          else if (!sawError) yield frame as Awaited<T>;
        }
        nl = pending.indexOf('\n');
      }
    }
    const last = (pending + decoder.decode()).trim();
    if (last.length > 0 && !sawError) {
      const frame = parseFrame<T>(res, last, context);
      if (frame.error === undefined) yield frame as Awaited<T>;
    }
  } finally {
    // Ends the call when the consumer stops early (done frame seen = done, else an abort).
    await res.body.return?.();
  }
  const failure = failureOf(res, context);
  if (failure !== undefined) throw failure;
}
