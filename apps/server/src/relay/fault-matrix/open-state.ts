import type { Fleet } from '../../testing/harness.ts';
import { waitFor } from '../../testing/harness.ts';

/** Everything a finished call could leave behind, in Lookout and at the simulators. */
export interface OpenState {
  /** Per target: calls holding or waiting for a place in its gate. */
  gates: { inFlight: number; queueDepth: number }[];
  /** Calls the metrics engine has seen start and not end. */
  openCalls: number;
  /** Per simulator: requests not finished, slots held, requests waiting for a slot or a load. */
  sims: { activeRequests: number; slotsHeld: number; waiting: number; schedulerQueueDepth: number }[];
}

export function openState(fleet: Fleet): OpenState {
  return {
    gates: fleet.lookout.registry.all.map((t) => ({
      inFlight: t.gate.inFlight,
      queueDepth: t.gate.queueDepth,
    })),
    openCalls: fleet.lookout.metrics.openCalls,
    sims: fleet.sims.map((sim) => {
      const stats = sim.stats();
      const models = Object.values(stats.models);
      return {
        activeRequests: stats.connections.activeRequests,
        slotsHeld: models.reduce((n, m) => n + m.inFlight, 0),
        waiting: models.reduce((n, m) => n + m.waiting, 0),
        schedulerQueueDepth: stats.schedulerQueueDepth,
      };
    }),
  };
}

function isClear(state: OpenState): boolean {
  return (
    state.openCalls === 0 &&
    state.gates.every((g) => g.inFlight === 0 && g.queueDepth === 0) &&
    state.sims.every(
      (s) => s.activeRequests === 0 && s.slotsHeld === 0 && s.waiting === 0 && s.schedulerQueueDepth === 0,
    )
  );
}

/** Waits until nothing is open any more; fails with what is still open after `withinMs`. */
export async function expectNothingOpen(fleet: Fleet, withinMs = 1_000): Promise<void> {
  try {
    await waitFor(() => isClear(openState(fleet)), withinMs, 'gates, calls and simulator slots to free');
  } catch (error) {
    throw new Error(`${(error as Error).message}: still open ${JSON.stringify(openState(fleet))}`);
  }
}

/**
 * Stops Lookout, proves it closed every connection it had to the simulators (kept-alive ones
 * included), then stops the simulators.
 */
export async function closeFleetCheckingSockets(fleet: Fleet): Promise<void> {
  try {
    await fleet.lookout.close();
    await waitFor(
      () => fleet.sims.every((s) => s.stats().connections.open === 0),
      2_000,
      'Lookout to close its connections to the simulators',
    );
  } finally {
    await Promise.all(fleet.sims.map((s) => s.close()));
  }
}
