import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, type Locator, type Page, test } from '@playwright/test';
import { shot, signIn, traffic } from '../src/helpers.ts';
import { loadState } from '../src/state.ts';

interface TargetLimit {
  name: string;
  maxConcurrent: number;
  queueDepth: number;
  inFlight: number;
  concurrency?: {
    mode: string;
    limit: number;
    changes: { from: number; to: number; reason: string }[];
  };
}

/** One target as `GET /api/snapshot` has it now. */
async function serverTarget(name: string): Promise<TargetLimit> {
  const { dashboard, token } = loadState();
  const res = await fetch(`${dashboard}/api/snapshot`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { targets: TargetLimit[] };
  const target = body.targets.find((t) => t.name === name);
  if (!target) throw new Error(`no target ${name} in the snapshot`);
  return target;
}

/** Back to the configured limit whatever the test did (the pin is kept in the data dir). */
async function unpinByApi(name: string): Promise<void> {
  const { dashboard, token } = loadState();
  const res = await fetch(`${dashboard}/api/targets/${name}/concurrency`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ pin: null }),
  });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`unpin ${name} answered ${res.status}`);
}

const SHOTS = fileURLToPath(new URL('../screenshots/', import.meta.url));

/** The whole page, and close-ups of `parts`, in the light and the dark theme. */
async function shotBothThemes(page: Page, name: string, parts: Record<string, Locator> = {}): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  // A full-page shot of a scrolled page draws the sticky header mid-page.
  await page.evaluate(() => window.scrollTo(0, 0));
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await shot(page, `${name}-${scheme}`);
    for (const [part, locator] of Object.entries(parts)) {
      await locator.screenshot({ path: `${SHOTS}${name}-${part}-${scheme}.png` });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test("an operator pins a target's concurrency limit from its page, the gate holds it, and unpins it", async ({
  page,
}) => {
  test.setTimeout(90_000);
  await signIn(page);
  const chip = page.getByTestId('concurrency-alpha');
  await expect(chip).toHaveAttribute('data-mode', 'static');
  await expect(chip).toHaveAttribute('data-limit', '4');
  await expect(chip).toHaveText('limit 4 · static');

  await page.getByTestId('target-card-alpha').getByRole('link', { name: 'alpha' }).first().click();
  const panel = page.getByTestId('concurrency-panel-alpha');
  await expect(panel).toHaveAttribute('data-mode', 'static');
  await expect(panel).toHaveAttribute('data-limit', '4');
  try {
    await page.getByTestId('pin-input').fill('3');
    await page.getByTestId('pin-submit').click();
    await expect(panel).toHaveAttribute('data-mode', 'pinned');
    await expect(panel).toHaveAttribute('data-limit', '3');
    await expect(page.getByTestId('concurrency-mode')).toHaveText('pinned');
    await expect(page.getByTestId('stat-alpha-max')).toHaveText('3');
    await expect(panel.getByTestId('concurrency-changes').getByRole('listitem').first()).toContainText(
      '4 → 3',
    );
    const pinned = await serverTarget('alpha');
    expect(pinned.maxConcurrent).toBe(3);
    expect(pinned.concurrency).toMatchObject({ mode: 'pinned', limit: 3 });
    expect(pinned.concurrency?.changes.at(-1)).toMatchObject({ from: 4, to: 3, reason: 'pinned' });

    // The gate holds the pin: of six slow calls, three run and three wait.
    const calls = traffic(6, { target: 'alpha', ttftMs: 6_000 });
    try {
      const inFlight = page.getByTestId('stat-alpha-inflight');
      const queued = page.getByTestId('stat-alpha-queue');
      await expect
        .poll(
          async () =>
            `${await inFlight.getAttribute('data-value')}/${await queued.getAttribute('data-value')}`,
        )
        .toBe('3/3');
      const chart = page.getByTestId('chart-queue');
      await expect(chart).toContainText('Queue depth, in flight and limit');
      await expect(chart).toContainText('limit 3');
      await expect(chart.locator('.recharts-line')).toHaveCount(3);
      await shotBothThemes(page, 'concurrency-pinned', { panel, chart });
    } finally {
      await calls;
    }

    // A limit the server refuses: its reason shows, and nothing changes.
    await page.getByTestId('pin-input').fill('5000');
    await page.getByTestId('pin-submit').click();
    await expect(page.getByTestId('pin-error')).toContainText('1 to 1024');
    await expect(page.getByTestId('pin-input')).toHaveAttribute('aria-invalid', 'true');
    await expect(panel).toHaveAttribute('data-limit', '3');
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'concurrency-refused');

    // The fleet page shows it too.
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Fleet' }).click();
    await expect(chip).toHaveAttribute('data-mode', 'pinned');
    await expect(chip).toHaveText('limit 3 · pinned');
    await expect(page.getByTestId('concurrency-beta')).toHaveAttribute('data-mode', 'static');
    await page.getByTestId('concurrency-alpha').scrollIntoViewIfNeeded();
    await shotBothThemes(page, 'concurrency-fleet', { card: page.getByTestId('target-card-alpha') });

    await page.getByTestId('target-card-alpha').getByRole('link', { name: 'alpha' }).first().click();
    await page.getByTestId('unpin').click();
    await expect(panel).toHaveAttribute('data-mode', 'static');
    await expect(panel).toHaveAttribute('data-limit', '4');
    await expect(page.getByTestId('unpin')).toHaveCount(0);
    await expect(page.getByTestId('stat-alpha-max')).toHaveText('4');
    const unpinned = await serverTarget('alpha');
    expect(unpinned.maxConcurrent).toBe(4);
    expect(unpinned.concurrency).toMatchObject({ mode: 'static', limit: 4 });
    expect(unpinned.concurrency?.changes.at(-1)).toMatchObject({ from: 3, to: 4, reason: 'unpinned' });
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Fleet' }).click();
    await expect(chip).toHaveText('limit 4 · static');
  } finally {
    await unpinByApi('alpha');
  }
});
