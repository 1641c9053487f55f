import type { ServerResponse } from 'node:http';
import { createCallInfo, executeCall } from '@lookout/client-core';
import type { RelayTarget } from '../targets/registry.ts';
import { sendCoreError } from './forward.ts';
import type { RelayContext } from './types.ts';

/** Listings answered from every up target at once, merged into one answer of Ollama's shape. */
export const MERGED_LISTINGS: Readonly<Record<string, (parts: unknown[]) => unknown>> = {
  '/api/tags': (parts) => ({
    models: uniqueBy(
      parts.flatMap((p) => arrayField(p, 'models')),
      'name',
    ),
  }),
  // Each entry is a model loaded on one instance: the same model on two targets is two entries.
  '/api/ps': (parts) => ({ models: parts.flatMap((p) => arrayField(p, 'models')) }),
  '/v1/models': (parts) => ({
    object: 'list',
    data: uniqueBy(
      parts.flatMap((p) => arrayField(p, 'data')),
      'id',
    ),
  }),
};

function arrayField(part: unknown, field: string): Record<string, unknown>[] {
  const value = (part as Record<string, unknown> | null)?.[field];
  return Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
}

function uniqueBy(items: Record<string, unknown>[], key: string): Record<string, unknown>[] {
  const seen = new Set<unknown>();
  return items.filter((item) => {
    if (seen.has(item[key])) return false;
    seen.add(item[key]);
    return true;
  });
}

/**
 * Asks every up target (every target when none is known up) for `route` and merges the answers. Targets
 * that fail are left out; only when all fail does the client get the error.
 */
export async function serveMergedListing(
  ctx: RelayContext,
  res: ServerResponse,
  route: string,
  requestId: string,
): Promise<void> {
  const merge = MERGED_LISTINGS[route]!;
  const up = ctx.registry.all.filter((t) => t.health === 'up');
  const targets = up.length > 0 ? up : ctx.registry.all;
  const clientGone = new AbortController();
  const onClose = (): void => {
    if (!res.writableFinished) clientGone.abort();
  };
  res.on('close', onClose);
  const results = await Promise.allSettled(
    targets.map((t) => fetchListing(ctx, t, route, `${requestId}.${t.name}`, clientGone.signal)),
  );
  res.off('close', onClose);
  if (clientGone.signal.aborted) return;

  const parts: unknown[] = [];
  const answered: string[] = [];
  let firstError: unknown;
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') {
      parts.push(r.value);
      answered.push(targets[i]!.name);
    } else firstError ??= r.reason;
  });
  if (answered.length === 0) {
    sendCoreError(res, route, requestId, firstError);
    return;
  }
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'x-lookout-request-id': requestId,
    'x-lookout-target': answered.join(','),
    'x-lookout-queue-ms': '0',
  });
  res.end(JSON.stringify(merge(parts)));
}

async function fetchListing(
  ctx: RelayContext,
  target: RelayTarget,
  route: string,
  callId: string,
  signal: AbortSignal,
): Promise<unknown> {
  const info = createCallInfo({ method: 'GET', path: route, source: 'app', callId });
  const policy = target.policyFor(undefined);
  const upstream = await executeCall({
    info,
    request: {},
    pickTarget: (attempt) =>
      attempt === 1
        ? { name: target.name, url: target.url, gate: target.gate, timeouts: policy.timeouts }
        : undefined,
    pool: ctx.pool,
    retry: { maxRetries: 0 },
    signal,
    sink: ctx.sink,
  });
  const chunks: Buffer[] = [];
  for await (const chunk of upstream.body) chunks.push(chunk);
  if (upstream.status !== 200) throw upstream.failure ?? new Error(`${route} answered ${upstream.status}`);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}
