/**
 * Metrics engine benchmark: cost per call event, snapshot build and Prometheus render at 20 targets x
 * 10 models with 15 minutes of traffic. Run: `node --expose-gc --import tsx bench/metrics.bench.ts` in apps/server
 * (`--expose-gc` adds the heap row; `pnpm exec tsx bench/metrics.bench.ts` works without it).
 */
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { CallEvent, CallEventSink } from '../src/metrics/call-events.ts';
import type { ScriptedCall } from '../src/metrics/call-script.ts';
import { scriptCall, seeded } from '../src/metrics/call-script.ts';
import type { TargetGauges } from '../src/metrics/index.ts';
import { MetricsEngine, SLOT_MS } from '../src/metrics/index.ts';

const TARGETS = 20;
const MODELS = 10;
const FIFTEEN_MINUTES_MS = 900_000;

export interface BenchRow {
  readonly measure: string;
  readonly value: string;
  readonly note: string;
}

function gaugesFor(targets: number, models: number): TargetGauges[] {
  return Array.from({ length: targets }, (_, t) => ({
    name: `gpu-${t + 1}`,
    url: `http://127.0.0.1:${11434 + t}`,
    queueDepth: t % 3,
    inFlight: 4,
    maxConcurrent: 4,
    models: Object.fromEntries(
      Array.from({ length: models }, (_, m) => [`model-${m}:7b`, { queueDepth: 0, inFlight: m % 2 }]),
    ),
  }));
}

const OUTCOME_MIX = [
  'ok',
  'ok',
  'ok',
  'ok',
  'ok',
  'ok',
  'ok',
  'ok',
  'timeout_idle',
  'upstream_error',
] as const;

/** `calls` calls ending across [fromMs, toMs), spread over the targets and models; 5% probes. */
function makeCalls(
  calls: number,
  fromMs: number,
  toMs: number,
  chunksPerCall: number,
  seed: number,
): ScriptedCall[] {
  const random = seeded(seed);
  const specs: ScriptedCall[] = [];
  for (let i = 0; i < calls; i++) {
    const totalMs = 200 + random() ** 2 * 20_000;
    const startedAtMs = fromMs + ((toMs - fromMs) * i) / calls - totalMs;
    const ttftMs = 20 + random() * 300;
    specs.push({
      callId: `s${seed}-${i}`,
      startedAtMs: Math.max(0, startedAtMs),
      target: `gpu-${1 + Math.floor(random() * TARGETS)}`,
      model: `model-${Math.floor(random() * MODELS)}:7b`,
      source: random() < 0.05 ? 'probe' : 'app',
      outcome: OUTCOME_MIX[Math.floor(random() * OUTCOME_MIX.length)]!,
      queueWaitMs: random() < 0.5 ? 0 : random() * 2000,
      ttftMs: Math.min(ttftMs, totalMs - 1),
      totalMs,
      chunks: chunksPerCall,
      evalCount: chunksPerCall,
      evalDurationNs: (totalMs - ttftMs) * 1e6,
    });
  }
  return specs;
}

function makeEvents(
  calls: number,
  fromMs: number,
  toMs: number,
  chunksPerCall: number,
  seed: number,
): CallEvent[] {
  return makeCalls(calls, fromMs, toMs, chunksPerCall, seed).flatMap(scriptCall);
}

/** Builds each call's events just before sending them, as an emitter does; returns elapsed ms. */
function play(sink: CallEventSink, specs: readonly ScriptedCall[]): number {
  const t0 = performance.now();
  for (const spec of specs) {
    const events = scriptCall(spec);
    for (let i = 0; i < events.length; i++) sink.onEvent(events[i]!);
  }
  return performance.now() - t0;
}

/** A sink that only looks at each event, to take the cost of making the events out of the measure. */
class CountingSink implements CallEventSink {
  terminal = 0;
  onEvent(event: CallEvent): void {
    if (event.type === 'done' || event.type === 'failed') this.terminal++;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * ns per event in steady state: 16 minutes of traffic first (untimed, so every ring slot has been used
 * once and reuses its buffers, as in a long-running server), then `rounds` timed minutes. Each timed
 * minute is played twice, into a counting sink and into the engine (new call ids for the engine), and
 * the engine's cost is the difference, so making the events does not count.
 */
function measureIngest(
  chunksPerCall: number,
  callsPerMinute: number,
  rounds: number,
): { nsPerEvent: number; eventsPerCall: number } {
  const engine = new MetricsEngine({ gauges: { targets: () => gaugesFor(TARGETS, MODELS) }, now: () => 0 });
  const counting = new CountingSink();
  const warmUpMinutes = 16;
  const perRound: number[] = [];
  const eventsPerCall = scriptCall(makeCalls(1, 0, 60_000, chunksPerCall, 1)[0]!).length;
  for (let r = 0; r < warmUpMinutes + rounds; r++) {
    const from = r * 60_000;
    const specs = makeCalls(callsPerMinute, from, from + 60_000, chunksPerCall, 1000 + r);
    const baselineMs = r >= warmUpMinutes ? play(counting, specs) : 0;
    const engineMs = play(engine, specs);
    if (r >= warmUpMinutes) perRound.push(((engineMs - baselineMs) * 1e6) / (specs.length * eventsPerCall));
  }
  if (engine.openCalls !== 0) throw new Error(`bench left ${engine.openCalls} calls open`);
  return { nsPerEvent: median(perRound), eventsPerCall };
}

/** ns per chunk event, the most frequent and cheapest event, without the noise of making events. */
function measureChunkPath(): number {
  const engine = new MetricsEngine({ gauges: { targets: () => [] }, now: () => 0 });
  const chunk = scriptCall({
    callId: 'c',
    startedAtMs: 0,
    model: 'm',
    queueWaitMs: 0,
    ttftMs: 1,
    totalMs: 10,
    chunks: 1,
  }).find((e) => e.type === 'chunk')!;
  const n = 5_000_000;
  return median(
    [0, 1, 2].map(() => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) engine.onEvent(chunk);
      return ((performance.now() - t0) * 1e6) / n;
    }),
  );
}

/** An engine holding 15 minutes of traffic on every (target, model). */
function loadedEngine(callsPer15Min: number): { engine: MetricsEngine; nowMs: number } {
  const nowMs = FIFTEEN_MINUTES_MS + 5_000;
  const engine = new MetricsEngine({
    gauges: { targets: () => gaugesFor(TARGETS, MODELS) },
    now: () => nowMs,
  });
  const events = makeEvents(callsPer15Min, 5_000, nowMs, 2, 7);
  for (const e of events) engine.onEvent(e);
  return { engine, nowMs };
}

/** Heap in use after a full collection, when node runs with --expose-gc; else 0 (row skipped). */
function heapUsedAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return 0;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function time(runs: number, fn: () => unknown): number {
  for (let i = 0; i < 3; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

export async function runMetricsBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const streaming = measureIngest(50, 2000, 5);
  rows.push({
    measure: 'ingest, streaming calls',
    value: `${streaming.nsPerEvent.toFixed(0)} ns/event`,
    note: `${streaming.eventsPerCall.toFixed(0)} events/call (queued, dispatched, headers, first_token, 50 chunks, done); ${((streaming.nsPerEvent * streaming.eventsPerCall) / 1000).toFixed(1)} us/call`,
  });
  const chunkNs = measureChunkPath();
  rows.push({
    measure: 'ingest, one chunk event',
    value: `${chunkNs.toFixed(1)} ns/event`,
    note: 'the same event object 5M times (hot cache): the floor for the events the engine ignores',
  });
  const single = measureIngest(0, 12_000, 5);
  rows.push({
    measure: 'ingest, non-streaming calls',
    value: `${single.nsPerEvent.toFixed(0)} ns/event`,
    note: `${single.eventsPerCall.toFixed(0)} events/call; ${((single.nsPerEvent * single.eventsPerCall) / 1000).toFixed(2)} us/call`,
  });

  for (const calls of [18_000, 180_000]) {
    const heapBefore = heapUsedAfterGc();
    const { engine, nowMs } = loadedEngine(calls);
    const heapBytes = heapUsedAfterGc() - heapBefore;
    const series = engine.requestTotals().length;
    const rate = `${(calls / 900).toFixed(0)} calls/s over 15 min`;
    // Traffic goes on slot after slot; the first snapshot of each slot moves the windows on.
    const steady: number[] = [];
    const rotating: number[] = [];
    let atMs = nowMs;
    for (let k = 1; k <= 16; k++) {
      const feed = makeEvents(Math.round(calls / 90), atMs, atMs + SLOT_MS, 2, 100 + k);
      for (const e of feed) engine.onEvent(e);
      atMs += SLOT_MS;
      let t0 = performance.now();
      engine.buildSnapshot(atMs);
      if (k > 1) rotating.push(performance.now() - t0);
      t0 = performance.now();
      engine.buildSnapshot(atMs);
      if (k > 1) steady.push(performance.now() - t0);
    }
    const steadyMs = median(steady);
    const rotatingMs = median(rotating);
    const snapshot = engine.buildSnapshot(atMs);
    const jsonKiB = JSON.stringify(snapshot).length / 1024;
    const stringifyMs = time(15, () => JSON.stringify(snapshot));
    rows.push({
      measure: `snapshot, ${TARGETS} targets x ${MODELS} models, within a slot`,
      value: `${steadyMs.toFixed(1)} ms`,
      note: `${rate}; JSON ${jsonKiB.toFixed(0)} KiB, JSON.stringify ${stringifyMs.toFixed(1)} ms more`,
    });
    rows.push({
      measure: '  same, first snapshot of a new slot',
      value: `${rotatingMs.toFixed(1)} ms`,
      note: `${rate}; each series subtracts the slots leaving its windows (once per 10 s)`,
    });
    const promMs = time(15, () => engine.renderPrometheus(atMs));
    const text = engine.renderPrometheus(atMs);
    rows.push({
      measure: '  Prometheus render',
      value: `${promMs.toFixed(1)} ms`,
      note: `${rate}; ${(text.length / 1024).toFixed(0)} KiB, ${text.split('\n').length} lines`,
    });
    if (heapBytes > 0) {
      rows.push({
        measure: '  heap held by the engine',
        value: `${(heapBytes / 2 ** 20).toFixed(1)} MiB`,
        note: `${rate}; ${series} series (app + probe), ${(heapBytes / series / 1024).toFixed(0)} KiB per series`,
      });
    }
  }
  return rows;
}

export function printTable(rows: readonly BenchRow[]): void {
  console.log(
    `machine: nproc=${availableParallelism()}, node ${process.version}, ${process.platform}/${process.arch}`,
  );
  console.log(`date: ${new Date().toISOString()}`);
  console.log('command: node --expose-gc --import tsx bench/metrics.bench.ts (apps/server)');
  console.log('');
  const w = [
    Math.max(7, ...rows.map((r) => r.measure.length)),
    Math.max(5, ...rows.map((r) => r.value.length)),
  ];
  console.log(`| ${'measure'.padEnd(w[0]!)} | ${'value'.padEnd(w[1]!)} | note |`);
  console.log(`|${'-'.repeat(w[0]! + 2)}|${'-'.repeat(w[1]! + 2)}|------|`);
  for (const r of rows) console.log(`| ${r.measure.padEnd(w[0]!)} | ${r.value.padEnd(w[1]!)} | ${r.note} |`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printTable(await runMetricsBench());
}
