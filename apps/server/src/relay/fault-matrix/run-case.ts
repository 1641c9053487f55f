import type { Outcome } from '@lookout/client-core';
import type { SimulatorOptions } from '@lookout/ollama-sim';
import { expect } from 'vitest';
import { type Fleet, startFleet, waitFor } from '../../testing/harness.ts';
import { expectAnswer } from './answer-shape.ts';
import { CallLog } from './call-log.ts';
import { startStallMeter } from './loop-stall.ts';
import { BUDGETS, type FaultCase, MARGIN_MS, requestFor, type Variant } from './matrix.ts';
import { closeFleetCheckingSockets, expectNothingOpen } from './open-state.ts';
import { rawCall } from './raw-call.ts';

/** A fleet for one case: probes out of the way (one health round at start, no generation probes). */
export function startCaseFleet(sims: SimulatorOptions[]): Promise<Fleet> {
  return startFleet(sims, { ...BUDGETS, probeIntervalMs: 3_600_000, generationProbeIntervalMs: 0 });
}

/** Application calls counted by the metrics engine, by outcome (only the outcomes seen). */
export function appOutcomes(fleet: Fleet): Partial<Record<Outcome, number>> {
  const counts: Partial<Record<Outcome, number>> = {};
  for (const totals of fleet.lookout.metrics.requestTotals()) {
    if (totals.source !== 'app') continue;
    for (const [outcome, n] of Object.entries(totals.outcomes) as [Outcome, number][]) {
      if (n > 0) counts[outcome] = (counts[outcome] ?? 0) + n;
    }
  }
  return counts;
}

/** Runs one cell of the matrix on a fresh fleet and asserts everything the matrix promises. */
export async function runCase(c: FaultCase, v: Variant): Promise<void> {
  const expected = c.expect(v);
  const sims = Array.from({ length: v.targets }, (_, i) => ({ numParallel: 2, ...(i === 0 ? c.sim0 : {}) }));
  const fleet = await startCaseFleet(sims);
  try {
    const log = new CallLog(fleet.lookout.metrics);
    const before = appOutcomes(fleet);
    if (c.fault) fleet.sims[0]!.setFaults([c.fault]);
    const { path, body } = requestFor(v);
    const stalls = startStallMeter();
    let stallMs = 0;
    const call = rawCall(fleet.relay, path, { body, headers: c.headers });
    const got = await call.answer.finally(() => (stallMs = stalls.stop()));

    // What the client gets, and when.
    expectAnswer(got, expected.answer, v);
    expect(got.headers['x-lookout-target']).toBe(expected.servedBy);
    // The margin, plus the time this process's event loop was held up (a busy machine delays every timer).
    expect(got.tookMs, `event loop late by ${Math.round(stallMs)} ms`).toBeLessThanOrEqual(
      expected.withinMs + MARGIN_MS + stallMs,
    );
    if (expected.atLeastMs !== undefined) expect(got.tookMs).toBeGreaterThanOrEqual(expected.atLeastMs - 5);

    // Nothing left open: gates, open calls, simulator requests and slots, the client's connection.
    await expectNothingOpen(fleet);
    await expect(
      Promise.race([call.closed.then(() => 'closed'), new Promise((r) => setTimeout(r, 1_000, 'open'))]),
    ).resolves.toBe('closed');

    // Exactly one outcome, the expected one, for this call; the attempts went where they should.
    const callId = String(got.headers['x-lookout-request-id']);
    expect(log.terminals(callId)).toHaveLength(1);
    expect(log.outcome(callId)).toBe(expected.outcome);
    expect(log.dispatchedTo(callId)).toEqual(expected.attempts);
    expect(log.size).toBe(1);
    expect(diff(before, appOutcomes(fleet))).toEqual({ [expected.outcome]: 1 });
    expect(fleet.lookout.metrics.anomalies().duplicateTerminals).toBe(0);

    // The faulty simulator saw its request cut exactly when Lookout cut it.
    await waitFor(
      () => fleet.sims[0]!.stats().cancellations.length === (expected.upstreamCancelled ? 1 : 0),
      1_000,
      'the cancellations at the simulator',
    );
  } catch (error) {
    await fleet.close().catch(() => {});
    throw error;
  }
  await closeFleetCheckingSockets(fleet);
}

function diff(
  before: Partial<Record<Outcome, number>>,
  after: Partial<Record<Outcome, number>>,
): Partial<Record<Outcome, number>> {
  const out: Partial<Record<Outcome, number>> = {};
  for (const [outcome, n] of Object.entries(after) as [Outcome, number][]) {
    const delta = n - (before[outcome] ?? 0);
    if (delta !== 0) out[outcome] = delta;
  }
  return out;
}
