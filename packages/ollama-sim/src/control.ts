import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidFaultError, stopsListening, validateFaults } from './faults.ts';
import type { FaultSpec, SimulatorHandle } from './types.ts';

export const CONTROL_PREFIX = '/__sim/';

function reply(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function fail(res: ServerResponse, status: number, code: string, message: string): void {
  reply(res, status, { error: { code, message } });
}

async function readJson(
  req: IncomingMessage,
): Promise<{ ok: true; value: unknown } | { ok: false; message: string }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return { ok: true, value: text.trim() === '' ? {} : JSON.parse(text) };
  } catch (err) {
    return { ok: false, message: `body is not JSON: ${(err as Error).message}` };
  }
}

/**
 * The control endpoint, off the Ollama surface (no Host check, no faults, not counted):
 * GET /__sim/stats, POST /__sim/stats/reset, GET|POST|DELETE /__sim/faults, GET|POST /__sim/parallel.
 */
export async function serveControl(
  handle: Omit<SimulatorHandle, 'close' | 'url' | 'port'> & { faults(): unknown },
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = (req.url ?? '').split('?')[0];
  const route = `${req.method} ${path}`;
  if (route === `GET ${CONTROL_PREFIX}stats`) return reply(res, 200, handle.stats());
  if (route === `POST ${CONTROL_PREFIX}stats/reset`) {
    handle.resetStats();
    return reply(res, 200, handle.stats());
  }
  if (route === `GET ${CONTROL_PREFIX}faults`) return reply(res, 200, { faults: handle.faults() });
  if (route === `DELETE ${CONTROL_PREFIX}faults`) {
    handle.clearFaults();
    return reply(res, 200, { faults: handle.faults() });
  }
  if (route === `POST ${CONTROL_PREFIX}faults`) {
    const body = await readJson(req);
    if (!body.ok) return fail(res, 400, 'invalid_json', body.message);
    let faults: FaultSpec[];
    try {
      faults = validateFaults((body.value as { faults?: unknown }).faults, 'faults');
    } catch (err) {
      if (err instanceof InvalidFaultError) return fail(res, 400, 'invalid_fault', err.message);
      throw err;
    }
    // A refuse closes every connection, this one included: answer first.
    if (faults.some(stopsListening)) {
      res.once('finish', () => handle.setFaults(faults));
      return reply(res, 200, { faults });
    }
    handle.setFaults(faults);
    return reply(res, 200, { faults: handle.faults() });
  }
  if (route === `GET ${CONTROL_PREFIX}parallel`) {
    return reply(res, 200, { numParallel: handle.stats().numParallel });
  }
  if (route === `POST ${CONTROL_PREFIX}parallel`) {
    const body = await readJson(req);
    if (!body.ok) return fail(res, 400, 'invalid_json', body.message);
    const n = (body.value as { numParallel?: unknown }).numParallel;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      return fail(
        res,
        400,
        'invalid_parallel',
        `numParallel must be an integer >= 1, got ${JSON.stringify(n)}`,
      );
    }
    handle.setNumParallel(n);
    return reply(res, 200, { numParallel: n });
  }
  fail(res, 404, 'not_found', `no control route ${route}`);
}
