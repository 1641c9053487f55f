/**
 * Dashboard benchmark: the main-thread cost of one live update on the Fleet page with every chart on
 * screen, in Debian's Chromium against the real server (production build) fed by three simulators and
 * background calls; then the gzipped size of the build. Prints a Markdown report and writes it to
 * <repo>/.bench/web.md.
 *
 * Run in apps/web: `node --import tsx bench/live-update.ts [--quick] [--full-series] [--profile] [--build]`
 *   --quick        windows of 8 s instead of 20 s
 *   --full-series  also measure once the live charts hold their whole 15 minutes (900 points a line;
 *                  the run takes 16 minutes more)
 *   --profile      serve an unminified build instead and add a CPU profile by function
 *   --build        build the web app first even if dist/ exists
 *   --screenshot   save what the page showed at the start of each phase as <repo>/.bench/web-<n>.png
 * LOOKOUT_CHROMIUM overrides /usr/bin/chromium. Progress goes to stderr.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { startBenchFleet } from './fleet.ts';
import { launchChromium, openFleetPage } from './fleet-page.ts';
import { describeMachine, killDescendantsNow, loadAverage1m } from './machine.ts';
import { measureWindow, openMetricsProbe, traceTasks } from './measure.ts';
import { profileWindow } from './profile.ts';
import { type Phase, renderReport, type SizeReport } from './report.ts';

const WEB_DIR = resolve(import.meta.dirname, '..');
const REPO_DIR = resolve(WEB_DIR, '..', '..');
const OUT_FILE = join(REPO_DIR, '.bench', 'web.md');
const ADMIN_TOKEN = 'web-bench-admin-token-0123456789abcdef';
const CALLS_PER_SEC = 4;
const WARM_UP_MS = 15_000;
const WINDOWS = 3;
const FULL_SERIES_POINTS = 900;
const FULL_SERIES_LIMIT_MS = 20 * 60_000;

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const fullSeries = argv.includes('--full-series');
const profiling = argv.includes('--profile');
const forceBuild = argv.includes('--build');
const screenshots = argv.includes('--screenshot');
const WINDOW_MS = quick ? 8_000 : 20_000;
const TRACE_MS = quick ? 5_000 : 10_000;
const PROFILE_MS = quick ? 5_000 : 10_000;
const chromiumPath = process.env.LOOKOUT_CHROMIUM ?? '/usr/bin/chromium';

const progress = (text: string) => process.stderr.write(`web bench: ${text}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Undo steps, last first; run once, at the end, on an error or on Ctrl-C (whichever comes first). */
const cleanups: (() => Promise<void> | void)[] = [];
let cleaning: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length > 0) {
      try {
        await cleanups.pop()!();
      } catch (error) {
        progress(`cleanup step failed: ${(error as Error).message}`);
      }
    }
  })();
  return cleaning;
}
/** Set by Ctrl-C or SIGTERM: the exit code, and the sign that errors from here on are expected. */
let stoppedWith: number | undefined;
process.on('exit', killDescendantsNow);
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.once(signal, () => {
    progress(`${signal}: stopping`);
    stoppedWith = code;
    const force = setTimeout(() => process.exit(code), 15_000);
    void cleanUp().finally(() => {
      clearTimeout(force);
      process.exit(code);
    });
  });
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: WEB_DIR, stdio: ['ignore', 2, 2] });
  if (result.error || result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed: ${result.error?.message ?? `exit ${result.status}`}`,
    );
  }
}

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function readSizes(): SizeReport {
  const result = spawnSync(process.execPath, ['bench/size.mjs', '--json'], {
    cwd: WEB_DIR,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`bench/size.mjs failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as SizeReport;
}

async function measurePhase(
  browser: Browser,
  fleetPage: Awaited<ReturnType<typeof openFleetPage>>,
  label: string,
): Promise<Phase> {
  const chartsOnScreen = await fleetPage.showAllCharts();
  if (screenshots) {
    const path = join(dirname(OUT_FILE), `web-${label.replace(/\W+/g, '-').replace(/-$/, '')}.png`);
    mkdirSync(dirname(path), { recursive: true });
    await fleetPage.page.screenshot({ path });
    progress(`screenshot: ${path}`);
  }
  const probe = await openMetricsProbe(fleetPage);
  const windows = [];
  try {
    for (let i = 0; i < WINDOWS; i++) {
      const sample = await measureWindow(fleetPage, probe, WINDOW_MS);
      progress(
        `${label}, window ${i + 1}/${WINDOWS}: ${sample.updates} updates, ` +
          `${(sample.metrics.taskMs / Math.max(1, sample.updates)).toFixed(1)} ms main thread per update`,
      );
      windows.push(sample);
    }
  } finally {
    await probe.detach();
  }
  const trace = await traceTasks(browser, fleetPage, TRACE_MS);
  progress(`${label}, trace: longest task ${trace.longestTaskMs.toFixed(1)} ms over ${trace.tasks} tasks`);
  return { label, windows, trace, chartsOnScreen };
}

async function main(): Promise<void> {
  const notes: string[] = [];
  const distIndex = join(WEB_DIR, 'dist', 'index.html');
  if (forceBuild || !existsSync(distIndex)) {
    progress('building the web app (production)');
    run('pnpm', ['run', 'build']);
  } else if (newestMtimeMs(join(WEB_DIR, 'src')) > statSync(distIndex).mtimeMs) {
    progress('warning: dist/ is older than src/ (pass --build to rebuild)');
    notes.push('Note: the measured build was older than the sources (run with `--build`).');
  }
  let webDir: string | undefined;
  if (profiling) {
    webDir = mkdtempSync(join(tmpdir(), 'lookout-web-unminified-'));
    const dir = webDir;
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    progress('building an unminified copy of the web app for the profile');
    run('pnpm', ['exec', 'vite', 'build', '--minify', 'false', '--outDir', dir, '--emptyOutDir']);
    notes.push('Note: `--profile` run: the page served an unminified production build.');
  }

  const machine = describeMachine(chromiumPath);
  const loadAtStart = loadAverage1m();
  progress('starting 3 simulators and the server');
  const fleet = await startBenchFleet({
    adminToken: ADMIN_TOKEN,
    callsPerSec: CALLS_PER_SEC,
    ...(webDir ? { webDir } : {}),
  });
  cleanups.push(() => fleet.stop());
  const browser = await launchChromium(chromiumPath);
  cleanups.push(() => browser.close());
  const fleetPage = await openFleetPage(browser, fleet.dashboardUrl, ADMIN_TOKEN);
  await fleetPage.showAllCharts();
  progress(`signed in at ${fleet.dashboardUrl}; warming up ${WARM_UP_MS / 1000} s`);
  await sleep(WARM_UP_MS);

  const phases: Phase[] = [await measurePhase(browser, fleetPage, 'after 15 s')];
  if (fullSeries) {
    const deadline = Date.now() + FULL_SERIES_LIMIT_MS;
    let lastReport = 0;
    while (fleetPage.frames.updates < FULL_SERIES_POINTS + 5 && Date.now() < deadline) {
      if (Date.now() - lastReport > 60_000) {
        lastReport = Date.now();
        progress(`filling the 15-minute series: ${fleetPage.frames.updates}/${FULL_SERIES_POINTS} points`);
      }
      await sleep(1_000);
    }
    phases.push(await measurePhase(browser, fleetPage, 'after 15 min (full series)'));
  }
  let profile: Parameters<typeof renderReport>[0]['profile'];
  if (profiling) {
    const result = await profileWindow(fleetPage, PROFILE_MS);
    profile = { ...result, seconds: PROFILE_MS / 1000 };
  }
  const loadAtEnd = loadAverage1m();
  const traffic = { ...fleet.traffic };
  await cleanUp();

  const windows = phases.flatMap((p) => p.windows);
  const othersPct =
    windows.reduce((n, w) => n + (w.machineBusyMsPerSec - w.benchCpuMsPerSec), 0) / windows.length / 10;
  notes.unshift(
    othersPct > 30
      ? `The machine was shared: other processes used ${othersPct.toFixed(0)}% of one core on average during the windows (of ${machine.cores} cores), so these figures are likely higher than on a quiet machine.`
      : `Other processes used ${othersPct.toFixed(0)}% of one core on average during the windows (the machine was otherwise quiet).`,
  );
  if (phases.some((p) => p.chartsOnScreen < 6)) {
    notes.push('Note: not every chart was wholly on screen (taller cards pushed the grid down).');
  }

  const report = renderReport({
    machine,
    date: new Date().toISOString().slice(0, 10),
    command:
      process.env.LOOKOUT_BENCH_COMMAND ?? `node --import tsx bench/live-update.ts ${argv.join(' ')}`.trim(),
    setup:
      'The real server serving the production build, in front of 3 simulated Ollama instances, with ' +
      `~${CALLS_PER_SEC} calls/s through the relay over 3 models (streamed chat, OpenAI chat, embeddings); ` +
      'the Fleet page (3 target cards, 6 live charts) in headless Chromium at 1440x1000, signed in and ' +
      'scrolled so the charts are on screen.',
    phases,
    loadAverage: { start: loadAtStart, end: loadAtEnd },
    traffic,
    notes,
    sizes: readSizes(),
    ...(profile ? { profile } : {}),
  });
  mkdirSync(dirname(OUT_FILE), { recursive: true });
  writeFileSync(OUT_FILE, report);
  process.stdout.write(report);
  progress(`written to ${OUT_FILE}`);
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    // After Ctrl-C the page and the server go away under the running measurement: not a failure.
    if (stoppedWith === undefined) progress(`failed: ${(error as Error)?.stack ?? String(error)}`);
    await cleanUp();
    process.exit(stoppedWith ?? 1);
  },
);
