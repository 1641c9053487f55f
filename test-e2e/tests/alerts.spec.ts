import { expect, test } from '@playwright/test';
import { shot, signIn, traffic } from '../src/helpers.ts';
import { loadState } from '../src/state.ts';

async function received(): Promise<{ status: string; rule: { name: string } | null }[]> {
  return (await (await fetch(`${loadState().receiver}/received`)).json()) as never;
}

test('a rule created in the UI fires in the UI and at the webhook, then resolves', async ({ page }) => {
  test.setTimeout(90_000);
  const hook = `${loadState().receiver}/hook`;
  await signIn(page);
  await page.getByTestId('nav-alerts').click();
  await page.getByTestId('rule-new').click();
  const form = page.getByTestId('rule-form');
  await form.getByTestId('rule-name').fill('e2e slow answers');
  await form.getByTestId('rule-metric').selectOption('latency_p50_ms');
  await form.getByTestId('rule-op').selectOption('>');
  await form.getByTestId('rule-threshold').fill('5');
  await form.getByTestId('rule-for').fill('0');
  await form.getByLabel('Minimum samples').fill('1');
  await form.getByLabel('Window').selectOption('1m');
  await form.getByTestId('rule-target').selectOption('gamma');
  await form.getByLabel('Other webhook URLs, one per line').fill(hook);
  await shot(page, 'rule-form');
  await form.getByTestId('rule-save').click();
  await expect(page.getByTestId('rule-list')).toContainText('e2e slow answers');

  await traffic(3, { target: 'gamma', model: 'qwen3:8b', ttftMs: 50 });
  await expect(page.getByTestId('alert-banner')).toContainText('e2e slow answers', { timeout: 20_000 });
  await expect(page).toHaveTitle(/\(\d+\)/);
  await expect
    .poll(async () => (await received()).map((r) => r.status), { timeout: 20_000 })
    .toContain('firing');
  await shot(page, 'alert-firing');

  // Raise the threshold far above what the traffic shows: the alert resolves, and the webhook hears it.
  await page.getByRole('button', { name: 'Edit e2e slow answers' }).click();
  await page.getByTestId('rule-form').getByTestId('rule-threshold').fill('600000');
  await page.getByTestId('rule-form').getByTestId('rule-save').click();
  await expect
    .poll(async () => (await received()).map((r) => r.status), { timeout: 20_000 })
    .toEqual(['firing', 'resolved']);
  await expect(page.getByTestId('alert-banner')).not.toContainText('e2e slow answers', { timeout: 20_000 });
  await expect(page.getByTestId('event-log')).toContainText('firing → ok');
  await shot(page, 'alerts-resolved');
});

test('the server names the wrong field of an invalid rule', async ({ page }) => {
  await signIn(page);
  await page.getByTestId('nav-alerts').click();
  await page.getByTestId('rule-new').click();
  const form = page.getByTestId('rule-form');
  await form.getByTestId('rule-name').fill('bad recovery');
  await form.getByTestId('rule-metric').selectOption('latency_p99_ms');
  await form.getByTestId('rule-op').selectOption('>');
  await form.getByTestId('rule-threshold').fill('1000');
  await form.getByTestId('rule-recover').fill('5000');
  await form.getByTestId('rule-save').click();
  await expect(page.locator('[data-testid^="field-error-"]').first()).toContainText(/recover/i);
  await shot(page, 'rule-form-error');
});
