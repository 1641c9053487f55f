import { expect, test } from '@playwright/test';
import { shot, signIn, snapshot, traffic } from '../src/helpers.ts';
import { loadState } from '../src/state.ts';

test('a wrong token is refused', async ({ page }) => {
  await page.goto(loadState().dashboard);
  await page.getByTestId('signin-token').fill('not-the-token-at-all');
  await page.getByTestId('signin-submit').click();
  await expect(page.getByTestId('signin-error')).toBeVisible();
  await expect(page.getByTestId('connection-status')).toHaveCount(0);
  await shot(page, 'signin-refused');
});

test('signed in, the fleet view lists the simulated targets', async ({ page }) => {
  await signIn(page);
  for (const name of ['alpha', 'beta', 'gamma']) {
    await expect(page.getByTestId(`target-card-${name}`)).toBeVisible();
    await expect(page.getByTestId(`version-${name}`)).toHaveText(/0\.\d+\.\d+/);
  }
  await shot(page, 'fleet');
});

test('traffic moves the numbers within 2 s, and they equal /api/snapshot', async ({ page }) => {
  await signIn(page);
  const requests = page.getByTestId('stat-alpha-requests');
  const before = Number(await requests.getAttribute('data-value'));
  await traffic(6, { target: 'alpha' });
  const sentAt = Date.now();
  await expect(requests).not.toHaveAttribute('data-value', String(before), { timeout: 2_000 });
  expect(Date.now() - sentAt).toBeLessThan(2_000);
  // With no more traffic the window holds still: what the page shows is what the server says.
  await expect
    .poll(async () => {
      const snap = await snapshot();
      const server = snap.targets.find((t) => t.name === 'alpha')!.stats.windows['1m']!.requests;
      return Number(await requests.getAttribute('data-value')) === server ? server : -1;
    })
    .toBeGreaterThanOrEqual(before + 6);
  await shot(page, 'fleet-after-traffic');
});

test('drill-down into a target and a model', async ({ page }) => {
  await signIn(page);
  await traffic(2, { target: 'beta' });
  await page.getByTestId('target-card-beta').getByRole('link', { name: 'beta' }).first().click();
  await expect(page.getByTestId('target-detail-beta')).toBeVisible();
  await shot(page, 'target');
  await page.getByTestId('model-row-llama3.2:1b').getByRole('link').first().click();
  await expect(page.getByTestId('model-detail')).toBeVisible();
  await shot(page, 'model');
});
