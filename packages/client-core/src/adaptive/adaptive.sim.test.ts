/**
 * The adaptive limit against ollama-sim over real HTTP on 127.0.0.1: 24 closed-loop clients stream
 * chats through executeCall and a TargetGate the limiter drives, while the simulator's hidden
 * parallelism goes 1, 2, 4, 8 at runtime. Calls hold a slot about 210 ms (Ollama's take seconds), so
 * the 60 s of the requirement shrink to a few seconds here; margins are wide for a busy 2-core machine.
 */
import { type SimulatorHandle, startSimulator } from '@lookout/ollama-sim';
import { afterEach, expect, test } from 'vitest';
import { TargetGate } from '../gate.ts';
import { UpstreamPool } from '../pool.ts';
import { AdaptiveConcurrency } from './adaptive-concurrency.ts';
import { type HttpLoad, startHttpLoad } from './http-load.ts';

const CLIENTS = 24;
const TIMING = { ttftMs: 30, tokens: 10, tokenIntervalMs: 20 };
/** A slot is held from the slot to the last token: prompt (ttft - interval) + tokens x interval. */
const SERVICE_MS = TIMING.ttftMs - TIMING.tokenIntervalMs + TIMING.tokens * TIMING.tokenIntervalMs;
const SETTLE_DEADLINE_MS = 15_000;
const STEADY_FOR_MS = 1_500;
const OBSERVE_MS = 2_000;

let sim: SimulatorHandle | undefined;
let pool: UpstreamPool | undefined;
let load: HttpLoad | undefined;
let sampler: NodeJS.Timeout | undefined;

afterEach(async () => {
  clearInterval(sampler);
  await load?.stop();
  await pool?.close();
  await sim?.close();
  sampler = undefined;
  load = undefined;
  pool = undefined;
  sim = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('learns 1, 2, 4, 8 in turn as the simulator changes them; Ollama queues nothing, the gate holds the backlog', async () => {
  sim = await startSimulator({ numParallel: 1 });
  pool = new UpstreamPool();
  const gate = new TargetGate({ name: 'sim', maxQueue: 64, queueTimeoutMs: 60_000 });
  const limiter = new AdaptiveConcurrency(gate, { minLimit: 1, maxLimit: 32 });
  const samples: { atMs: number; limit: number; depth: number }[] = [];
  sampler = setInterval(() => {
    samples.push({ atMs: performance.now(), limit: limiter.limit, depth: gate.queueDepth });
  }, 50);
  const { url } = sim;
  load = startHttpLoad({ url, gate, pool, clients: CLIENTS, sink: limiter, ...TIMING });

  const report: string[] = [];
  for (const truth of [1, 2, 4, 8]) {
    sim.setNumParallel(truth);
    const phaseStartMs = performance.now();
    // Settled: the limit has stayed within one of the truth for STEADY_FOR_MS.
    let settledAtMs: number | undefined;
    while (settledAtMs === undefined && performance.now() - phaseStartMs < SETTLE_DEADLINE_MS) {
      await sleep(100);
      const nowMs = performance.now();
      const recent = samples.filter((s) => s.atMs >= nowMs - STEADY_FOR_MS);
      if (
        nowMs - phaseStartMs >= STEADY_FOR_MS &&
        recent.length > 5 &&
        recent.every((s) => Math.abs(s.limit - truth) <= 1)
      ) {
        settledAtMs = nowMs;
      }
    }
    const trail = samples
      .filter((s) => s.atMs >= phaseStartMs)
      .filter((_, i) => i % 10 === 0)
      .map((s) => s.limit)
      .join(',');
    expect(settledAtMs, `N=${truth}: not settled in ${SETTLE_DEADLINE_MS} ms; limits ${trail}`).toBeDefined();

    const windowStartMs = performance.now();
    await sleep(OBSERVE_MS);
    const windowEndMs = performance.now();
    const inWindow = samples.filter((s) => s.atMs >= windowStartMs && s.atMs < windowEndMs);
    // Calls that ended in the window held their slot in it (a slot is held ~210 ms; the gate wait came before).
    const calls = load.records.filter((r) => r.endedAtMs >= windowStartMs && r.endedAtMs < windowEndMs);
    const meanSimQueueMs = calls.reduce((sum, r) => sum + r.simQueueMs, 0) / calls.length;
    const meanDepth = inWindow.reduce((sum, s) => sum + s.depth, 0) / inWindow.length;
    report.push(
      `N=${truth}: settled after ${Math.round(settledAtMs! - phaseStartMs)} ms, limits ${[...new Set(inWindow.map((s) => s.limit))].join('/')}, ` +
        `${calls.length} calls, sim queue ${meanSimQueueMs.toFixed(1)} ms, gate depth ${meanDepth.toFixed(1)}`,
    );
    expect(
      inWindow.every((s) => Math.abs(s.limit - truth) <= 1),
      report.at(-1),
    ).toBe(true);
    expect(calls.length, report.at(-1)).toBeGreaterThan(3);
    expect(
      calls.every((r) => r.ok && Number.isFinite(r.simQueueMs)),
      report.at(-1),
    ).toBe(true);
    // A limit of 16 would have each call wait (16 - N) / N slot times inside the simulator.
    expect(meanSimQueueMs, report.at(-1)).toBeLessThan(Math.max(SERVICE_MS / truth / 2, 20));
    // Whatever the simulator does not run waits in the gate, where Lookout shows it.
    expect(meanDepth, report.at(-1)).toBeGreaterThan(CLIENTS - (truth + 1) - 3);
  }
  await load.stop();
  expect(load.errors).toEqual([]);
  // The simulator's own count agrees with the per-call headers: little waiting overall.
  expect(sim.stats().models['llama3.2:1b']!.slotWaits).toBeGreaterThan(100);
}, 90_000);
