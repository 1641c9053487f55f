import type { Outcome, Snapshot, Stats, TargetState, Window } from '@lookout/contracts';
import { OUTCOMES } from '@lookout/contracts';

/** Valid wire values for tests, shaped like the server's. */
export function sampleWindow(requests = 10, overrides: Partial<Window> = {}): Window {
  const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  outcomes.ok = Math.max(0, requests - 2);
  outcomes.timeout_idle = requests >= 2 ? 1 : 0;
  outcomes.upstream_error = requests >= 2 ? 1 : 0;
  return {
    requests,
    outcomes,
    timeouts: outcomes.timeout_idle,
    latencyMs: { count: outcomes.ok, p50: 812.5, p90: 1500, p95: 1600.4, p99: 1712, max: 1712.25 },
    ttftMs: { count: requests, p50: 120, p90: 200, p95: 210.6, p99: 220, max: 221 },
    queueWaitMs: { count: requests, p50: 0, p90: 3, p95: 4, p99: 5, max: 5 },
    tokensPerSec: { count: outcomes.ok, p50: 41.7, p90: 50, p95: 52, p99: 55, max: 56 },
    ...overrides,
  };
}

export function sampleStats(requests = 10): Stats {
  return {
    queueDepth: 2,
    inFlight: 3,
    windows: {
      '1m': sampleWindow(requests),
      '5m': sampleWindow(requests * 4),
      '15m': sampleWindow(requests * 9),
    },
  };
}

export function sampleTarget(name = 'gpu-a', overrides: Partial<TargetState> = {}): TargetState {
  return {
    name,
    url: 'http://127.0.0.1:11434',
    health: 'up',
    version: '0.12.3',
    lastProbeAt: '2025-11-22T17:00:00.000Z',
    loadedModels: [
      {
        name: 'llama3.2:1b',
        sizeBytes: 1_300_000_000,
        sizeVramBytes: 1_200_000_000,
        expiresAt: '2025-11-22T17:05:00.000Z',
      },
    ],
    queueDepth: 2,
    inFlight: 3,
    maxConcurrent: 4,
    stats: sampleStats(),
    models: { 'llama3.2:1b': sampleStats(6) },
    ...overrides,
  };
}

export function sampleSnapshot(at = '2025-11-22T17:00:01.000Z', overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    at,
    targets: [sampleTarget('gpu-a'), sampleTarget('gpu-b', { health: 'down', version: '0.12.1' })],
    fleet: sampleStats(20),
    alerts: [],
    ...overrides,
  };
}

/** The snapshot `seconds` later, with a different fleet queue depth so a change is visible. */
export function laterSnapshot(base: Snapshot, seconds: number, queueDepth: number): Snapshot {
  const at = new Date(Date.parse(base.at) + seconds * 1000).toISOString();
  return { ...base, at, fleet: { ...base.fleet, queueDepth } };
}
