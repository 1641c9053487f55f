import { expect, test } from '@playwright/test';
import { shot, signIn } from '../src/helpers.ts';

test('a test prompt streams its text, then shows its timings', async ({ page }) => {
  await signIn(page);
  await page.getByTestId('nav-test-prompt').click();
  await page.getByTestId('test-prompt-target').selectOption('beta');
  await page.getByTestId('test-prompt-model').selectOption('llama3.2:1b');
  await page.getByTestId('test-prompt-prompt').fill('Write a short poem about lighthouses.');
  await page.getByLabel('num_predict').fill('40');
  await page.getByTestId('test-prompt-send').click();
  const output = page.getByTestId('test-prompt-output');
  await expect(output).not.toBeEmpty();
  const partial = (await output.textContent()) ?? '';
  await expect(page.getByTestId('test-prompt-timings')).toBeVisible({ timeout: 15_000 });
  expect(((await output.textContent()) ?? '').length).toBeGreaterThan(partial.length);
  for (const key of ['queue-wait', 'ttft', 'tokens-per-sec', 'total', 'load', 'prompt-eval', 'eval']) {
    await expect(page.getByTestId(`timing-${key}`)).not.toHaveAttribute('data-value', '');
  }
  await expect(page.getByTestId('test-prompt-runs')).toContainText('llama3.2:1b');
  await shot(page, 'test-prompt');
});
