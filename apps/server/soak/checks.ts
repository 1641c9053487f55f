/** The soak's verdicts: each a named check with the figures it compared. */
import { OUTCOMES, type Outcome } from '@lookout/client-core';
import type { Snapshot } from '@lookout/contracts';
import type { EngineAnomalies, RequestTotals } from '../src/metrics/index.ts';
import type { DashboardReport } from './dashboards.ts';
import type { LoadTally } from './load.ts';
import type { MemoryAnalysis } from './memory.ts';
import type { SettleReport } from './settle.ts';
import type { TapAnomalies } from './tap.ts';

export interface Check {
  name: string;
  passed: boolean;
  detail: string;
}

/** One outcome as each side counted it (app traffic only). */
export interface OutcomeRow {
  outcome: Outcome;
  /** Calls whose client's view stands for this outcome alone. */
  clients: number;
  /** Ambiguous calls (cut one-piece bodies) that the server counted as this outcome, per the tap. */
  cut: number;
  engine: number;
  prometheus: number;
  /** The 15-minute window of the snapshot a dashboard client rebuilt from its messages. */
  dashboard: number | undefined;
}

/** Sums the engine's counters of application calls by outcome. */
export function engineAppTotals(totals: readonly RequestTotals[]): Record<Outcome, number> {
  const sums = zeroes();
  for (const t of totals) if (t.source === 'app') for (const o of OUTCOMES) sums[o] += t.outcomes[o];
  return sums;
}

/** Sums `lookout_requests_total{source="app"}` of a Prometheus exposition by outcome. */
export function prometheusAppTotals(text: string): Record<Outcome, number> {
  const sums = zeroes();
  for (const line of text.split('\n')) {
    if (!line.startsWith('lookout_requests_total{')) continue;
    const close = line.lastIndexOf('}');
    const labels = line.slice('lookout_requests_total{'.length, close);
    if (!labels.includes('source="app"')) continue;
    const outcome = /outcome="([a-z_]+)"/.exec(labels)?.[1] as Outcome | undefined;
    if (outcome && outcome in sums) sums[outcome] += Number(line.slice(close + 1).trim());
  }
  return sums;
}

function zeroes(): Record<Outcome, number> {
  return Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
}

export function outcomeRows(
  tally: LoadTally,
  engine: Record<Outcome, number>,
  prometheus: Record<Outcome, number>,
  dashboard: Snapshot | undefined,
): OutcomeRow[] {
  const window = dashboard?.fleet.windows['15m'].outcomes;
  return OUTCOMES.map((outcome) => ({
    outcome,
    clients: tally.byOutcome[outcome],
    cut: tally.ambiguous.serverSaid[outcome] ?? 0,
    engine: engine[outcome],
    prometheus: prometheus[outcome],
    dashboard: window ? (window[outcome] ?? 0) : undefined,
  }));
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/** (1) Outcome counts: every side agrees with what the clients saw, per outcome and in total. */
export function reconciliationChecks(
  tally: LoadTally,
  rows: readonly OutcomeRow[],
  evidence: { engineAnomalies: EngineAnomalies; tapAnomalies: TapAnomalies; openCalls: number },
): Check[] {
  const { ambiguous } = tally;
  // Outside the ambiguous outcomes: equal. Within them: at least the clients' exact count, and the
  // excess over all of them is the number of ambiguous calls.
  const differing = (side: 'engine' | 'prometheus' | 'dashboard'): string[] => {
    const found: string[] = [];
    let excess = 0;
    for (const r of rows) {
      const counted = r[side];
      if (counted === undefined) continue;
      if (!ambiguous.candidates.includes(r.outcome)) {
        if (counted !== r.clients) found.push(`${r.outcome} clients ${r.clients} vs ${counted}`);
      } else if (counted < r.clients) found.push(`${r.outcome} clients ${r.clients} vs ${counted}`);
      else excess += counted - r.clients;
    }
    if (excess !== ambiguous.calls && rows.some((r) => r[side] !== undefined)) {
      found.push(
        `${ambiguous.calls} cut one-piece bodies vs ${excess} more ${ambiguous.candidates.join('/')} counted`,
      );
    }
    return found;
  };
  const pickedApart = rows.filter((r) => r.engine !== r.clients + r.cut);
  const engineTotal = sum(rows.map((r) => r.engine));
  const checks: Check[] = [
    {
      name: 'every call classified from what its client saw',
      passed: tally.byOutcome.unclassified === 0,
      detail:
        `${tally.byOutcome.unclassified} of ${tally.calls} unclassified; ${ambiguous.calls} cut one-piece bodies ` +
        `(any of ${ambiguous.candidates.join('/') || '-'})`,
    },
    {
      name: 'engine counts equal the clients, per outcome',
      passed: differing('engine').length === 0,
      detail: differing('engine').join('; ') || `${OUTCOMES.length} outcomes agree`,
    },
    {
      name: 'engine counts equal the clients plus the cut bodies as the server called them',
      passed: pickedApart.length === 0,
      detail:
        pickedApart.map((r) => `${r.outcome} ${r.clients} + ${r.cut} vs ${r.engine}`).join('; ') ||
        `${OUTCOMES.length} outcomes equal`,
    },
    {
      name: 'engine total equals the calls made',
      passed: engineTotal === tally.calls,
      detail: `engine ${engineTotal}, calls ${tally.calls}`,
    },
    {
      name: '/metrics counters equal the clients, per outcome',
      passed: differing('prometheus').length === 0,
      detail: differing('prometheus').join('; ') || 'equal',
    },
  ];
  if (rows.some((r) => r.dashboard !== undefined)) {
    checks.push({
      name: "a dashboard's rebuilt 15m window equals the clients, per outcome",
      passed: differing('dashboard').length === 0,
      detail: differing('dashboard').join('; ') || 'equal',
    });
  }
  const { engineAnomalies: e, tapAnomalies: t } = evidence;
  checks.push(
    {
      name: "each call's server outcome equals its client's, call by call",
      passed: tally.differences === 0 && tally.withoutVerdict === 0,
      detail: `${tally.differences} differ, ${tally.withoutVerdict} without a server outcome`,
    },
    {
      name: 'one terminal event per call, none lost or late',
      passed:
        e.duplicateTerminals + e.abandonedCalls + e.lateEvents + e.internalErrors === 0 &&
        t.duplicateTerminals + t.eventsAfterMatch + t.unknownTags === 0 &&
        evidence.openCalls === 0,
      detail:
        `engine: ${e.duplicateTerminals} duplicate, ${e.abandonedCalls} abandoned, ${e.lateEvents} late, ` +
        `${e.internalErrors} internal errors, ${evidence.openCalls} open; tap: ${t.duplicateTerminals} duplicate, ` +
        `${t.eventsAfterMatch} after the match, ${t.unknownTags} unknown`,
    },
    {
      name: 'no response left hanging or cut short',
      passed:
        (tally.notes.stuck_short_of_length ?? 0) + (tally.notes.stuck ?? 0) === 0 &&
        (tally.notes.connection_closed_mid_body ?? 0) + (tally.notes.request_failed ?? 0) === 0,
      detail:
        `${tally.notes.stuck_short_of_length ?? 0} stopped short of their Content-Length, ${tally.notes.stuck ?? 0} stopped, ` +
        `${tally.notes.connection_closed_mid_body ?? 0} cut, ${tally.notes.request_failed ?? 0} refused`,
    },
  );
  return checks;
}

/** (2) Gauges: every target's queue and in-flight, and every simulator's slots, back to zero. */
export function gaugeChecks(
  settle: SettleReport,
  snapshot: Snapshot,
  dashboard: Snapshot | undefined,
): Check[] {
  const nonZero = (s: Snapshot) =>
    s.targets
      .filter((t) => t.queueDepth !== 0 || t.inFlight !== 0)
      .map((t) => `${t.name} queue ${t.queueDepth}, in flight ${t.inFlight}`);
  const checks: Check[] = [
    {
      name: 'gates, engine and simulators back to zero after the load',
      passed: settle.zero,
      detail: settle.zero
        ? `zero ${Math.round(settle.waitedMs)} ms after the last call`
        : settle.lastNonZero.join('; '),
    },
    {
      name: '/api/snapshot shows every queue and in-flight gauge at 0',
      passed:
        nonZero(snapshot).length === 0 && snapshot.fleet.queueDepth === 0 && snapshot.fleet.inFlight === 0,
      detail: nonZero(snapshot).join('; ') || `${snapshot.targets.length} targets at 0`,
    },
  ];
  if (dashboard) {
    checks.push({
      name: 'the dashboard client sees every gauge at 0',
      passed: nonZero(dashboard).length === 0,
      detail: nonZero(dashboard).join('; ') || 'all 0',
    });
  }
  return checks;
}

/** (3) Memory: the heap stops growing after warm-up. */
export function memoryChecks(
  memory: MemoryAnalysis,
  bounds: { maxHeapSlopeBytesPerMin: number; maxHeapGrowthBytes: number },
): Check[] {
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
  const growth = memory.heapAtEndBytes - memory.heapAtWarmupBytes;
  return [
    {
      name: 'heap slope after warm-up within bound',
      passed: memory.slopeBytesPerMin <= bounds.maxHeapSlopeBytesPerMin,
      detail:
        `${mb(memory.slopeBytesPerMin)}/min over ${memory.samples} samples (bound ` +
        `${Number.isFinite(bounds.maxHeapSlopeBytesPerMin) ? `${mb(bounds.maxHeapSlopeBytesPerMin)}/min` : 'none in a run this short'})`,
    },
    {
      name: 'heap at the end within bound of warm-up',
      passed: growth <= bounds.maxHeapGrowthBytes,
      detail: `${mb(memory.heapAtWarmupBytes)} -> ${mb(memory.heapAtEndBytes)} (${growth >= 0 ? '+' : ''}${mb(growth)}, bound +${mb(bounds.maxHeapGrowthBytes)})`,
    },
  ];
}

/** (4) Dashboards: none dropped, each got deltas throughout, in order. */
export function dashboardChecks(
  reports: readonly DashboardReport[],
  loadMs: number,
  maxGapMs: number,
): Check[] {
  const minDeltas = Math.max(1, Math.floor(loadMs / 1_000 / 3));
  const problems = reports.flatMap((r) => {
    const found: string[] = [];
    if (r.unexpectedClose)
      found.push(`${r.name} closed (${r.unexpectedClose.code} ${r.unexpectedClose.reason})`);
    if (r.deltas < minDeltas) found.push(`${r.name} got ${r.deltas} deltas (< ${minDeltas})`);
    if (r.seqBreaks > 0) found.push(`${r.name} saw ${r.seqBreaks} seq breaks`);
    if (r.invalid > 0) found.push(`${r.name} got ${r.invalid} invalid messages`);
    if (r.socketErrors > 0) found.push(`${r.name} had ${r.socketErrors} socket errors`);
    const allowedMs = r.slow ? r.longestPauseMs + maxGapMs : maxGapMs;
    if (r.maxGapMs > allowedMs) found.push(`${r.name} waited ${Math.round(r.maxGapMs)} ms for a message`);
    if (r.slow && r.pauses === 0) found.push(`${r.name} never paused`);
    return found;
  });
  const slow = reports.find((r) => r.slow);
  return [
    {
      name: 'dashboards stayed connected and got deltas throughout',
      passed: problems.length === 0,
      detail:
        problems.join('; ') ||
        `${reports.length} clients, ${Math.min(...reports.map((r) => r.deltas))}+ deltas each, longest gap ` +
          `${Math.round(Math.max(...reports.filter((r) => !r.slow).map((r) => r.maxGapMs)))} ms` +
          (slow ? `; slow reader paused ${slow.pauses} times (up to ${slow.longestPauseMs} ms)` : ''),
    },
  ];
}
