/**
 * The Fleet page in Debian's Chromium, signed in, scrolled so every live chart is on screen, with a
 * count of the live messages it has received and a record of its long frames and tasks.
 */
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const VIEWPORT = { width: 1440, height: 1000 } as const;
/** The live charts of a scope (LIVE_CHARTS in src/charts/chart-defs.ts). */
const CHART_IDS = ['queue', 'latency', 'ttft', 'timeouts', 'tokens', 'errors'] as const;

export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    // The bench's own signal handler closes the browser, then the server: Playwright's would exit first.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
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
}

/** What the page received on its WebSocket so far. */
export interface FrameCounts {
  /** `snapshot` and `delta` messages: each one is a live update of the whole page. */
  updates: number;
  /** Alert transitions, test-prompt tokens, errors. */
  others: number;
  bytes: number;
}

/** A long animation frame or long task the page reported (both only exist past 50 ms). */
export interface LongEntry {
  readonly type: 'long-animation-frame' | 'longtask';
  readonly startMs: number;
  readonly durationMs: number;
}

interface BenchWindow {
  __lookoutBenchLong?: LongEntry[];
}

export interface FleetPage {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly frames: FrameCounts;
  /**
   * Scrolls the chart grid to the bottom of the viewport, moves the pointer off the page content (no
   * tooltip follows the data), and says how many of the six charts are wholly inside the viewport.
   */
  showAllCharts(): Promise<number>;
  /** The page's performance.now(), for slicing {@link longEntries}. */
  pageNowMs(): Promise<number>;
  longEntries(): Promise<LongEntry[]>;
}

// Runs in the page before its own scripts: keeps every long frame and long task it reports.
function recordLongEntries(): void {
  const w = window as unknown as BenchWindow;
  const kept: LongEntry[] = [];
  w.__lookoutBenchLong = kept;
  for (const type of ['long-animation-frame', 'longtask'] as const) {
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) kept.push({ type, startMs: e.startTime, durationMs: e.duration });
      }).observe({ type, buffered: true });
    } catch {
      // this entry type is not supported: nothing recorded for it
    }
  }
}

export async function openFleetPage(browser: Browser, url: string, token: string): Promise<FleetPage> {
  const context = await browser.newContext({ viewport: VIEWPORT, colorScheme: 'light' });
  const page = await context.newPage();
  page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
  page.on('console', (m) => {
    if (m.type() === 'error') process.stderr.write(`page console: ${m.text()}\n`);
  });
  await page.addInitScript(recordLongEntries);
  const frames: FrameCounts = { updates: 0, others: 0, bytes: 0 };
  page.on('websocket', (socket) => {
    socket.on('framereceived', ({ payload }) => {
      const text = typeof payload === 'string' ? payload : payload.toString('utf8');
      frames.bytes += Buffer.byteLength(text);
      const type = /^\{"type":"(\w+)"/.exec(text)?.[1];
      if (type === 'delta' || type === 'snapshot') frames.updates++;
      else frames.others++;
    });
  });

  await page.goto(url);
  await page.getByTestId('signin-token').fill(token);
  await page.getByTestId('signin-submit').click();
  await page.locator('[data-testid^="target-card-"]').first().waitFor({ timeout: 30_000 });
  for (const id of CHART_IDS) await page.getByTestId(`chart-${id}`).waitFor({ timeout: 30_000 });

  const showAllCharts = async (): Promise<number> => {
    // The charts sit below the cards: bring the whole grid into view.
    await page.locator('.chart-grid').evaluate((grid) => grid.scrollIntoView({ block: 'end' }));
    // The gutter right of the cards: no chart under the pointer.
    await page.mouse.move(VIEWPORT.width - 4, VIEWPORT.height - 4);
    await page.waitForTimeout(300);
    // The sticky header covers the top of the viewport; a pixel of rounding either way is on screen.
    const header = await page.locator('.app-header').boundingBox();
    const top = header ? header.y + header.height : 0;
    let onScreen = 0;
    for (const id of CHART_IDS) {
      const box = await page.getByTestId(`chart-${id}`).boundingBox();
      if (box && box.y >= top - 1 && box.y + box.height <= VIEWPORT.height + 1) onScreen++;
    }
    return onScreen;
  };

  return {
    context,
    page,
    frames,
    showAllCharts,
    pageNowMs: () => page.evaluate(() => performance.now()),
    longEntries: () =>
      page.evaluate(() => [...((window as unknown as BenchWindow).__lookoutBenchLong ?? [])]),
  };
}
