/**
 * `runSoak`: starts the fleet, connects the dashboards, drives the load with the fault schedule while
 * sampling the heap, lets everything settle, then checks counts, gauges, memory and dashboards.
 */
import type { Snapshot } from '@lookout/contracts';
import {
  type Check,
  dashboardChecks,
  engineAppTotals,
  gaugeChecks,
  memoryChecks,
  type OutcomeRow,
  outcomeRows,
  prometheusAppTotals,
  reconciliationChecks,
} from './checks.ts';
import { connectDashboards, type DashboardClient, type DashboardReport } from './dashboards.ts';
import { FaultSchedule } from './faults.ts';
import { startSoakFleet } from './fleet.ts';
import { type LoadTally, runLoad } from './load.ts';
import { analyseMemory, HeapSampler, type MemoryAnalysis, type MemorySample } from './memory.ts';
import type { SoakOptions } from './options.ts';
import { CallPlanner } from './plan.ts';
import { SeededRandom } from './rng.ts';
import { type SettleReport, waitForSettle } from './settle.ts';
import { CallTap } from './tap.ts';

export interface SoakResult {
  passed: boolean;
  startedAt: string;
  options: Omit<SoakOptions, 'log' | 'reportPath'>;
  loadMs: number;
  wallMs: number;
  calls: number;
  callsPerSec: number;
  outcomes: OutcomeRow[];
  tally: Omit<LoadTally, 'byOutcome'>;
  faultsArmed: Record<string, number>;
  faultControlErrors: string[];
  memory: MemoryAnalysis & { afterSettle: MemorySample; warmupEndsAtMs: number; series: MemorySample[] };
  settle: SettleReport;
  dashboards: DashboardReport[];
  checks: Check[];
}

/** How long to keep the dashboards connected after the settle, so they see the gauges at zero. */
const DASHBOARD_TAIL_MS = 2_500;
/** The dashboard's 15-minute window holds every call only when the whole run is shorter than this. */
const WINDOW_HOLDS_RUN_MS = 14 * 60_000;

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const log = options.log ?? (() => {});
  const startedAt = new Date().toISOString();
  const wallStartedAtMs = performance.now();
  const random = new SeededRandom(options.seed);
  const planner = new CallPlanner(random.fork());
  const faultRandom = random.fork();
  const dashboardRandom = random.fork();
  const pauseRandom = random.fork();

  log(`starting 3 simulators and Lookout (seed ${options.seed})`);
  const fleet = await startSoakFleet();
  const { lookout, sims } = fleet;
  const tap = new CallTap(lookout.metrics);
  let dashboards: DashboardClient[] = [];
  try {
    dashboards = await connectDashboards(
      lookout.dashboardUrl,
      fleet.adminToken,
      options.dashboards,
      dashboardRandom,
    );
    const sampler = new HeapSampler();
    const faults = new FaultSchedule(sims, faultRandom, options.faultEveryMs);
    sampler.sample();
    const loadStartedAtMs = sampler.samples[0]!.atMs;
    log(
      `load: ${options.concurrency} clients for ${Math.round(options.durationMs / 1000)} s, ` +
        `${options.dashboards + 1} dashboards on /ws, a fault every ${options.faultEveryMs} ms`,
    );
    let lastLogMs = performance.now();
    sampler.start(options.sampleEveryMs);
    faults.start();
    const loadT0 = performance.now();
    let tally: LoadTally;
    try {
      tally = await runLoad({
        relayUrl: lookout.relayUrl,
        planner,
        tap,
        concurrency: options.concurrency,
        durationMs: options.durationMs,
        random: pauseRandom,
        stuckAfterMs: options.stuckAfterMs,
        onCall: (t) => {
          if (performance.now() - lastLogMs < 10_000) return;
          lastLogMs = performance.now();
          const s = sampler.samples[sampler.samples.length - 1]!;
          log(
            `  ${Math.round(s.atMs / 1000)} s: ${t.calls} calls, ${t.differences} differing, heap ` +
              `${mb(s.heapUsedBytes)}, rss ${mb(s.rssBytes)}`,
          );
        },
      });
    } finally {
      sampler.stop();
      await faults.stop();
    }
    const loadMs = performance.now() - loadT0;
    log(`load done: ${tally.calls} calls; settling`);

    const settle = await waitForSettle(lookout, sims, options.settleTimeoutMs);
    await new Promise((resolve) => setTimeout(resolve, DASHBOARD_TAIL_MS));
    const [snapshot, metricsText] = await Promise.all([
      dashboardGet(lookout.dashboardUrl, '/api/snapshot', fleet.adminToken).then(
        (t) => JSON.parse(t) as Snapshot,
      ),
      dashboardGet(lookout.dashboardUrl, '/metrics', fleet.adminToken),
    ]);
    const afterSettle = sampler.sample();
    const dashboardReports = dashboards.map((d) => ({ ...d.report }));
    const rebuilt =
      performance.now() - wallStartedAtMs < WINDOW_HOLDS_RUN_MS ? dashboards[0]?.state : undefined;

    const rows = outcomeRows(
      tally,
      engineAppTotals(lookout.metrics.requestTotals()),
      prometheusAppTotals(metricsText),
      rebuilt,
    );
    const warmupEndsAtMs = loadStartedAtMs + options.durationMs * options.warmupFraction;
    const duringLoad = sampler.samples.filter((s) => s !== afterSettle);
    const memory = analyseMemory(duringLoad, warmupEndsAtMs);
    const checks = [
      ...reconciliationChecks(tally, rows, {
        engineAnomalies: lookout.metrics.anomalies(),
        tapAnomalies: tap.anomalies,
        openCalls: lookout.metrics.openCalls,
      }),
      ...gaugeChecks(settle, snapshot, rebuilt ?? dashboards[0]?.state),
      ...memoryChecks(memory, options),
      ...dashboardChecks(dashboardReports, loadMs, options.maxDashboardGapMs),
    ];
    const { byOutcome: _byOutcome, ...rest } = tally;
    const { log: _log, reportPath: _reportPath, ...plainOptions } = options;
    return {
      passed: checks.every((c) => c.passed),
      startedAt,
      options: plainOptions,
      loadMs,
      wallMs: performance.now() - wallStartedAtMs,
      calls: tally.calls,
      callsPerSec: tally.calls / (loadMs / 1000),
      outcomes: rows,
      tally: rest,
      faultsArmed: faults.armed,
      faultControlErrors: faults.errors,
      memory: { ...memory, afterSettle, warmupEndsAtMs, series: duringLoad },
      settle,
      dashboards: dashboardReports,
      checks,
    };
  } finally {
    await Promise.all(dashboards.map((d) => d.close()));
    tap.uninstall();
    await fleet.close();
  }
}

async function dashboardGet(base: string, path: string, token: string): Promise<string> {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${text.slice(0, 200)}`);
  return text;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
