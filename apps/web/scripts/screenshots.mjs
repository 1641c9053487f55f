#!/usr/bin/env node
// Screenshots of every page against a running dashboard (dev server or the real one), for a person
// to look at: `LOOKOUT_URL=http://127.0.0.1:5173 LOOKOUT_TOKEN=... node scripts/screenshots.mjs`.
// Writes PNGs to screenshots/ (git-ignored). Uses Debian's Chromium through playwright-core.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

const url = process.env.LOOKOUT_URL ?? 'http://127.0.0.1:5173';
const token = process.env.LOOKOUT_TOKEN;
const waitMs = Number(process.env.LOOKOUT_CHART_WAIT_MS ?? 20_000);
if (!token) {
  console.error('set LOOKOUT_TOKEN to the admin token');
  process.exit(2);
}
const out = resolve(import.meta.dirname, '..', 'screenshots');
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.LOOKOUT_CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
const shots = [];
async function shot(page, name, fullPage = true) {
  const path = resolve(out, `${name}.png`);
  await page.screenshot({ path, fullPage });
  shots.push(path);
}

try {
  for (const scheme of ['light', 'dark']) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: scheme });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && console.error(`console: ${m.text()}`));
    await page.goto(url);
    await page.getByTestId('signin-token').waitFor();
    if (scheme === 'light') await shot(page, 'signin', false);
    await page.getByTestId('signin-token').fill(token);
    await page.getByTestId('signin-submit').click();
    await page.locator('[data-testid^="target-card-"]').first().waitFor();
    await page.waitForTimeout(scheme === 'light' ? waitMs : 3_000);
    await shot(page, `fleet-${scheme}`);
    if (scheme === 'dark') {
      await context.close();
      continue;
    }
    const first = await page.locator('[data-testid^="target-card-"]').first().getAttribute('data-testid');
    const target = first.replace('target-card-', '');
    await page.goto(`${url}/#/targets/${encodeURIComponent(target)}`);
    await page.getByTestId(`target-detail-${target}`).waitFor();
    await page.waitForTimeout(1_500);
    await shot(page, 'target');
    const modelLink = page.locator('[data-testid^="model-row-"] a').first();
    if (await modelLink.count()) {
      await modelLink.click();
      await page.getByTestId('model-detail').waitFor();
      await page.waitForTimeout(1_500);
      await shot(page, 'model');
    }
    await page.goto(`${url}/#/targets/${encodeURIComponent(target)}`);
    await page.getByTestId('range-picker').getByRole('radio', { name: '1h' }).check();
    await page.waitForTimeout(2_000);
    await shot(page, 'target-history-1h');
    await page.goto(`${url}/#/alerts`);
    await page.getByRole('heading', { name: 'Rules' }).waitFor();
    await page.waitForTimeout(1_500);
    await shot(page, 'alerts');
    await page.getByTestId('rule-new').click();
    await page.getByTestId('rule-name').fill('');
    await page.getByTestId('rule-metric').selectOption('error_rate');
    await page.getByTestId('rule-threshold').fill('5');
    await page.getByTestId('rule-save').click();
    await page.getByTestId('form-errors').waitFor();
    await page.getByTestId('rule-form').screenshot({ path: resolve(out, 'rule-form-errors.png') });
    shots.push(resolve(out, 'rule-form-errors.png'));
    await page.goto(`${url}/#/test-prompt`);
    await page.getByTestId('test-prompt-form').waitFor();
    // The slowest simulated target, so the answer is still streaming for the first shot.
    const targets = await page.getByTestId('test-prompt-target').locator('option').allTextContents();
    const slow = targets.find((t) => t.startsWith('cpu-c'));
    if (slow) await page.getByTestId('test-prompt-target').selectOption({ label: slow });
    const models = await page.getByTestId('test-prompt-model').locator('option').allTextContents();
    if (models.includes('qwen3:8b')) await page.getByTestId('test-prompt-model').selectOption('qwen3:8b');
    await page.getByTestId('test-prompt-prompt').fill('Say hello in five words.');
    await page.getByTestId('test-prompt-send').click();
    await page.getByTestId('test-prompt-run').waitFor();
    await page.waitForTimeout(1_500);
    await shot(page, 'test-prompt-streaming');
    await page
      .locator('[data-testid="test-prompt-timings"], [data-testid="test-prompt-error"]')
      .first()
      .waitFor({ timeout: 60_000 });
    await page.waitForTimeout(500);
    await shot(page, 'test-prompt-done');

    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    await phone.addCookies(await context.cookies());
    const small = await phone.newPage();
    await small.goto(url);
    await small.locator('[data-testid^="target-card-"]').first().waitFor();
    await small.waitForTimeout(3_000);
    await shot(small, 'fleet-phone', false);
    await small.getByTestId('range-picker').scrollIntoViewIfNeeded();
    await shot(small, 'fleet-phone-charts', false);
    await small.goto(`${url}/#/alerts`);
    await small.getByRole('heading', { name: 'Rules' }).waitFor();
    await small.waitForTimeout(1_000);
    await shot(small, 'alerts-phone', false);
    await phone.close();
    await context.close();
  }
} finally {
  await browser.close();
}
for (const path of shots) console.log(path);
