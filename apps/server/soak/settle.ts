/**
 * After the load: waits until every gate is empty, the engine holds no open call and the simulators
 * hold no slot, queue entry or request, all at the same moment.
 */
import type { SimulatorStats } from '@lookout/ollama-sim';
import type { RunningLookout } from '../src/server.ts';
import type { SimulatorFleet } from './sims.ts';

export interface SettleReport {
  zero: boolean;
  waitedMs: number;
  /** What was not zero at the last look (empty when `zero`). */
  lastNonZero: string[];
}

const POLL_MS = 100;

/** What is still busy now, one line per thing. */
export async function busyParts(lookout: RunningLookout, sims: SimulatorFleet): Promise<string[]> {
  const busy: string[] = [];
  for (const t of lookout.registry.all) {
    if (t.gate.queueDepth !== 0 || t.gate.inFlight !== 0) {
      busy.push(`gate ${t.name}: queue ${t.gate.queueDepth}, in flight ${t.gate.inFlight}`);
    }
  }
  if (lookout.metrics.openCalls !== 0) busy.push(`engine: ${lookout.metrics.openCalls} open calls`);
  const stats = await Promise.all(sims.urls.map((_, i) => sims.stats(i)));
  stats.forEach((s, i) => {
    busy.push(...simBusy(`sim${i}`, s));
  });
  return busy;
}

function simBusy(name: string, stats: SimulatorStats): string[] {
  const busy: string[] = [];
  if (stats.schedulerQueueDepth !== 0) busy.push(`${name}: scheduler queue ${stats.schedulerQueueDepth}`);
  for (const [model, m] of Object.entries(stats.models)) {
    if (m.inFlight !== 0 || m.waiting !== 0)
      busy.push(`${name} ${model}: ${m.inFlight} slots held, ${m.waiting} waiting`);
  }
  // Newer simulators also count requests still open (a hung one holds no slot).
  const active = (stats as { connections?: { activeRequests?: number } }).connections?.activeRequests;
  if (active !== undefined && active !== 0) busy.push(`${name}: ${active} requests open`);
  return busy;
}

export async function waitForSettle(
  lookout: RunningLookout,
  sims: SimulatorFleet,
  timeoutMs: number,
): Promise<SettleReport> {
  const startedAtMs = performance.now();
  for (;;) {
    const busy = await busyParts(lookout, sims);
    const waitedMs = performance.now() - startedAtMs;
    if (busy.length === 0) return { zero: true, waitedMs, lastNonZero: [] };
    if (waitedMs > timeoutMs) return { zero: false, waitedMs, lastNonZero: busy };
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
