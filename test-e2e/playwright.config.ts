import { resolve } from 'node:path';
import { defineConfig } from '@playwright/test';

const reportDir = process.env.LOOKOUT_REPORT_DIR;

/**
 * End-to-end tests in Debian's Chromium (never a downloaded browser) against the real server and
 * simulators, which `src/global-setup.ts` starts on free loopback ports.
 */
export default defineConfig({
  testDir: 'tests',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  globalSetup: './src/global-setup.ts',
  outputDir: 'test-results',
  reporter: reportDir
    ? [['list'], ['json', { outputFile: resolve(reportDir, 'playwright-e2e.json') }]]
    : [['list']],
  use: {
    browserName: 'chromium',
    viewport: { width: 1360, height: 900 },
    trace: 'off',
    screenshot: 'only-on-failure',
    launchOptions: {
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
    },
  },
});
