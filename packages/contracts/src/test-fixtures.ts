import type { Outcome } from './outcomes.ts';
import { OUTCOMES } from './outcomes.ts';
import type { Snapshot } from './snapshot.ts';
import type { Stats, TargetState, Window } from './stats.ts';

/** Valid sample values for tests (not exported from the package). */
export function sampleWindow(requests = 3): Window {
  const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  outcomes.ok = requests - 1;
  outcomes.timeout_idle = 1;
  return {
    requests,
    outcomes,
    timeouts: 1,
    latencyMs: { count: requests - 1, p50: 812.5, p90: 1500, p95: 1600, p99: 1700, max: 1712.25 },
    ttftMs: { count: requests, p50: 120, p90: 200, p95: 210, p99: 220, max: 221 },
    queueWaitMs: { count: requests, p50: 0, p90: 3, p95: 4, p99: 5, max: 5 },
    tokensPerSec: null,
  };
}

export function sampleStats(requests = 3): Stats {
  return {
    queueDepth: 2,
    inFlight: 4,
    windows: {
      '1m': sampleWindow(requests),
      '5m': sampleWindow(requests + 1),
      '15m': sampleWindow(requests + 2),
    },
  };
}

export function sampleTarget(name = 'gpu-1'): TargetState {
  return {
    name,
    url: 'http://127.0.0.1:11434',
    health: 'up',
    version: '0.12.3',
    lastProbeAt: '2025-11-22T17:00:00.000Z',
    loadedModels: [
      {
        name: 'llama3.2:3b',
        sizeBytes: 3_000_000_000,
        sizeVramBytes: 2_900_000_000,
        expiresAt: '2025-11-22T17:05:00.12345-07:00',
      },
    ],
    queueDepth: 2,
    inFlight: 4,
    maxConcurrent: 4,
    stats: sampleStats(),
    models: { 'llama3.2:3b': sampleStats() },
  };
}

export function sampleSnapshot(): Snapshot {
  return {
    at: '2025-11-22T17:00:01.000Z',
    targets: [
      sampleTarget('gpu-1'),
      {
        ...sampleTarget('gpu-2'),
        health: 'down',
        lastError: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:11434' },
      },
    ],
    fleet: sampleStats(6),
    alerts: [
      {
        ruleId: 'r1',
        ruleName: 'p95 latency',
        metric: 'latency_p95_ms',
        severity: 'warning',
        scope: { target: 'gpu-1', model: '*' },
        state: 'pending',
        value: 1600,
        threshold: 1500,
        since: '2025-11-22T16:59:40.000Z',
      },
    ],
  };
}
