import { Hono } from 'hono';
import { z } from 'zod';
import { invalid, jsonBody, notFound, rejected } from '../alerts/http.ts';
import type { PinnedLimitTable } from '../targets/pin-table.ts';
import type { TargetRegistry } from '../targets/registry.ts';

export interface TargetRoutesDeps {
  registry: TargetRegistry;
  pins: PinnedLimitTable;
}

const PinBodySchema = z.strictObject({
  /** A limit to hold, or null to go back to the configured mode (static or adaptive). */
  pin: z.number().int().min(1).max(1024).nullable(),
});

/** `GET /targets` and pinning a target's concurrency limit by hand. */
export function createTargetRoutes({ registry, pins }: TargetRoutesDeps): Hono {
  const api = new Hono();

  api.get('/targets', (c) =>
    c.json({
      targets: registry.all.map((t) => ({
        name: t.name,
        url: t.url,
        health: t.health,
        version: t.version ?? null,
        lastProbeAt: t.lastProbeAt ?? null,
        lastError: t.lastError ?? null,
        models: t.models ? [...t.models].sort() : [],
        loadedModels: t.loadedModels,
        queueDepth: t.gate.queueDepth,
        inFlight: t.gate.inFlight,
        limits: t.gate.limits,
        concurrency: t.concurrency.describe(),
      })),
    }),
  );

  // `{"pin": 6}` holds the limit at 6 (kept across restarts); `{"pin": null}` lets it be set again by
  // the configuration: the static limit, or an adaptive one learning on from where it was.
  api.put('/targets/:name/concurrency', async (c) => {
    const name = c.req.param('name');
    const target = registry.get(name);
    if (!target) return notFound(c, 'target', name);
    const body = await jsonBody(c);
    if (!body.ok) return rejected(c, body.error);
    const parsed = PinBodySchema.safeParse(body.value);
    if (!parsed.success) {
      const fields: Record<string, string> = {};
      for (const issue of parsed.error.issues) {
        if (issue.code === 'unrecognized_keys') {
          for (const key of issue.keys) fields[key] = `unknown field "${key}"; send {"pin": <limit or null>}`;
        } else {
          fields.pin = 'pin must be a whole number from 1 to 1024, or null to unpin';
        }
      }
      return invalid(c, 'invalid_input', fields);
    }
    const { pin } = parsed.data;
    if (pin === null) {
      pins.unpin(target.name);
      target.concurrency.unpin();
    } else {
      pins.pin(target.name, pin);
      target.concurrency.pin(pin);
    }
    return c.json({ concurrency: target.concurrency.describe() });
  });

  return api;
}
