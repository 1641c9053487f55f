/**
 * Load-process side of the added-latency and capacity measures: an open loop (requests on a fixed
 * schedule, latency from the scheduled time) and a closed loop (each connection sends again at once).
 */
import { ClientRing, describeError } from './client-ring.ts';
import type { ClosedLoopJob, ClosedLoopResult, OpenLoopJob, OpenLoopResult } from './jobs.ts';
import { percentile } from './quantiles.ts';
import { DRAIN_LIMIT_MS, runScheduledCalls } from './schedule.ts';

export async function runOpenLoop(job: OpenLoopJob): Promise<OpenLoopResult> {
  const ring = new ClientRing(job.origin, job.connections);
  const intervalMs = 1000 / job.ratePerSec;
  const count = Math.round(((job.warmupMs + job.measureMs) * job.ratePerSec) / 1000);
  const startAtMs = performance.now() + 20;
  const measureFromMs = startAtMs + job.warmupMs;
  const latenciesMs: number[] = [];
  const sendLagsMs: number[] = [];
  let measured = 0;
  let errors = 0;
  let firstError: string | undefined;
  let lastAnswerAtMs = measureFromMs;

  const fail = (scheduledAtMs: number, message: string): void => {
    if (scheduledAtMs < measureFromMs) return;
    errors++;
    firstError ??= message;
  };
  const call = async (scheduledAtMs: number): Promise<void> => {
    const inWindow = scheduledAtMs >= measureFromMs;
    if (inWindow) {
      measured++;
      sendLagsMs.push(performance.now() - scheduledAtMs);
    }
    try {
      const res = await ring.send(job.call);
      await res.body.dump();
      const endMs = performance.now();
      if (res.statusCode !== 200) return fail(scheduledAtMs, `status ${res.statusCode}`);
      if (!inWindow) return;
      latenciesMs.push(endMs - scheduledAtMs);
      lastAnswerAtMs = Math.max(lastAnswerAtMs, endMs);
    } catch (error) {
      fail(scheduledAtMs, describeError(error));
    }
  };

  try {
    await runScheduledCalls(count, intervalMs, startAtMs, call);
  } finally {
    await ring.close();
  }
  const unanswered = measured - latenciesMs.length - errors;
  if (unanswered > 0) {
    errors += unanswered;
    firstError ??= `${unanswered} requests unanswered ${DRAIN_LIMIT_MS} ms after the last was sent`;
  }
  const windowSec = Math.max(job.measureMs, lastAnswerAtMs - measureFromMs) / 1000;
  return {
    kind: 'open-loop',
    latenciesMs,
    errors,
    ...(firstError === undefined ? {} : { firstError }),
    sendLagP99Ms: percentile(sendLagsMs, 0.99),
    answeredPerSec: latenciesMs.length / windowSec,
  };
}

export async function runClosedLoop(job: ClosedLoopJob): Promise<ClosedLoopResult> {
  const ring = new ClientRing(job.origin, job.connections);
  const measureFromMs = performance.now() + job.warmupMs;
  const endAtMs = measureFromMs + job.measureMs;
  let completed = 0;
  let completedAll = 0;
  let errors = 0;
  let firstError: string | undefined;

  const worker = async (_: unknown, connection: number): Promise<void> => {
    while (performance.now() < endAtMs) {
      try {
        const res = await ring.sendOn(connection, job.call);
        await res.body.dump();
        const endMs = performance.now();
        if (res.statusCode === 200) completedAll++;
        if (endMs < measureFromMs || endMs > endAtMs) continue;
        if (res.statusCode === 200) completed++;
        else {
          errors++;
          firstError ??= `status ${res.statusCode}`;
        }
      } catch (error) {
        if (performance.now() < measureFromMs) continue;
        errors++;
        firstError ??= describeError(error);
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: job.connections }, worker));
  } finally {
    await ring.close();
  }
  return {
    kind: 'closed-loop',
    completed,
    completedAll,
    errors,
    ...(firstError === undefined ? {} : { firstError }),
    requestsPerSec: completed / (job.measureMs / 1000),
  };
}
