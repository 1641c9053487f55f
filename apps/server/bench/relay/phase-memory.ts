/**
 * Memory per open stream: resident memory of the serving process before and while 1,000 slow streams
 * are open, divided by the streams open. Run first, on freshly started processes, so that memory
 * freed by earlier load does not absorb the growth.
 */
import type { BenchContext } from './bench-context.ts';
import { pacedStreamCall, SMALL_CALL } from './calls.ts';
import { rssBytes } from './proc-stats.ts';
import { median } from './quantiles.ts';
import type { BenchTarget, TargetName } from './targets.ts';

export interface MemoryRow {
  target: TargetName;
  streamsOpen: number;
  rssBeforeBytes: number;
  rssOpenBytes: number;
  rssAfterReleaseBytes: number;
  bytesPerStream: number;
  errors: number;
  firstError?: string;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, ms);
  });
}

async function sampleRss(pid: number, samples: number, gapMs: number): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < samples; i++) {
    if (i > 0) await pause(gapMs);
    values.push(rssBytes(pid));
  }
  return median(values);
}

async function measure(ctx: BenchContext, target: BenchTarget): Promise<MemoryRow> {
  const { memory } = ctx.plan;
  // What every process does on first use (code compiled, pools opened) belongs to the baseline.
  await ctx.load.run({
    kind: 'open-loop',
    origin: target.origin,
    call: SMALL_CALL,
    connections: 20,
    ratePerSec: 300,
    warmupMs: memory.settleMs,
    measureMs: 0,
  });
  await ctx.load.run({
    kind: 'stream-ttft',
    origin: target.origin,
    call: pacedStreamCall(5, 20),
    connections: 20,
    streamsPerSec: 50,
    warmupMs: memory.settleMs,
    measureMs: 0,
  });
  await pause(memory.settleMs);
  const rssBeforeBytes = await sampleRss(target.pid, memory.samples, memory.sampleGapMs);
  ctx.progress(`memory ${target.name}: opening ${memory.streams} slow streams`);
  const held = await ctx.load.run({
    kind: 'hold-streams',
    origin: target.origin,
    // Ten minutes of tokens, far longer than the measure: the streams stay open until released.
    // (The simulator prepares a stream's text up front, so an even longer stream only costs it memory.)
    call: pacedStreamCall(Math.ceil(600_000 / memory.tokenIntervalMs), memory.tokenIntervalMs),
    streams: memory.streams,
    openPerSec: memory.openPerSec,
    openTimeoutMs: 20_000,
  });
  let rssOpenBytes: number;
  try {
    rssOpenBytes = await sampleRss(target.pid, memory.samples, memory.sampleGapMs);
  } finally {
    await ctx.load.run({ kind: 'release-streams' });
  }
  ctx.children.assertAlive();
  await pause(memory.settleMs * 1.5);
  const rssAfterReleaseBytes = await sampleRss(target.pid, memory.samples, memory.sampleGapMs);
  const row: MemoryRow = {
    target: target.name,
    streamsOpen: held.open,
    rssBeforeBytes,
    rssOpenBytes,
    rssAfterReleaseBytes,
    bytesPerStream: held.open > 0 ? (rssOpenBytes - rssBeforeBytes) / held.open : Number.NaN,
    errors: held.errors,
    ...(held.firstError === undefined ? {} : { firstError: held.firstError }),
  };
  ctx.progress(
    `memory ${target.name}: ${held.open} open, ${(row.bytesPerStream / 1024).toFixed(1)} KiB per stream`,
  );
  return row;
}

export async function runMemoryPhase(ctx: BenchContext): Promise<MemoryRow[]> {
  const rows: MemoryRow[] = [];
  for (const target of ctx.targets) {
    if (target.name === 'direct') continue; // the simulator's own memory says nothing about a relay
    rows.push(await measure(ctx, target));
  }
  return rows;
}
