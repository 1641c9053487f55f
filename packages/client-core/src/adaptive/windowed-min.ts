/**
 * Windowed minimum per key: the lowest value seen over roughly the last `windowMs`, kept as a few
 * time buckets. A minimum over all time could only go down; this one forgets, so a baseline learned
 * on a faster model moves up within one window once only slower samples arrive.
 */

const BUCKETS = 4;
/** Keys kept at once (least recently used is dropped): models x sample forms of one target. */
const MAX_KEYS = 64;

interface Bucket {
  startMs: number;
  min: number;
}

export class WindowedMin {
  readonly #windowMs: number;
  readonly #bucketMs: number;
  readonly #byKey = new Map<string, Bucket[]>();

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
    this.#bucketMs = windowMs / BUCKETS;
  }

  /** Adds a value seen at `atMs` and returns the key's minimum including it. */
  add(key: string, value: number, atMs: number): number {
    let buckets = this.#byKey.get(key);
    if (buckets === undefined) {
      buckets = [];
      if (this.#byKey.size >= MAX_KEYS) {
        const oldest = this.#byKey.keys().next().value;
        if (oldest !== undefined) this.#byKey.delete(oldest);
      }
    } else {
      this.#byKey.delete(key); // re-inserted below: the map's order is least recently used first
    }
    this.#byKey.set(key, buckets);
    this.#expire(buckets, atMs);
    const last = buckets.at(-1);
    if (last !== undefined && atMs < last.startMs + this.#bucketMs) last.min = Math.min(last.min, value);
    else buckets.push({ startMs: atMs, min: value });
    return minOf(buckets);
  }

  /** The key's minimum over the window ending at `atMs`, or undefined when it saw nothing in it. */
  get(key: string, atMs: number): number | undefined {
    const buckets = this.#byKey.get(key);
    if (buckets === undefined) return undefined;
    this.#expire(buckets, atMs);
    return buckets.length === 0 ? undefined : minOf(buckets);
  }

  clear(): void {
    this.#byKey.clear();
  }

  /** Drops buckets that began a whole window ago. */
  #expire(buckets: Bucket[], atMs: number): void {
    while (buckets.length > 0 && buckets[0]!.startMs <= atMs - this.#windowMs) buckets.shift();
  }
}

function minOf(buckets: readonly Bucket[]): number {
  let min = Number.POSITIVE_INFINITY;
  for (const b of buckets) min = Math.min(min, b.min);
  return min;
}
