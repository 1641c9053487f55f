import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/**
 * The client's headers minus Lookout's own (its target header, and the relay key when keys are set).
 * Hop-by-hop headers and `Host` are the core's to handle (client-core `upstreamRequestHeaders`); the
 * headers object is passed as it is when there is nothing of Lookout's in it, the common case.
 */
export function withoutLookoutHeaders(
  headers: IncomingHttpHeaders,
  options: { stripAuthorization: boolean },
): IncomingHttpHeaders {
  const strip = options.stripAuthorization && headers.authorization !== undefined;
  if (!strip && headers['x-lookout-target'] === undefined) return headers;
  const out: IncomingHttpHeaders = { ...headers };
  delete out['x-lookout-target'];
  if (strip) delete out.authorization;
  return out;
}

export class BodyTooLargeError extends Error {
  readonly code = 'LOOKOUT_BODY_TOO_LARGE';
  constructor(readonly limitBytes: number) {
    super(`request body larger than ${limitBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * Reads a request body whole, refusing past `maxBytes` (by Content-Length up front, else as it arrives).
 * Request bodies are small JSON; it is responses that stream.
 */
export function readRequestBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.reject(new BodyTooLargeError(maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        req.resume();
        reject(new BodyTooLargeError(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(size === 0 ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onClose = () => {
      cleanup();
      reject(new Error('client closed the connection while sending the body'));
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
