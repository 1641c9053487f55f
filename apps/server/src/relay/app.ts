import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { createCallInfo } from '@lookout/client-core';
import { Hono } from 'hono';
import { tokenMatches } from '../admin/token.ts';
import { forwardCall } from './forward.ts';
import { BodyTooLargeError, readRequestBody } from './http-io.ts';
import { MERGED_LISTINGS, sendNeedsTarget, serveMergedListing } from './listings.ts';
import { errorBody } from './ollama-errors.ts';
import type { RelayContext } from './types.ts';

/** Calls that change one instance: with several targets the client must say which. */
const TARGET_CHANGING = new Set(['/api/pull', '/api/push', '/api/create', '/api/copy', '/api/delete']);

type RelayEnv = { Bindings: HttpBindings; Variables: { requestId: string } };

/**
 * The relay: Ollama's whole HTTP surface (`/`, `/api/*`, `/v1/*` and paths it does not know by name),
 * forwarded through the core. Handlers write to the Node response directly so bytes stream through
 * untouched and with backpressure.
 */
export function createRelayApp(ctx: RelayContext): Hono<RelayEnv> {
  const app = new Hono<RelayEnv>();

  app.use(async (c, next) => {
    const requestId = randomUUID();
    c.set('requestId', requestId);
    if (
      ctx.config.relayKeys.length > 0 &&
      !relayKeyAccepted(c.req.header('authorization'), ctx.config.relayKeys)
    ) {
      return sendError(
        c.env.outgoing,
        c.req.path,
        requestId,
        401,
        'lookout: missing or unknown relay key (send Authorization: Bearer <key>)',
      );
    }
    await next();
  });

  for (const route of Object.keys(MERGED_LISTINGS)) {
    app.get(route, async (c) => {
      const { outgoing } = c.env;
      const explicit = c.req.header('x-lookout-target');
      if (explicit !== undefined) {
        await relayOne(ctx, c.env.incoming, outgoing, c.get('requestId'));
      } else await serveMergedListing(ctx, outgoing, route, c.get('requestId'));
      return RESPONSE_ALREADY_SENT;
    });
  }

  app.all('*', async (c) => {
    await relayOne(ctx, c.env.incoming, c.env.outgoing, c.get('requestId'));
    return RESPONSE_ALREADY_SENT;
  });

  app.onError((error, c) => {
    ctx.log.error({ err: error, requestId: c.get('requestId') }, 'relay handler failed');
    const res = c.env.outgoing;
    if (!res.headersSent) sendError(res, c.req.path, c.get('requestId'), 500, 'lookout: internal error');
    else res.destroy();
    return RESPONSE_ALREADY_SENT;
  });
  return app;
}

async function relayOne(
  ctx: RelayContext,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
): Promise<void> {
  const startedAtMs = performance.now();
  const url = req.url ?? '/';
  const route = url.split('?')[0]!;
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
    sendNeedsTarget(
      res,
      route,
      requestId,
      ctx.registry.all.map((t) => t.name),
    );
    return;
  }

  const info = createCallInfo({
    method: req.method ?? 'GET',
    path: url,
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

function sendError(
  res: ServerResponse,
  route: string,
  requestId: string,
  status: number,
  message: string,
): Response {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'x-lookout-request-id': requestId,
  });
  res.end(errorBody(route, status, message));
  return RESPONSE_ALREADY_SENT;
}
