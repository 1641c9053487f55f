/**
 * Adaptive concurrency against static limits, on the same closed-loop load against ollama-sim whose
 * true parallelism is 4: a static limit set too high (16), one set right (4), and the adaptive limit
 * (min 1, max 32, told nothing). Each runs on a fresh simulator; the first seconds are warm-up (the
 * adaptive limit learns there) and are left out of the figures. Then, on one simulator, the true
 * parallelism goes 1, 2, 4, 8: how long the adaptive limit takes to settle within one of it.
 *
 * Run: `pnpm --filter @lookout/client-core exec tsx bench/adaptive.ts [--quick]` (also part of `pnpm bench`).
 */
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { startSimulator } from '@lookout/ollama-sim';
import { AdaptiveConcurrency } from '../src/adaptive/adaptive-concurrency.ts';
import { startHttpLoad } from '../src/adaptive/http-load.ts';
import { TargetGate } from '../src/gate.ts';
import { UpstreamPool } from '../src/pool.ts';
import { quantile } from './stats.ts';

const CLIENTS = 24;
const TRUE_PARALLELISM = 4;
/** Each call holds a slot ~210 ms: prompt 10 ms, then 10 tokens 20 ms apart. */
const TIMING = { ttftMs: 30, tokens: 10, tokenIntervalMs: 20 };

export interface AdaptiveBenchRow {
  name: string;
  calls: number;
  callsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Lowest and highest p99 of a single round. */
  p99RoundsMs: [number, number];
  simWaitMeanMs: number;
  simWaitP99Ms: number;
  gateDepthMean: number;
  /** Limits at the end of the rounds. */
  limits: number[];
  failed: number;
}

/** What one configuration gave in one round. */
interface RoundResult {
  latenciesMs: number[];
  simWaitsMs: number[];
  seconds: number;
  depths: number[];
  limit: number;
  failed: number;
}

export interface SettleRow {
  truth: number;
  /** First time the limit equalled the truth. */
  reachedAfterMs: number | undefined;
  settledAfterMs: number | undefined;
  limits: string;
  simWaitMeanMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

type Mode = { kind: 'static'; limit: number } | { kind: 'adaptive' };

async function runOne(mode: Mode, warmupMs: number, measureMs: number): Promise<RoundResult> {
  const sim = await startSimulator({ numParallel: TRUE_PARALLELISM });
  const pool = new UpstreamPool();
  const gate = new TargetGate({
    name: 'sim',
    maxConcurrent: mode.kind === 'static' ? mode.limit : 1,
    maxQueue: 64,
    queueTimeoutMs: 60_000,
  });
  const limiter =
    mode.kind === 'adaptive' ? new AdaptiveConcurrency(gate, { minLimit: 1, maxLimit: 32 }) : undefined;
  const depths: { atMs: number; depth: number }[] = [];
  const sampler = setInterval(() => depths.push({ atMs: performance.now(), depth: gate.queueDepth }), 50);
  const load = startHttpLoad({
    url: sim.url,
    gate,
    pool,
    clients: CLIENTS,
    ...(limiter === undefined ? {} : { sink: limiter }),
    ...TIMING,
  });
  try {
    await sleep(warmupMs);
    const fromMs = performance.now();
    await sleep(measureMs);
    const toMs = performance.now();
    const calls = load.records.filter((r) => r.endedAtMs >= fromMs && r.endedAtMs < toMs);
    const ok = calls.filter((r) => r.ok);
    return {
      latenciesMs: ok.map((r) => r.endedAtMs - r.startedAtMs),
      simWaitsMs: ok.map((r) => r.simQueueMs),
      seconds: (toMs - fromMs) / 1000,
      depths: depths.filter((d) => d.atMs >= fromMs && d.atMs < toMs).map((d) => d.depth),
      limit: gate.limits.maxConcurrent,
      failed: calls.length - ok.length,
    };
  } finally {
    clearInterval(sampler);
    await load.stop();
    await pool.close();
    await sim.close();
  }
}

/** Pools the rounds of one configuration. */
function summarize(name: string, rounds: RoundResult[]): AdaptiveBenchRow {
  const latencies = rounds.flatMap((r) => r.latenciesMs);
  const simWaits = rounds.flatMap((r) => r.simWaitsMs);
  const roundP99s = rounds.map((r) => quantile(r.latenciesMs, 0.99));
  return {
    name,
    calls: latencies.length,
    callsPerSec: latencies.length / rounds.reduce((sum, r) => sum + r.seconds, 0),
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    p99RoundsMs: [Math.min(...roundP99s), Math.max(...roundP99s)],
    simWaitMeanMs: mean(simWaits),
    simWaitP99Ms: quantile(simWaits, 0.99),
    gateDepthMean: mean(rounds.flatMap((r) => r.depths)),
    limits: rounds.map((r) => r.limit),
    failed: rounds.reduce((sum, r) => sum + r.failed, 0),
  };
}

/** The true parallelism goes 1, 2, 4, 8 on one simulator; time until the limit stays within one of it. */
async function runSettle(phaseMs: number, steadyForMs: number): Promise<SettleRow[]> {
  const sim = await startSimulator({ numParallel: 1 });
  const pool = new UpstreamPool();
  const gate = new TargetGate({ name: 'sim', maxQueue: 64, queueTimeoutMs: 60_000 });
  const limiter = new AdaptiveConcurrency(gate, { minLimit: 1, maxLimit: 32 });
  const samples: { atMs: number; limit: number }[] = [];
  const sampler = setInterval(() => samples.push({ atMs: performance.now(), limit: limiter.limit }), 25);
  const load = startHttpLoad({ url: sim.url, gate, pool, clients: CLIENTS, sink: limiter, ...TIMING });
  const rows: SettleRow[] = [];
  try {
    for (const truth of [1, 2, 4, 8]) {
      sim.setNumParallel(truth);
      const startMs = performance.now();
      await sleep(phaseMs);
      const endMs = performance.now();
      const phase = samples.filter((s) => s.atMs >= startMs && s.atMs < endMs);
      // Settled at the first sample from which the limit stayed within one of the truth to the phase's end.
      let settledAtMs: number | undefined;
      for (let i = phase.length - 1; i >= 0 && Math.abs(phase[i]!.limit - truth) <= 1; i--) {
        settledAtMs = phase[i]!.atMs;
      }
      const settled = settledAtMs !== undefined && endMs - settledAtMs >= steadyForMs;
      const after = settled ? phase.filter((s) => s.atMs >= settledAtMs!) : [];
      const calls = load.records.filter(
        (r) => settled && r.endedAtMs >= settledAtMs! + 500 && r.endedAtMs < endMs,
      );
      const reached = phase.find((s) => s.limit === truth);
      rows.push({
        truth,
        reachedAfterMs: reached === undefined ? undefined : reached.atMs - startMs,
        settledAfterMs: settled ? settledAtMs! - startMs : undefined,
        limits: [...new Set(after.map((s) => s.limit))].sort((a, b) => a - b).join('/'),
        simWaitMeanMs: mean(calls.map((r) => r.simQueueMs)),
      });
    }
  } finally {
    clearInterval(sampler);
    await load.stop();
    await pool.close();
    await sim.close();
  }
  return rows;
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Runs both parts and returns the Markdown report. */
export async function benchAdaptive(quick: boolean): Promise<string> {
  const warmupMs = quick ? 3_000 : 5_000;
  const measureMs = quick ? 8_000 : 10_000;
  const roundCount = quick ? 1 : 3;
  const configs: { name: string; mode: Mode }[] = [
    { name: 'static 16 (too high)', mode: { kind: 'static', limit: 16 } },
    { name: `static ${TRUE_PARALLELISM} (set right)`, mode: { kind: 'static', limit: TRUE_PARALLELISM } },
    { name: 'adaptive 1..32 (told nothing)', mode: { kind: 'adaptive' } },
  ];
  // Rounds rotate the order, so a slow spell of the shared machine does not always hit the same one.
  const results: RoundResult[][] = configs.map(() => []);
  for (let round = 0; round < roundCount; round++) {
    for (let k = 0; k < configs.length; k++) {
      const i = (round + k) % configs.length;
      results[i]!.push(await runOne(configs[i]!.mode, warmupMs, measureMs));
    }
  }
  const rows = configs.map((c, i) => summarize(c.name, results[i]!));
  const right = rows[1]!;
  const adaptive = rows[2]!;
  const lines: string[] = [];
  lines.push(
    `Adaptive concurrency: ${CLIENTS} closed-loop clients, streamed chats holding a slot ~210 ms, simulator with true parallelism ${TRUE_PARALLELISM}; ` +
      `${roundCount} round(s) per limit in rotating order, each on a fresh simulator: ${warmupMs / 1000} s warm-up left out, then ${measureMs / 1000} s measured ` +
      `(${availableParallelism()} CPUs, Node ${process.version}). Figures pool the rounds; p99 (rounds) is the lowest…highest p99 of one round.`,
  );
  lines.push('');
  lines.push(
    '| limit | calls/s | p50 ms | p99 ms | p99 (rounds) | sim wait mean ms | sim wait p99 ms | gate queue mean | limit at end | failed |',
  );
  lines.push('|---|---:|---:|---:|---|---:|---:|---:|---|---:|');
  for (const r of rows) {
    lines.push(
      `| ${r.name} | ${fmt(r.callsPerSec, 1)} | ${fmt(r.p50Ms)} | ${fmt(r.p99Ms)} | ${fmt(r.p99RoundsMs[0])}…${fmt(r.p99RoundsMs[1])} | ${fmt(r.simWaitMeanMs, 1)} | ${fmt(r.simWaitP99Ms)} | ${fmt(r.gateDepthMean, 1)} | ${r.limits.join(', ')} | ${r.failed} |`,
    );
  }
  lines.push('');
  const ratio = (a: number, b: number) => `${a >= b ? '+' : ''}${fmt((a / b - 1) * 100, 1)} %`;
  lines.push(
    `Adaptive vs static set right: throughput ${ratio(adaptive.callsPerSec, right.callsPerSec)}, p99 ${ratio(adaptive.p99Ms, right.p99Ms)} (target: within ±10 %).`,
  );
  lines.push('');
  const settle = await runSettle(quick ? 6_000 : 10_000, 1_500);
  lines.push('True parallelism changed at runtime on one simulator (1, 2, 4, 8); the adaptive limit:');
  lines.push('');
  lines.push(
    '| true parallelism | limit first at it after | stays within ±1 from | limits from then on | sim wait mean ms from then on |',
  );
  lines.push('|---:|---:|---:|---|---:|');
  const seconds = (ms: number | undefined, none: string) =>
    ms === undefined ? none : `${fmt(ms / 1000, 1)} s`;
  for (const s of settle) {
    lines.push(
      `| ${s.truth} | ${seconds(s.reachedAfterMs, 'never')} | ${seconds(s.settledAfterMs, 'not settled')} | ${s.limits} | ${fmt(s.simWaitMeanMs, 1)} |`,
    );
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchAdaptive(process.argv.includes('--quick'))
    .then((report) => console.log(report))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
