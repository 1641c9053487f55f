import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AttemptFailure,
  type CallInfo,
  type CallTarget,
  forwardableResponseHeaders,
  isLookoutError,
  isStreamError,
  type LookoutError,
  type StartedCall,
  startCall,
  type UpstreamResponse,
} from '@lookout/client-core';
import type { RelayTarget } from '../targets/registry.ts';
import { withoutLookoutHeaders } from './http-io.ts';
import { midStreamErrorFrame, sendError } from './ollama-errors.ts';
import type { RelayContext } from './types.ts';

/** Endpoints whose calls may legitimately run for hours (a 40 GB pull), whatever the total budget. */
const LONG_RUNNING = new Set(['/api/pull', '/api/push', '/api/create']);
const LONG_RUNNING_TOTAL_MS = 6 * 3600 * 1000;
const LF = 0x0a;

export interface ForwardInput {
  req: IncomingMessage;
  res: ServerResponse;
  info: CallInfo;
  body: Buffer | undefined;
  requestId: string;
  /** The request's path without its query: the route of its budgets and of its error shape. */
  route: string;
  /** Targets to try, best first (re-ranked per attempt when `rank` is given). */
  rank: (tried: ReadonlySet<string>) => RelayTarget | undefined;
}

/**
 * Sends one client call through the core (gate, budgets, retries with failover) and passes the answer
 * back byte for byte as it arrives. A failure before the first byte becomes an Ollama-shaped error with
 * the status of DESIGN.md; after it, the stream ends the way Ollama ends a failed stream.
 */
export async function forwardCall(ctx: RelayContext, input: ForwardInput): Promise<void> {
  const { req, info } = input;
  const first = input.rank(new Set());
  const firstPolicy = first?.policyFor(info.model);
  const totalTimeoutMs = LONG_RUNNING.has(input.route)
    ? Math.max(LONG_RUNNING_TOTAL_MS, firstPolicy?.timeouts.totalTimeoutMs ?? 0)
    : undefined;
  let firstPick: RelayTarget | undefined = first;
  const tried = new Set<string>();
  const pickTarget = (_attempt: number, failures: readonly AttemptFailure[]): CallTarget | undefined => {
    for (const f of failures) tried.add(f.target);
    const target = firstPick ?? input.rank(tried);
    const policy = firstPick ? firstPolicy : target?.policyFor(info.model);
    firstPick = undefined;
    if (!target || !policy) return undefined;
    const timeouts = policy.timeouts;
    return {
      name: target.name,
      url: target.url,
      gate: target.gate,
      timeouts: totalTimeoutMs === undefined ? timeouts : { ...timeouts, totalTimeoutMs },
    };
  };

  // An abort handle rather than an AbortSignal: in Node 20 every AbortSignal gets a V8 map of its own
  // (~2.5 % of the relay's CPU, and a third of the bytes per call that outlived a scavenge).
  const call = startCall({
    info,
    request: {
      headers: withoutLookoutHeaders(req.headers, { stripAuthorization: ctx.config.relayKeys.length > 0 }),
      body: input.body,
    },
    pickTarget,
    pool: ctx.pool,
    retry: {
      maxRetries: firstPolicy?.maxRetries ?? ctx.config.maxRetries,
      baseDelayMs: ctx.config.retryBaseDelayMs,
      maxDelayMs: ctx.config.retryMaxDelayMs,
    },
    sink: ctx.sink,
    onSinkError: (error) => ctx.log.error({ err: error }, 'metrics sink failed'),
  });
  ctx.drain.add(call);
  try {
    await answer(input, call);
  } finally {
    ctx.drain.remove(call);
  }
}

/** Waits for the call's response and passes it to the client (or the failure, Ollama-shaped). */
async function answer(input: ForwardInput, call: StartedCall): Promise<void> {
  const { res, info, requestId, route } = input;
  let clientLeft = false;
  const onClose = (): void => {
    if (res.writableFinished) return;
    clientLeft = true;
    call.abort(new Error('client closed the connection'));
  };
  res.on('close', onClose);

  let upstream: UpstreamResponse;
  try {
    upstream = await call.response;
  } catch (error) {
    res.off('close', onClose);
    if (!clientLeft) sendCoreError(res, route, requestId, error);
    return;
  }

  // Added to the copy, not spread into a new literal: spreading headers objects of varying shapes was
  // the most expensive line of the relay (~2 % of its CPU).
  const headers = forwardableResponseHeaders(upstream.headers);
  headers['x-lookout-request-id'] = requestId;
  headers['x-lookout-target'] = upstream.target;
  headers['x-lookout-queue-ms'] = String(Math.round(upstream.queueWaitMs));
  res.writeHead(upstream.status, headers);
  if (info.streaming) res.flushHeaders();
  await pipeBody(res, route, upstream);
  res.off('close', onClose);
}

/**
 * Copies the upstream body to the client with backpressure. If it fails, a stream ends Ollama's way (an
 * error frame, `lookout: ...`) and a one-piece body is cut (the connection closes before its end).
 */
async function pipeBody(res: ServerResponse, route: string, upstream: UpstreamResponse): Promise<void> {
  // The last two bytes sent, to close a frame cut in the middle before the error frame.
  let beforeLast = LF;
  let last = LF;
  try {
    for await (const chunk of upstream.body) {
      const n = chunk.length;
      if (n > 0) {
        beforeLast = n >= 2 ? chunk[n - 2]! : last;
        last = chunk[n - 1]!;
      }
      if (!res.write(chunk)) await drained(res);
      if (res.destroyed) break; // the client went away: the iterator's return() closes the upstream request
    }
  } catch (error) {
    if (res.destroyed) return; // the client went away
    if (upstream.framing === 'single' && isStreamError(error) && error.reason === 'malformed_frame') {
      res.end(); // every byte the upstream sent went out as sent; the document itself is broken
      return;
    }
    if (upstream.framing === 'single' || res.hasHeader('content-length')) {
      // A one-piece body (a JSON document) cut after its headers: nothing can follow a document that has
      // begun, and bytes past a declared Content-Length would be read as the next response. Closing the
      // connection before the body's end is what tells the client the answer is incomplete.
      res.destroy();
      return;
    }
    // Bytes may have gone out already: close the frame in progress, then Ollama's own error frame.
    const message = `lookout: ${isLookoutError(error) ? error.message : 'upstream stream failed'}`;
    if (last !== LF) res.write(upstream.framing === 'sse' ? '\n\n' : '\n');
    else if (upstream.framing === 'sse' && beforeLast !== LF) res.write('\n');
    res.end(midStreamErrorFrame(route, message));
    return;
  }
  if (!res.destroyed) res.end();
}

/** Waits until the client takes more, or leaves. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** A failure before any byte reached the client, as the status DESIGN.md gives it. */
export function sendCoreError(res: ServerResponse, route: string, requestId: string, error: unknown): void {
  const failure: LookoutError | undefined = isLookoutError(error) ? error : undefined;
  const headers: Record<string, string> = {};
  if (failure?.target) headers['x-lookout-target'] = failure.target;
  // By code, not outcome: a shutdown counts as `timeout_total` but tells the client to come back (503).
  let status: number;
  switch (failure?.code) {
    case 'LOOKOUT_SHUTDOWN':
      status = 503;
      headers['retry-after'] = '5';
      break;
    case 'LOOKOUT_QUEUE_FULL':
      status = 503;
      headers['retry-after'] = '1';
      break;
    case 'LOOKOUT_QUEUE_TIMEOUT':
    case 'LOOKOUT_UPSTREAM_BUSY':
      status = 503;
      headers['retry-after'] = '2';
      break;
    case 'LOOKOUT_CONNECT_TIMEOUT':
    case 'LOOKOUT_FIRST_BYTE_TIMEOUT':
    case 'LOOKOUT_TOTAL_TIMEOUT':
    case 'LOOKOUT_IDLE_TIMEOUT':
      status = 504;
      break;
    case 'LOOKOUT_BAD_REQUEST':
      status = 400;
      break;
    default:
      status = 502;
  }
  const message = failure ? `lookout: ${failure.message}` : 'lookout: no target could be reached';
  sendError(res, route, requestId, status, message, headers);
}
