/**
 * Heap samples taken after a forced full GC, and the growth they show once warm-up is over.
 * In process, the heap holds Lookout, the simulators and the soak's clients alike; the clients keep no
 * per-call state, so growth that stays is Lookout's or the simulators'.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface MemorySample {
  /** Since the soak started. */
  atMs: number;
  heapUsedBytes: number;
  rssBytes: number;
  externalBytes: number;
}

/** `global.gc` when the process runs with --expose-gc, else the same function obtained at run time. */
export function forcedGc(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

export class HeapSampler {
  readonly samples: MemorySample[] = [];
  readonly #gc = forcedGc();
  readonly #startedAtMs = performance.now();
  #timer: NodeJS.Timeout | undefined;

  /** Takes one sample now (full GC first). */
  sample(): MemorySample {
    this.#gc();
    const usage = process.memoryUsage();
    const sample = {
      atMs: performance.now() - this.#startedAtMs,
      heapUsedBytes: usage.heapUsed,
      rssBytes: usage.rss,
      externalBytes: usage.external,
    };
    this.samples.push(sample);
    return sample;
  }

  start(everyMs: number): void {
    this.#timer = setInterval(() => this.sample(), everyMs);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

export interface MemoryAnalysis {
  samples: number;
  /** Median heap of the samples in the first tenth after warm-up (the baseline). */
  heapAtWarmupBytes: number;
  /** Median heap of the last tenth of the samples. */
  heapAtEndBytes: number;
  /** Least-squares slope of heapUsed over the samples after warm-up. */
  slopeBytesPerMin: number;
  /** Medians of the two halves of the post-warm-up samples. */
  firstHalfMedianBytes: number;
  secondHalfMedianBytes: number;
  rssAtWarmupBytes: number;
  rssAtEndBytes: number;
  rssMaxBytes: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Least-squares slope of y over x. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const meanX = points.reduce((s, p) => s + p.x, 0) / n;
  const meanY = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - meanX) * (p.y - meanY);
    den += (p.x - meanX) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** Growth after `warmupMs` (samples taken during the load only). */
export function analyseMemory(samples: readonly MemorySample[], warmupMs: number): MemoryAnalysis {
  const after = samples.filter((s) => s.atMs >= warmupMs);
  const used = after.length >= 4 ? after : samples.slice(-4);
  const tenth = Math.max(1, Math.floor(used.length / 10));
  const half = Math.floor(used.length / 2);
  const heap = (list: readonly MemorySample[]) => median(list.map((s) => s.heapUsedBytes));
  const rss = (list: readonly MemorySample[]) => median(list.map((s) => s.rssBytes));
  return {
    samples: used.length,
    heapAtWarmupBytes: heap(used.slice(0, tenth)),
    heapAtEndBytes: heap(used.slice(-tenth)),
    slopeBytesPerMin: slope(used.map((s) => ({ x: s.atMs / 60_000, y: s.heapUsedBytes }))),
    firstHalfMedianBytes: heap(used.slice(0, half)),
    secondHalfMedianBytes: heap(used.slice(half)),
    rssAtWarmupBytes: rss(used.slice(0, tenth)),
    rssAtEndBytes: rss(used.slice(-tenth)),
    rssMaxBytes: Math.max(...samples.map((s) => s.rssBytes)),
  };
}
