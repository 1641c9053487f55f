/**
 * Streams: chunks per second delivered with 100 concurrent fast streams (a closed loop of streams),
 * then time to first chunk for streams started on a fixed schedule (an open loop of streams).
 */
import type { BenchContext, RoundFigures } from './bench-context.ts';
import { fastStreamCall, pacedStreamCall } from './calls.ts';
import { cpuSince, cpuTimes } from './proc-stats.ts';
import { percentile } from './quantiles.ts';
import type { TargetName } from './targets.ts';

export interface ThroughputRound {
  chunksPerSec: number;
  /** CPU time (user + system) of the serving process per delivered chunk. */
  cpuUsPerChunk: number;
  errors: number;
  firstError?: string;
}

export interface StreamRow {
  target: TargetName;
  throughput: ThroughputRound[];
  ttft: RoundFigures[];
}

export async function runStreamsPhase(ctx: BenchContext): Promise<StreamRow[]> {
  const { streams, ttft, rounds } = ctx.plan;
  const rows: StreamRow[] = ctx.targets.map((t) => ({ target: t.name, throughput: [], ttft: [] }));
  for (let round = 1; round <= rounds; round++) {
    for (const [i, target] of ctx.targets.entries()) {
      const cpuBefore = cpuTimes(target.pid);
      const result = await ctx.load.run({
        kind: 'stream-throughput',
        origin: target.origin,
        call: fastStreamCall(streams.tokensPerStream),
        connections: streams.connections,
        warmupMs: streams.warmupMs,
        measureMs: streams.measureMs,
      });
      const cpu = cpuSince(cpuBefore, target.pid);
      const cpuMs = cpu.userMs + cpu.systemMs;
      ctx.children.assertAlive();
      // CPU covers warm-up and measure; chunks are counted in the measure only: scale to the whole job.
      const jobMs = streams.warmupMs + streams.measureMs;
      const chunksInJob = (result.lines * jobMs) / streams.measureMs;
      const figures: ThroughputRound = {
        chunksPerSec: result.linesPerSec,
        cpuUsPerChunk: chunksInJob > 0 ? (cpuMs * 1000) / chunksInJob : Number.NaN,
        errors: result.errors,
        ...(result.firstError === undefined ? {} : { firstError: result.firstError }),
      };
      rows[i]?.throughput.push(figures);
      ctx.progress(
        `streams round ${round}/${rounds} ${target.name}: ${Math.round(figures.chunksPerSec)} chunks/s, ${result.errors} errors`,
      );
    }
  }
  for (let round = 1; round <= rounds; round++) {
    for (const [i, target] of ctx.targets.entries()) {
      const result = await ctx.load.run({
        kind: 'stream-ttft',
        origin: target.origin,
        call: pacedStreamCall(ttft.tokens, ttft.tokenIntervalMs),
        connections: ttft.connections,
        streamsPerSec: ttft.streamsPerSec,
        warmupMs: ttft.warmupMs,
        measureMs: ttft.measureMs,
      });
      ctx.children.assertAlive();
      const figures: RoundFigures = {
        p50: percentile(result.ttftMs, 0.5),
        p99: percentile(result.ttftMs, 0.99),
        errors: result.errors,
        ...(result.firstError === undefined ? {} : { firstError: result.firstError }),
      };
      rows[i]?.ttft.push(figures);
      ctx.progress(
        `ttft round ${round}/${rounds} ${target.name}: p50 ${figures.p50.toFixed(2)} ms, p99 ${figures.p99.toFixed(2)} ms`,
      );
    }
  }
  return rows;
}
