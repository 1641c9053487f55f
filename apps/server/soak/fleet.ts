/**
 * The fleet the soak runs against: three simulators in a child process and Lookout in this one, with
 * budgets small enough that every timeout kind happens, and gates small enough that queues fill.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimulatorOptions } from '@lookout/ollama-sim';
import { configSchema, DEFAULTS } from '../src/config/index.ts';
import { createLogger } from '../src/log.ts';
import { type RunningLookout, startLookout } from '../src/server.ts';
import { SimulatorFleet } from './sims.ts';

/** The dashboard's admin token in the soak (loopback only, thrown away with the run). */
export const SOAK_ADMIN_TOKEN = 'soak-admin-token-0123456789';

/**
 * Models by role. `clean` is never faulted and has generous budgets: only its calls are aborted by the
 * clients, so an abort never races a fault or a timeout. `tight` has budgets its own timing headers
 * often exceed; `faulty` is where the fault schedule aims; `embed` is embedding-only.
 */
export const SOAK_MODELS = {
  clean: 'soak-clean:1b',
  tight: 'soak-tight:1b',
  faulty: 'soak-faulty:1b',
  embed: 'soak-embed:latest',
  /** Installed nowhere: every target answers 404. */
  missing: 'soak-missing:1b',
} as const;

/** Per-model budgets (ms). The faulty and tight ones are small on purpose. */
export const SOAK_BUDGETS = {
  clean: { firstByteTimeoutMs: 30_000, idleTimeoutMs: 10_000, totalTimeoutMs: 60_000 },
  tight: { firstByteTimeoutMs: 500, idleTimeoutMs: 250, totalTimeoutMs: 1_800 },
  faulty: { firstByteTimeoutMs: 1_200, idleTimeoutMs: 600, totalTimeoutMs: 3_500 },
  embed: { totalTimeoutMs: 1_500 },
} as const;

/** Gate of every target: small, so that queue_full and queue_timeout happen under the soak's load. */
export const SOAK_GATE = { maxConcurrent: 2, maxQueue: 4, queueTimeoutMs: 2_000 } as const;

/** Index of the simulator that does not serve `clean` (a global refuse may stop it whole). */
export const REFUSING_SIM = 2;

export interface SoakFleet {
  sims: SimulatorFleet;
  lookout: RunningLookout;
  adminToken: string;
  /** Stops Lookout, then the simulators, and removes the data directory. */
  close(): Promise<void>;
}

/** Starts the simulators (in their own process) and Lookout (in this one) on ephemeral loopback ports. */
export async function startSoakFleet(): Promise<SoakFleet> {
  const all = [SOAK_MODELS.clean, SOAK_MODELS.tight, SOAK_MODELS.faulty, SOAK_MODELS.embed];
  const withoutClean = all.filter((m) => m !== SOAK_MODELS.clean);
  const simOptions: SimulatorOptions[] = [all, all, withoutClean].map((models, i) => ({
    models,
    numParallel: SOAK_GATE.maxConcurrent,
    seed: i,
  }));
  const sims = await SimulatorFleet.start(simOptions);
  const dataDir = mkdtempSync(join(tmpdir(), 'lookout-soak-'));
  const cleanUp = async (): Promise<void> => {
    try {
      await sims.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
  let lookout: RunningLookout;
  try {
    const config = configSchema.parse({
      ...DEFAULTS,
      relayPort: 0,
      dashboardPort: 0,
      dataDir,
      ...SOAK_GATE,
      connectTimeoutMs: 1_000,
      firstByteTimeoutMs: 2_000,
      idleTimeoutMs: 1_000,
      totalTimeoutMs: 5_000,
      maxRetries: 2,
      retryBaseDelayMs: 20,
      retryMaxDelayMs: 100,
      probeIntervalMs: 2_000,
      generationProbeIntervalMs: 5_000,
      models: {
        [SOAK_MODELS.clean]: SOAK_BUDGETS.clean,
        [SOAK_MODELS.tight]: SOAK_BUDGETS.tight,
        [SOAK_MODELS.faulty]: SOAK_BUDGETS.faulty,
        [SOAK_MODELS.embed]: SOAK_BUDGETS.embed,
      },
      targets: sims.urls.map((url, i) => ({ name: `sim${i}`, url })),
    });
    lookout = await startLookout({ config, adminToken: SOAK_ADMIN_TOKEN, log: createLogger('silent') });
  } catch (error) {
    await cleanUp();
    throw error;
  }
  return {
    sims,
    lookout,
    adminToken: SOAK_ADMIN_TOKEN,
    async close() {
      try {
        await lookout.close();
      } finally {
        await cleanUp();
      }
    },
  };
}
