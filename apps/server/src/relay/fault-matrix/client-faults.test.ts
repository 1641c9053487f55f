import { connect } from 'node:net';
import type { CancellationPhase, SimulatorOptions } from '@lookout/ollama-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { type Fleet, startFleet, waitFor } from '../../testing/harness.ts';
import { CallLog } from './call-log.ts';
import { startStallMeter } from './loop-stall.ts';
import { MODEL } from './matrix.ts';
import { expectNothingOpen } from './open-state.ts';
import { type RawCall, rawCall } from './raw-call.ts';
import { appOutcomes } from './run-case.ts';

/**
 * A client that leaves, at each phase of its call. Every time: exactly one `client_abort` for the call,
 * the upstream request (if there was one) cut within CANCEL_BOUND_MS, and nothing left open.
 */

/** The relay closes the upstream request "at once"; this bound is 100 ms plus room for a busy machine. */
const CANCEL_BOUND_MS = 300;

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

async function start(sim: SimulatorOptions = {}, maxConcurrent = 4): Promise<{ f: Fleet; log: CallLog }> {
  fleet = await startFleet([{ numParallel: 2, ...sim }], {
    maxConcurrent,
    probeIntervalMs: 3_600_000,
    generationProbeIntervalMs: 0,
  });
  // Forget the start-up health probe's requests: from here on the simulator counts this test's calls.
  for (const sim of fleet.sims) sim.resetStats();
  return { f: fleet, log: new CallLog(fleet.lookout.metrics) };
}

const chat = (stream: boolean) =>
  JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream });

/** A client leaving: when (epoch ms, the clock of the simulator's cancellation records), and how late the event loop ran since. */
interface Departure {
  atMs: number;
  stalls: { stop(): number };
}

function leave(call: RawCall): Departure {
  const stalls = startStallMeter();
  const atMs = performance.timeOrigin + performance.now();
  call.abort();
  return { atMs, stalls };
}

/** The aborted call ended once, as client_abort; the simulator saw its request cut in `phase`, in time. */
async function expectOneClientAbort(
  f: Fleet,
  log: CallLog,
  callId: string,
  left: Departure,
  upstream: CancellationPhase | 'never sent',
): Promise<void> {
  try {
    await waitFor(() => log.terminals(callId).length > 0, 2_000, 'the call to end');
    if (upstream === 'never sent') {
      expect(log.dispatchedTo(callId)).toEqual([]);
    } else {
      await waitFor(() => f.sims[0]!.stats().cancellations.length > 0, 2_000, 'the cancel at the simulator');
      const [cancel] = f.sims[0]!.stats().cancellations;
      expect(cancel?.phase).toBe(upstream);
      // The bound, plus the time a busy machine held this process's event loop up.
      expect(cancel!.atMs - left.atMs).toBeLessThan(CANCEL_BOUND_MS + left.stalls.stop());
    }
  } finally {
    left.stalls.stop();
  }
  await expectNothingOpen(f);
  expect(log.terminals(callId)).toHaveLength(1);
  expect(log.outcome(callId)).toBe('client_abort');
  expect(f.lookout.metrics.anomalies().duplicateTerminals).toBe(0);
}

describe('a client that leaves', () => {
  it('while sending its body: no call is made, nothing is counted or left open', async () => {
    const { f, log } = await start();
    const { hostname, port } = new URL(f.relay);
    const socket = connect({ host: hostname, port: Number(port) });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      `POST /api/chat HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"model":`,
    );
    await new Promise((r) => setTimeout(r, 100));
    socket.destroy();
    await new Promise((r) => setTimeout(r, 200));
    expect(log.size).toBe(0);
    expect(appOutcomes(f)).toEqual({});
    expect(f.sims[0]!.stats().totalRequests).toBe(0);
    await expectNothingOpen(f);
  });

  it('while queued in the gate: client_abort, never sent upstream, the call ahead unaffected', async () => {
    const { f, log } = await start({}, 1);
    const ahead = rawCall(f.relay, '/api/chat', {
      body: chat(true),
      headers: { 'x-sim-tokens': '10', 'x-sim-token-interval-ms': '60' },
    });
    const gate = f.lookout.registry.all[0]!.gate;
    await waitFor(() => gate.inFlight === 1, 2_000, 'the first call in flight');
    const queued = rawCall(f.relay, '/api/chat', { body: chat(true) });
    await waitFor(() => gate.queueDepth === 1, 2_000, 'the second call queued');
    const left = leave(queued);
    await waitFor(() => gate.queueDepth === 0, 1_000, 'the queue place to free');

    const first = await ahead.answer;
    expect(first.status).toBe(200);
    const aheadId = String(first.headers['x-lookout-request-id']);
    const queuedId = log.ids().find((id) => id !== aheadId)!;
    await expectOneClientAbort(f, log, queuedId, left, 'never sent');
    expect(f.sims[0]!.stats().totalRequests).toBe(1);
    expect(appOutcomes(f)).toEqual({ ok: 1, client_abort: 1 });
  });

  const beforeHeaders: {
    name: string;
    sim?: SimulatorOptions;
    path: string;
    body: string;
    headers?: Record<string, string>;
    upstream: CancellationPhase;
  }[] = [
    {
      name: 'while the model loads (native stream)',
      sim: { loadTimeMs: 3_000 },
      path: '/api/chat',
      body: chat(true),
      upstream: 'queued',
    },
    {
      name: 'before the first token (native stream)',
      path: '/api/chat',
      body: chat(true),
      headers: { 'x-sim-ttft-ms': '5000' },
      upstream: 'generating',
    },
    {
      name: 'while a one-piece /v1 answer is generated',
      path: '/v1/chat/completions',
      body: chat(false),
      headers: { 'x-sim-tokens': '50', 'x-sim-token-interval-ms': '100' },
      upstream: 'generating',
    },
  ];
  for (const c of beforeHeaders) {
    it(`before the headers, ${c.name}: client_abort, upstream cut in phase ${c.upstream}`, async () => {
      const { f, log } = await start(c.sim);
      const call = rawCall(f.relay, c.path, { body: c.body, headers: c.headers ?? {} });
      await waitFor(() => f.sims[0]!.stats().totalRequests === 1, 2_000, 'the call to reach the simulator');
      await new Promise((r) => setTimeout(r, 100));
      const left = leave(call);
      await expect(call.answer).rejects.toThrow();
      await expectOneClientAbort(f, log, log.ids()[0]!, left, c.upstream);
      expect(appOutcomes(f)).toEqual({ client_abort: 1 });
    });
  }

  for (const api of ['native', '/v1'] as const) {
    it(`mid-stream (${api}): client_abort, upstream cut while generating`, async () => {
      const { f, log } = await start();
      const call = rawCall(f.relay, api === 'native' ? '/api/chat' : '/v1/chat/completions', {
        body: chat(true),
        headers: { 'x-sim-tokens': '100', 'x-sim-token-interval-ms': '50' },
      });
      const head = await call.headers;
      expect(head.status).toBe(200);
      await call.bodyBytes(300); // a few frames are here
      const left = leave(call);
      await expectOneClientAbort(f, log, String(head.headers['x-lookout-request-id']), left, 'generating');
      expect(appOutcomes(f)).toEqual({ client_abort: 1 });
      expect(f.sims[0]!.stats().models[MODEL]!.completed).toBe(0);
    });
  }
});
