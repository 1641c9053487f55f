import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createCallInfo } from '@lookout/client-core';
import { tokenMatches } from '../admin/token.ts';
import { forwardCall } from './forward.ts';
import { BodyTooLargeError, readRequestBody } from './http-io.ts';
import { MERGED_LISTINGS, serveMergedListing } from './listings.ts';
import { sendError } from './ollama-errors.ts';
import type { RelayContext } from './types.ts';

/** Calls that change one instance: with several targets the client must say which. */
const TARGET_CHANGING = new Set(['/api/pull', '/api/push', '/api/create', '/api/copy', '/api/delete']);

/**
 * The relay: Ollama's whole HTTP surface (`/`, `/api/*`, `/v1/*` and paths it does not know by name),
 * forwarded through the core. A plain node:http listener writing to the Node response directly, so
 * bytes stream through untouched and with backpressure; no web framework in between (the relay routes
 * on two things, and a framework's per-request Request/Context wrappers were ~10 % of the bytes it
 * allocated per relayed call).
 */
export function createRelayListener(ctx: RelayContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const requestId = randomUUID();
    if (ctx.drain.draining) {
      res.shouldKeepAlive = false;
      sendError(res, pathOf(req.url), requestId, 503, 'lookout: shutting down', { 'retry-after': '5' });
      return;
    }
    ctx.drain.track(res);
    handleRequest(ctx, req, res, requestId).catch((error: unknown) => {
      ctx.log.error({ err: error, requestId }, 'relay handler failed');
      if (!res.headersSent) sendError(res, pathOf(req.url), requestId, 500, 'lookout: internal error');
      else res.destroy();
    });
  };
}

async function handleRequest(
  ctx: RelayContext,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
): Promise<void> {
  const path = pathOf(req.url);
  if (ctx.config.relayKeys.length > 0 && !relayKeyAccepted(req.headers.authorization, ctx.config.relayKeys)) {
    sendError(
      res,
      path,
      requestId,
      401,
      'lookout: missing or unknown relay key (send Authorization: Bearer <key>)',
    );
    return;
  }
  const listing = req.method === 'GET' || req.method === 'HEAD';
  if (listing && Object.hasOwn(MERGED_LISTINGS, path) && headerOf(req, 'x-lookout-target') === undefined) {
    await serveMergedListing(ctx, res, path, requestId);
    return;
  }
  await relayOne(ctx, req, res, requestId, path);
}

/** The path of a request target, without the query (origin-form or absolute-form). */
function pathOf(url: string | undefined): string {
  const target = url ?? '/';
  if (target.startsWith('/')) {
    const q = target.indexOf('?');
    return q < 0 ? target : target.slice(0, q);
  }
  try {
    return new URL(target).pathname;
  } catch {
    return target;
  }
}

async function relayOne(
  ctx: RelayContext,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  route: string,
): Promise<void> {
  const startedAtMs = performance.now();
  let body: Buffer | undefined;
  try {
    body = await readRequestBody(req, ctx.config.maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      sendError(res, route, requestId, 413, `lookout: ${error.message}`);
    } else res.destroy(); // the client left mid-body: nobody to answer
    return;
  }

  const targetName = headerOf(req, 'x-lookout-target');
  const explicit = targetName === undefined ? undefined : ctx.registry.get(targetName);
  if (targetName !== undefined && explicit === undefined) {
    const names = ctx.registry.all.map((t) => t.name).join(', ');
    sendError(
      res,
      route,
      requestId,
      400,
      `lookout: unknown target "${targetName}" in X-Lookout-Target (one of: ${names})`,
    );
    return;
  }
  if (!explicit && TARGET_CHANGING.has(route) && ctx.registry.all.length > 1) {
    const names = ctx.registry.all.map((t) => t.name).join(', ');
    sendError(
      res,
      route,
      requestId,
      400,
      `lookout: ${route} changes one Ollama instance; name it with the X-Lookout-Target header (one of: ${names})`,
    );
    return;
  }

  const info = createCallInfo({
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    body,
    source: 'app',
    callId: requestId,
    startedAtMs,
  });
  await forwardCall(ctx, {
    req,
    res,
    info,
    body,
    requestId,
    route,
    rank: explicit ? () => explicit : (tried) => ctx.router.pick(info.model, tried),
  });
}

function relayKeyAccepted(header: string | undefined, keys: readonly string[]): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  const presented = header.slice(7).trim();
  let ok = false;
  for (const key of keys) ok = tokenMatches(presented, key) || ok; // no early exit: same time for all keys
  return ok;
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
