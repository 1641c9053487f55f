import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '@lookout/ollama-sim';
import { startLookoutProcess } from './lookout-process.ts';
import { saveState } from './state.ts';
import { startWebhookReceiver } from './webhook-receiver.ts';

export const E2E_TOKEN = 'e2e-admin-token-0123456789abcdef';

/** Three simulators, a webhook receiver and the real server; torn down after the run. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const sims = await Promise.all([
    startSimulator({ models: ['llama3.2:1b', 'nomic-embed-text'], numParallel: 4, tokensPerSec: 80 }),
    startSimulator({ models: ['llama3.2:1b', 'qwen3:8b'], numParallel: 2, tokensPerSec: 40 }),
    startSimulator({ models: ['qwen3:8b'], numParallel: 1, tokensPerSec: 40 }),
  ]);
  const names = ['alpha', 'beta', 'gamma'];
  const receiver = await startWebhookReceiver();
  const dataDir = mkdtempSync(join(tmpdir(), 'lookout-e2e-'));
  const lookout = await startLookoutProcess({
    LOOKOUT_TARGETS: sims.map((s, i) => `${names[i]}=${s.url}`).join(','),
    LOOKOUT_RELAY_PORT: '0',
    LOOKOUT_DASHBOARD_PORT: '0',
    LOOKOUT_DATA_DIR: dataDir,
    LOOKOUT_ADMIN_TOKEN: E2E_TOKEN,
    LOOKOUT_PROBE_INTERVAL_MS: '2000',
    LOOKOUT_GENERATION_PROBE_INTERVAL_MS: '0',
  });
  saveState({
    dashboard: lookout.dashboard,
    relay: lookout.relay,
    token: E2E_TOKEN,
    receiver: receiver.url,
    sims: sims.map((s, i) => ({ name: names[i]!, url: s.url })),
    dataDir,
  });
  return async () => {
    await lookout.stop();
    receiver.server.close();
    await Promise.all(sims.map((s) => s.close()));
  };
}
