/**
 * The adaptive limit on the product path: closed-loop clients stream through the relay to a simulator
 * whose hidden parallelism changes at runtime; the learned limit shows in the snapshot and /metrics,
 * Ollama's own queue stays near empty and the relay's queue holds the backlog. Calls hold a slot about
 * 210 ms (Ollama's take seconds), so settling takes seconds here; margins are wide for a busy machine.
 */
import type { Snapshot } from '@lookout/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { type Fleet, startFleet, TEST_ADMIN_TOKEN } from '../testing/harness.ts';

const CLIENTS = 16;
const SIM_HEADERS = { 'x-sim-ttft-ms': '30', 'x-sim-tokens': '10', 'x-sim-token-interval-ms': '20' };
const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

let fleet: Fleet | undefined;
let stopLoad: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stopLoad?.();
  await fleet?.close();
  fleet = undefined;
  stopLoad = undefined;
});

/** `clients` loops of streamed generations; records the simulator's slot wait of each call. */
function closedLoop(relay: string, clients: number): { slotWaitsMs: number[]; stop(): Promise<void> } {
  const slotWaitsMs: number[] = [];
  let running = true;
  const loops = Array.from({ length: clients }, async () => {
    while (running) {
      const res = await fetch(`${relay}/api/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...SIM_HEADERS },
        body: JSON.stringify({ model: 'llama3.2:1b', prompt: 'hello', stream: true }),
      });
      const queued = res.headers.get('x-sim-queue-ms');
      await res.text();
      if (queued !== null) slotWaitsMs.push(Number(queued));
    }
  });
  return {
    slotWaitsMs,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function settles(f: Fleet, truth: number, deadlineMs: number): Promise<number[]> {
  const target = f.lookout.registry.get('sim0')!;
  const seen: number[] = [];
  const startedAt = performance.now();
  let steadySince: number | undefined;
  while (performance.now() - startedAt < deadlineMs) {
    await new Promise((r) => setTimeout(r, 100));
    const limit = target.gate.limits.maxConcurrent;
    seen.push(limit);
    if (Math.abs(limit - truth) > 1) steadySince = undefined;
    else steadySince ??= performance.now();
    if (steadySince !== undefined && performance.now() - steadySince >= 1500) return seen;
  }
  throw new Error(`limit did not settle within 1 of ${truth} in ${deadlineMs} ms: ${seen.join(',')}`);
}

describe('adaptive concurrency through the relay', () => {
  it('learns the hidden parallelism, follows a change, and shows what it learned', async () => {
    fleet = await startFleet([{ numParallel: 2 }], {
      concurrency: 'adaptive',
      adaptiveMinConcurrent: 1,
      adaptiveMaxConcurrent: 16,
      maxQueue: 64,
      queueTimeoutMs: 60_000,
      generationProbeIntervalMs: 0,
    });
    const f = fleet;
    const load = closedLoop(f.relay, CLIENTS);
    stopLoad = () => load.stop();

    await settles(f, 2, 20_000);
    f.sims[0]!.setNumParallel(5);
    await settles(f, 5, 20_000);

    // Settled: calls barely wait inside the simulator, the relay's queue holds the rest.
    const from = load.slotWaitsMs.length;
    const depths: number[] = [];
    for (let i = 0; i < 15; i++) {
      await new Promise((r) => setTimeout(r, 100));
      depths.push(f.lookout.registry.get('sim0')!.gate.queueDepth);
    }
    const waits = load.slotWaitsMs.slice(from);
    expect(waits.length).toBeGreaterThan(10);
    const meanWaitMs = waits.reduce((a, b) => a + b, 0) / waits.length;
    expect(meanWaitMs).toBeLessThan(60); // a slot is held ~210 ms; a queue inside would add ~100+ ms each
    expect(Math.max(...depths)).toBeGreaterThanOrEqual(CLIENTS - 5 - 2);

    const snapshot = (await (
      await fetch(`${f.dashboard}/api/snapshot`, { headers: auth })
    ).json()) as Snapshot;
    const state = snapshot.targets[0]!;
    expect(state.concurrency).toMatchObject({ mode: 'adaptive', minLimit: 1, maxLimit: 16 });
    expect(Math.abs(state.maxConcurrent - 5)).toBeLessThanOrEqual(1);
    expect(state.concurrency!.limit).toBe(state.maxConcurrent);
    expect(state.concurrency!.baselineMs).toBeTypeOf('number'); // ~0 on the simulator: its work is all reported
    expect(state.concurrency!.changes.length).toBeGreaterThan(1);
    expect(state.concurrency!.changes.some((c) => c.reason.startsWith('waiting'))).toBe(true);

    const metrics = await (await fetch(`${f.dashboard}/metrics`, { headers: auth })).text();
    expect(metrics).toContain('lookout_concurrency_mode{target="sim0",mode="adaptive"} 1');
    expect(metrics).toMatch(/lookout_concurrency_baseline_seconds\{target="sim0"\} \d/);
    const changes = Number(/lookout_concurrency_changes_total\{target="sim0"\} (\d+)/.exec(metrics)?.[1]);
    expect(changes).toBeGreaterThanOrEqual(
      state.concurrency!.changes.filter((c) => c.reason !== 'initial').length,
    );
  }, 60_000);
});
