/**
 * Capacity: a closed loop (each connection sends again as soon as its answer ends) saturates the
 * machine; it gives the most requests per second through each target, never an added latency.
 */
import type { BenchContext } from './bench-context.ts';
import { SMALL_CALL } from './calls.ts';
import { cpuSince, cpuTimes } from './proc-stats.ts';
import type { TargetName } from './targets.ts';

export interface CapacityRound {
  requestsPerSec: number;
  /** CPU time of the serving process (simulator, nginx worker, Lookout) per answered request: user, system. */
  userUsPerRequest: number;
  systemUsPerRequest: number;
  errors: number;
  firstError?: string;
}

export interface CapacityRow {
  target: TargetName;
  rounds: CapacityRound[];
}

export async function runCapacityPhase(ctx: BenchContext): Promise<CapacityRow[]> {
  const { capacity, rounds } = ctx.plan;
  const rows: CapacityRow[] = ctx.targets.map((t) => ({ target: t.name, rounds: [] }));
  for (let round = 1; round <= rounds; round++) {
    for (const [i, target] of ctx.targets.entries()) {
      const cpuBefore = cpuTimes(target.pid);
      const result = await ctx.load.run({
        kind: 'closed-loop',
        origin: target.origin,
        call: SMALL_CALL,
        connections: capacity.connections,
        warmupMs: capacity.warmupMs,
        measureMs: capacity.measureMs,
      });
      const cpu = cpuSince(cpuBefore, target.pid);
      const perRequestUs = (ms: number): number =>
        result.completedAll > 0 ? (ms * 1000) / result.completedAll : Number.NaN;
      ctx.children.assertAlive();
      const figures: CapacityRound = {
        requestsPerSec: result.requestsPerSec,
        userUsPerRequest: perRequestUs(cpu.userMs),
        systemUsPerRequest: perRequestUs(cpu.systemMs),
        errors: result.errors,
        ...(result.firstError === undefined ? {} : { firstError: result.firstError }),
      };
      rows[i]?.rounds.push(figures);
      ctx.progress(
        `capacity round ${round}/${rounds} ${target.name}: ${Math.round(figures.requestsPerSec)} req/s, ${Math.round(figures.userUsPerRequest)} + ${Math.round(figures.systemUsPerRequest)} µs CPU (user + sys) per request`,
      );
    }
  }
  return rows;
}
