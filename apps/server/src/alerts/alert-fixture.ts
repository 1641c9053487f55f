import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Rule, TargetHealth } from '@lookout/contracts';
import { RuleSchema } from '@lookout/contracts';
import { createLogger, type Logger } from '../log.ts';
import type { ScriptedCall } from '../metrics/call-script.ts';
import { scriptCall } from '../metrics/call-script.ts';
import { MetricsEngine } from '../metrics/index.ts';

/** 2025-11-22T17:00:00Z, where fake clocks start. */
export const T0 = Date.parse('2025-11-22T17:00:00.000Z');

/** A wall clock that moves only when told. */
export function fakeClock(startMs = T0) {
  const clock = {
    nowMs: startMs,
    now: () => clock.nowMs,
    advance(ms: number) {
      clock.nowMs += ms;
    },
  };
  return clock;
}
export type FakeClock = ReturnType<typeof fakeClock>;

interface FakeTarget {
  name: string;
  health: TargetHealth;
  queueDepth: number;
  inFlight: number;
  models: Record<string, { queueDepth: number; inFlight: number }>;
}

/**
 * A real metrics engine on `clock` over targets whose gauges and health the test sets, and a way to
 * play scripted calls (their times relative to now).
 */
export function fakeFleet(clock: FakeClock, names: readonly string[] = ['gpu-1']) {
  const startMs = clock.nowMs;
  const targets: FakeTarget[] = names.map((name) => ({
    name,
    health: 'up',
    queueDepth: 0,
    inFlight: 0,
    models: {},
  }));
  const engine = new MetricsEngine({
    gauges: {
      targets: () =>
        targets.map((t) => ({
          name: t.name,
          url: `http://${t.name}.test:11434`,
          queueDepth: t.queueDepth,
          inFlight: t.inFlight,
          maxConcurrent: 4,
          models: t.models,
        })),
    },
    targetInfo: {
      info: (name) => {
        const t = targets.find((x) => x.name === name);
        return !t || t.health === 'unknown' ? undefined : { health: t.health, loadedModels: [] };
      },
    },
    now: () => clock.nowMs - startMs,
    toEpochMs: (ms) => startMs + ms,
  });
  let callId = 0;
  const target = (name: string) => {
    const t = targets.find((x) => x.name === name);
    if (!t) throw new Error(`no fake target ${name}`);
    return t;
  };
  return {
    engine,
    target,
    /** Plays calls that end now (each `totalMs` long), on `gpu-1` unless they say otherwise. */
    play(...calls: Omit<ScriptedCall, 'callId' | 'startedAtMs'>[]) {
      const nowMono = clock.nowMs - startMs;
      for (const call of calls) {
        const spec = { queueWaitMs: 1, ...call, callId: `c${++callId}`, startedAtMs: nowMono - call.totalMs };
        for (const event of scriptCall(spec)) engine.onEvent(event);
      }
    },
  };
}
export type FakeFleet = ReturnType<typeof fakeFleet>;

/** A rule with defaults for what a test does not care about. */
export function rule(part: Partial<Rule> & Pick<Rule, 'metric' | 'threshold'>): Rule {
  return RuleSchema.parse({
    id: 'r1',
    name: 'test rule',
    scope: { target: '*', model: '*' },
    window: '1m',
    op: '>',
    forSec: 0,
    minSamples: 0,
    severity: 'warning',
    enabled: true,
    notify: [],
    ...part,
  });
}

/** A fresh temporary data directory; `remove()` deletes it. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-alerts-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ReceivedRequest {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  json<T = Record<string, unknown>>(): T;
}

/**
 * A webhook receiver on 127.0.0.1 with an ephemeral port. It records every request, in arrival order,
 * and answers with `respond(request, n)` (n counts requests from 1): a status, or 'hang' to never answer.
 */
export async function startReceiver(
  respond: (req: ReceivedRequest, n: number) => number | 'hang' = () => 200,
) {
  const received: ReceivedRequest[] = [];
  const hanging = new Set<import('node:http').ServerResponse>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const request: ReceivedRequest = {
        path: req.url ?? '/',
        headers: req.headers,
        body,
        json: <T>() => JSON.parse(body) as T,
      };
      received.push(request);
      const answer = respond(request, received.length);
      if (answer === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'receiver says no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** A logger that writes nowhere, and one whose lines a test can read. */
export function silentLog(): Logger {
  return createLogger('silent');
}

export function capturedLog(): { log: Logger; lines: () => Record<string, unknown>[] } {
  const text: string[] = [];
  const log = createLogger('debug', { write: (line: string) => text.push(line) });
  return { log, lines: () => text.map((t) => JSON.parse(t) as Record<string, unknown>) };
}

/** Polls `check` until it holds or `timeoutMs` passes (real time: deliveries run on real timers). */
export async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
