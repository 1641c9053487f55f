import { SnapshotSchema } from '@lookout/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fleet, startFleet, TEST_ADMIN_TOKEN } from '../testing/harness.ts';

/**
 * Calls with known upstream latencies through the relay: the snapshot's percentiles agree with them
 * (the sketch is within 1%), and every call is counted once, in its outcome.
 */
let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet([{ numParallel: 64 }], { maxConcurrent: 64 });
});
afterAll(() => fleet.close());

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

describe('snapshot numbers', () => {
  it('p50/p95/p99 of relayed calls match the known latencies; counts are exact', async () => {
    // 100 calls whose upstream time is set exactly, 5 at a time so the test process itself adds little.
    const delays = Array.from({ length: 100 }, (_, i) => 50 + ((i * 37) % 100) * 5); // 50..545 ms
    for (let i = 0; i < delays.length; i += 5) {
      await Promise.all(
        delays.slice(i, i + 5).map(async (ms) => {
          const res = await fetch(`${fleet.relay}/api/generate`, {
            method: 'POST',
            headers: { 'x-sim-ttft-ms': String(ms), 'x-sim-tokens': '1' },
            body: JSON.stringify({ model: 'llama3.2:1b', prompt: 'x', stream: false }),
          });
          await res.text();
        }),
      );
    }
    // Three failures of known kinds.
    fleet.sims[0]!.setFaults([{ kind: 'http_500', model: 'llama3.2:1b', remaining: 2 }]);
    for (let i = 0; i < 2; i++) {
      await fetch(`${fleet.relay}/api/generate`, {
        method: 'POST',
        body: JSON.stringify({ model: 'llama3.2:1b', prompt: 'x', stream: false }),
      }).then((r) => r.text());
    }
    await fetch(`${fleet.relay}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'nope:1b', prompt: 'x', stream: false }),
    }).then((r) => r.text());

    const res = await fetch(`${fleet.dashboard}/api/snapshot`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    const snapshot = SnapshotSchema.parse(await res.json());
    const model = snapshot.targets[0]!.models['llama3.2:1b']!.windows['1m'];
    expect(model.requests).toBe(102);
    expect(model.outcomes.ok).toBe(100);
    expect(model.outcomes.upstream_error).toBe(2);
    expect(snapshot.targets[0]!.models['nope:1b']!.windows['1m'].outcomes.upstream_error).toBe(1);
    expect(snapshot.fleet.windows['1m'].requests).toBe(103);

    const sorted = [...delays].sort((a, b) => a - b);
    const latency = model.latencyMs!;
    expect(latency.count).toBe(100);
    for (const q of ['p50', 'p95', 'p99'] as const) {
      const exact = quantile(sorted, { p50: 0.5, p95: 0.95, p99: 0.99 }[q]);
      // Never shorter than the upstream's own time (less the sketch's 1%); longer only by the relay's
      // and the simulator's own few milliseconds.
      expect(latency[q]).toBeGreaterThanOrEqual(exact * 0.99);
      expect(latency[q]).toBeLessThanOrEqual(exact * 1.01 + 30);
    }
  });
});
