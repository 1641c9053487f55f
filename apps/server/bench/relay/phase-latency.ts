/**
 * Added latency: the open-loop small call at a fixed rate over 1, 50 and 200 connections, rounds
 * interleaved (round 1: every connection count, direct nginx lookout; round 2: the same; ...).
 */
import type { BenchContext, RoundFigures } from './bench-context.ts';
import { SMALL_CALL } from './calls.ts';
import type { GcFigures } from './gc-trace.ts';
import { percentile } from './quantiles.ts';
import type { TargetName } from './targets.ts';

export interface LatencyRound extends RoundFigures {
  sendLagP99Ms: number;
  answeredPerSec: number;
  /** The target's collections over the round (warm-up included), with `--gc`. */
  gc?: GcFigures;
}

export interface LatencyCell {
  target: TargetName;
  connections: number;
  rounds: LatencyRound[];
}

/** Load every target once at the bench rate, unmeasured: JIT, connection pools, the model loaded. */
export async function warmUp(ctx: BenchContext): Promise<void> {
  for (const target of ctx.targets) {
    ctx.progress(`warm-up ${target.name}`);
    await ctx.load.run({
      kind: 'open-loop',
      origin: target.origin,
      call: SMALL_CALL,
      connections: 50,
      ratePerSec: ctx.plan.latency.ratePerSec,
      warmupMs: ctx.plan.globalWarmupMs,
      measureMs: 0,
    });
    ctx.children.assertAlive();
  }
}

export async function runLatencyPhase(ctx: BenchContext): Promise<LatencyCell[]> {
  const { latency, rounds } = ctx.plan;
  const cells: LatencyCell[] = [];
  for (const connections of latency.connectionCounts) {
    for (const target of ctx.targets) cells.push({ target: target.name, connections, rounds: [] });
  }
  for (let round = 1; round <= rounds; round++) {
    for (const connections of latency.connectionCounts) {
      for (const target of ctx.targets) {
        const gcMark = target.gc?.mark();
        const result = await ctx.load.run({
          kind: 'open-loop',
          origin: target.origin,
          call: SMALL_CALL,
          connections,
          ratePerSec: latency.ratePerSec,
          warmupMs: latency.warmupMs,
          measureMs: latency.measureMs,
        });
        ctx.children.assertAlive();
        const figures: LatencyRound = {
          p50: percentile(result.latenciesMs, 0.5),
          p99: percentile(result.latenciesMs, 0.99),
          errors: result.errors,
          ...(result.firstError === undefined ? {} : { firstError: result.firstError }),
          sendLagP99Ms: result.sendLagP99Ms,
          answeredPerSec: result.answeredPerSec,
        };
        if (target.gc && gcMark !== undefined) {
          const sent = ((latency.warmupMs + latency.measureMs) * latency.ratePerSec) / 1000;
          figures.gc = target.gc.since(gcMark, sent);
        }
        cells.find((c) => c.target === target.name && c.connections === connections)?.rounds.push(figures);
        ctx.progress(
          `latency round ${round}/${rounds} ${connections} conns ${target.name}: p50 ${figures.p50.toFixed(3)} ms, p99 ${figures.p99.toFixed(3)} ms, ${figures.errors} errors`,
        );
      }
    }
  }
  return cells;
}
