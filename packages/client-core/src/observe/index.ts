/** Body observers: pick one by the response's content type, then feed it every chunk handed to the caller. */
import type { BodyFraming, EndpointKind } from '../events.ts';
import { NdjsonObserver } from './ndjson.ts';
import { SingleBodyObserver } from './single.ts';
import { SseObserver } from './sse.ts';
import type { BodyObserver } from './types.ts';

export { NdjsonObserver } from './ndjson.ts';
export { SingleBodyObserver } from './single.ts';
export { SseObserver } from './sse.ts';
export type { BodyObserver, ObservedBody } from './types.ts';

/** Framing of a response from its status and `Content-Type`: streams only when 2xx and typed as one. */
export function framingOf(status: number, contentType: string | undefined): BodyFraming {
  if (status < 200 || status >= 300 || contentType === undefined) return 'single';
  const ct = contentType.toLowerCase();
  if (ct.startsWith('application/x-ndjson')) return 'ndjson';
  if (ct.startsWith('text/event-stream')) return 'sse';
  return 'single';
}

/** An observer for one response body. */
export function createBodyObserver(
  framing: BodyFraming,
  endpoint: EndpointKind,
  status: number,
): BodyObserver {
  if (framing === 'ndjson') return new NdjsonObserver(endpoint);
  if (framing === 'sse') return new SseObserver();
  return new SingleBodyObserver(endpoint, status);
}
