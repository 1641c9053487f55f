import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, type Page } from '@playwright/test';
import { loadState } from './state.ts';

const SHOTS = fileURLToPath(new URL('../screenshots/', import.meta.url));

/** Saves a screenshot of what a person sees now (git-ignored, written by every run). */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
}

/** Signs in through the form with the admin token. */
export async function signIn(page: Page, dashboard = loadState().dashboard, token = loadState().token) {
  await page.goto(dashboard);
  await page.getByTestId('signin-token').fill(token);
  await page.getByTestId('signin-submit').click();
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'live');
}

/** Sends `count` calls through the relay and reads their answers. */
export async function traffic(
  count: number,
  options: { target?: string; model?: string; ttftMs?: number } = {},
): Promise<void> {
  const { relay } = loadState();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.target) headers['x-lookout-target'] = options.target;
  if (options.ttftMs) headers['x-sim-ttft-ms'] = String(options.ttftMs);
  await Promise.all(
    Array.from({ length: count }, async () => {
      const res = await fetch(`${relay}/api/generate`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: options.model ?? 'llama3.2:1b', prompt: 'hi', stream: false }),
      });
      await res.arrayBuffer();
    }),
  );
}

/** The snapshot the server serves now. */
export async function snapshot(): Promise<{
  targets: { name: string; stats: { windows: Record<string, { requests: number }> } }[];
}> {
  const { dashboard, token } = loadState();
  const res = await fetch(`${dashboard}/api/snapshot`, { headers: { authorization: `Bearer ${token}` } });
  return res.json() as never;
}
