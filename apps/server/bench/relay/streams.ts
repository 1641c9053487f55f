/**
 * Load-process side of the stream measures: chunk throughput of concurrent fast streams, time to the
 * first chunk of streams started on a fixed schedule, and slow streams held open for the memory measure.
 */

import type { Dispatcher } from 'undici';
import { ClientRing, countLines, describeError } from './client-ring.ts';
import type {
  HoldStreamsJob,
  HoldStreamsResult,
  ReleaseStreamsResult,
  StreamThroughputJob,
  StreamThroughputResult,
  StreamTtftJob,
  StreamTtftResult,
} from './jobs.ts';
import { runSchedule, runScheduledCalls, waitUntil } from './schedule.ts';

/** The body of a 200 answer; any other status is an error (its body read first, to free the connection). */
async function okBody(res: Dispatcher.ResponseData): Promise<AsyncIterable<Buffer>> {
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new Error(`status ${res.statusCode}`);
  }
  return res.body as AsyncIterable<Buffer>;
}

export async function runStreamThroughput(job: StreamThroughputJob): Promise<StreamThroughputResult> {
  const ring = new ClientRing(job.origin, job.connections);
  const stop = new AbortController();
  const measureFromMs = performance.now() + job.warmupMs;
  const endAtMs = measureFromMs + job.measureMs;
  let lines = 0;
  let bytes = 0;
  let streamsCompleted = 0;
  let errors = 0;
  let firstError: string | undefined;

  const worker = async (_: unknown, connection: number): Promise<void> => {
    while (performance.now() < endAtMs) {
      try {
        const body = await okBody(await ring.sendOn(connection, job.call, stop.signal));
        for await (const chunk of body) {
          const now = performance.now();
          if (now >= measureFromMs && now < endAtMs) {
            lines += countLines(chunk);
            bytes += chunk.length;
          }
        }
        streamsCompleted++;
      } catch (error) {
        if (stop.signal.aborted || performance.now() < measureFromMs) continue;
        errors++;
        firstError ??= describeError(error);
      }
    }
  };

  const stopTimer = setTimeout(() => stop.abort(), Math.max(0, endAtMs - performance.now()));
  try {
    await Promise.all(Array.from({ length: job.connections }, worker));
  } finally {
    clearTimeout(stopTimer);
    await ring.close();
  }
  return {
    kind: 'stream-throughput',
    lines,
    bytes,
    streamsCompleted,
    errors,
    ...(firstError === undefined ? {} : { firstError }),
    linesPerSec: lines / (job.measureMs / 1000),
  };
}

export async function runStreamTtft(job: StreamTtftJob): Promise<StreamTtftResult> {
  const ring = new ClientRing(job.origin, job.connections);
  const intervalMs = 1000 / job.streamsPerSec;
  const count = Math.round(((job.warmupMs + job.measureMs) * job.streamsPerSec) / 1000);
  const startAtMs = performance.now() + 20;
  const measureFromMs = startAtMs + job.warmupMs;
  const ttftMs: number[] = [];
  let measured = 0;
  let errors = 0;
  let firstError: string | undefined;

  const call = async (scheduledAtMs: number): Promise<void> => {
    const inWindow = scheduledAtMs >= measureFromMs;
    if (inWindow) measured++;
    try {
      const body = await okBody(await ring.send(job.call));
      let first = true;
      for await (const chunk of body) {
        if (first && chunk.length > 0) {
          first = false;
          if (inWindow) ttftMs.push(performance.now() - scheduledAtMs);
        }
      }
    } catch (error) {
      if (!inWindow) return;
      errors++;
      firstError ??= describeError(error);
    }
  };

  try {
    await runScheduledCalls(count, intervalMs, startAtMs, call);
  } finally {
    await ring.close();
  }
  const missing = measured - ttftMs.length - errors;
  if (missing > 0) {
    errors += missing;
    firstError ??= `${missing} streams without a first chunk`;
  }
  return { kind: 'stream-ttft', ttftMs, errors, ...(firstError === undefined ? {} : { firstError }) };
}

/** Slow streams kept open between a hold and a release job. */
interface HeldStreams {
  ring: ClientRing;
  stop: AbortController;
  endedEarly: number;
}

let held: HeldStreams | undefined;

export async function holdStreams(job: HoldStreamsJob): Promise<HoldStreamsResult> {
  if (held) throw new Error('streams are already held; release them first');
  const ring = new ClientRing(job.origin, job.streams);
  const state: HeldStreams = { ring, stop: new AbortController(), endedEarly: 0 };
  held = state;
  let open = 0;
  let errors = 0;
  let firstError: string | undefined;

  const fire = (index: number): void => {
    const run = async (): Promise<void> => {
      const body = await okBody(await ring.sendOn(index, job.call, state.stop.signal));
      let first = true;
      for await (const chunk of body) {
        if (first && chunk.length > 0) {
          first = false;
          open++;
        }
      }
      if (!first) open--;
      state.endedEarly++;
    };
    run().catch((error: unknown) => {
      if (state.stop.signal.aborted) return;
      errors++;
      firstError ??= describeError(error);
    });
  };

  await runSchedule(job.streams, 1000 / job.openPerSec, performance.now() + 20, fire);
  await waitUntil(() => open + errors + state.endedEarly >= job.streams, job.openTimeoutMs);
  return { kind: 'hold-streams', open, errors, ...(firstError === undefined ? {} : { firstError }) };
}

export async function releaseStreams(): Promise<ReleaseStreamsResult> {
  const state = held;
  if (!state) return { kind: 'release-streams', endedEarly: 0 };
  held = undefined;
  state.stop.abort();
  await state.ring.close();
  return { kind: 'release-streams', endedEarly: state.endedEarly };
}
