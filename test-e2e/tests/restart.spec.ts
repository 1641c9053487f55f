import { createServer } from 'node:net';
import { expect, test } from '@playwright/test';
import { shot, signIn } from '../src/helpers.ts';
import { startLookoutProcess } from '../src/lookout-process.ts';
import { loadState } from '../src/state.ts';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

test('the dashboard recovers after the server restarts', async ({ page }) => {
  test.setTimeout(90_000);
  const state = loadState();
  const port = await freePort();
  const env = {
    LOOKOUT_TARGETS: state.sims.map((s) => `${s.name}=${s.url}`).join(','),
    LOOKOUT_RELAY_PORT: '0',
    LOOKOUT_DASHBOARD_PORT: String(port),
    LOOKOUT_DATA_DIR: `${state.dataDir}-restart`,
    LOOKOUT_ADMIN_TOKEN: state.token,
    LOOKOUT_GENERATION_PROBE_INTERVAL_MS: '0',
  };
  let lookout = await startLookoutProcess(env);
  try {
    await signIn(page, lookout.dashboard, state.token);
    await lookout.stop();
    await expect(page.getByTestId('connection-status')).not.toHaveAttribute('data-state', 'live', {
      timeout: 10_000,
    });
    await shot(page, 'reconnecting');
    lookout = await startLookoutProcess(env);
    // Same token, same session cookie: no new sign-in, the live feed comes back by itself.
    await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'live', {
      timeout: 30_000,
    });
    await expect(page.getByTestId('target-card-alpha')).toBeVisible();
  } finally {
    await lookout.stop();
  }
});
