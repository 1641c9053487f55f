import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SimulatorHandle, type SimulatorOptions, startSimulator } from '@lookout/ollama-sim';
import type { DestinationStream } from 'pino';
import { configSchema, DEFAULTS, type LookoutConfig } from '../config/index.ts';
import { createLogger } from '../log.ts';
import { type RunningLookout, type StartOptions, startLookout } from '../server.ts';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface FleetOptions {
  /** Where log lines go (JSON, one per line); default: no logging. */
  logDestination?: DestinationStream;
  /** Level for `logDestination` (default `debug`, the most a deployment would print). */
  logLevel?: string;
  /** Dashboard details: web app folder, body limit, rate limits and their clock. */
  dashboard?: StartOptions['dashboard'];
}

export interface Fleet {
  sims: SimulatorHandle[];
  lookout: RunningLookout;
  relay: string;
  dashboard: string;
  close(): Promise<void>;
}

/**
 * Starts simulators and a Lookout in front of them, on ephemeral loopback ports, for tests.
 * `config` overrides any setting (targets are the simulators, named sim0, sim1, ...).
 */
export async function startFleet(
  sims: SimulatorOptions[],
  config: Partial<LookoutConfig> = {},
  options: FleetOptions = {},
): Promise<Fleet> {
  const started = await Promise.all(sims.map((o) => startSimulator(o)));
  const parsed = configSchema.parse({
    ...DEFAULTS,
    relayPort: 0,
    dashboardPort: 0,
    dataDir: mkdtempSync(join(tmpdir(), 'lookout-test-')),
    probeIntervalMs: 60_000,
    retryBaseDelayMs: 20,
    retryMaxDelayMs: 100,
    drainTimeoutMs: 0, // tests that stop mid-call do not wait; the drain tests set their own
    targets: started.map((s, i) => ({ name: `sim${i}`, url: s.url })),
    ...config,
  });
  const lookout = await startLookout({
    config: parsed,
    adminToken: TEST_ADMIN_TOKEN,
    log: options.logDestination
      ? createLogger(options.logLevel ?? 'debug', options.logDestination)
      : createLogger('silent'),
    ...(options.dashboard ? { dashboard: options.dashboard } : {}),
  });
  return {
    sims: started,
    lookout,
    relay: lookout.relayUrl,
    dashboard: lookout.dashboardUrl,
    async close() {
      await lookout.close();
      await Promise.all(started.map((s) => s.close()));
    },
  };
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
