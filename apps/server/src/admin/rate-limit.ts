/**
 * Per-client token buckets for the few dashboard endpoints worth throttling (sign-in, test prompts).
 * Written by hand rather than taken from a library: it is forty lines, in-process, keyed by one string,
 * with an injectable clock; a shared (Redis) limiter can replace it behind the same two methods.
 */

export interface RateLimit {
  /** Requests allowed per `perMs` once the burst is spent; also the burst size. */
  readonly limit: number;
  readonly perMs: number;
}

export type RateDecision = { readonly ok: true } | { readonly ok: false; readonly retryAfterSec: number };

interface Bucket {
  tokens: number;
  atMs: number;
}

export interface TokenBucketOptions extends RateLimit {
  /** Milliseconds on a monotonic or wall clock (default `Date.now`). */
  readonly now?: () => number;
  /** Most clients tracked at once; the least recently limited are forgotten first (default 10 000). */
  readonly maxKeys?: number;
}

export class TokenBucketLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #limit: number;
  readonly #perMs: number;
  readonly #now: () => number;
  readonly #maxKeys: number;

  constructor(options: TokenBucketOptions) {
    if (!(options.limit >= 1) || !(options.perMs > 0)) {
      throw new RangeError(
        `rate limit needs limit >= 1 and perMs > 0, got ${options.limit}/${options.perMs}`,
      );
    }
    this.#limit = options.limit;
    this.#perMs = options.perMs;
    this.#now = options.now ?? Date.now;
    this.#maxKeys = options.maxKeys ?? 10_000;
  }

  /** Whether `key` may make a request now, without spending anything. */
  check(key: string): RateDecision {
    return this.#decide(this.#refilled(key));
  }

  /** Spends one request of `key`; refused (and nothing spent) when its bucket is empty. */
  take(key: string): RateDecision {
    const bucket = this.#refilled(key);
    const decision = this.#decide(bucket);
    if (decision.ok) {
      bucket.tokens -= 1;
      this.#store(key, bucket);
    }
    return decision;
  }

  /** Clients tracked now (for tests and memory checks). */
  get size(): number {
    return this.#buckets.size;
  }

  #refilled(key: string): Bucket {
    const now = this.#now();
    const bucket = this.#buckets.get(key);
    if (!bucket) return { tokens: this.#limit, atMs: now };
    const elapsedMs = Math.max(0, now - bucket.atMs);
    bucket.tokens = Math.min(this.#limit, bucket.tokens + (elapsedMs * this.#limit) / this.#perMs);
    bucket.atMs = now;
    return bucket;
  }

  #decide(bucket: Bucket): RateDecision {
    if (bucket.tokens >= 1) return { ok: true };
    const waitMs = ((1 - bucket.tokens) * this.#perMs) / this.#limit;
    return { ok: false, retryAfterSec: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  #store(key: string, bucket: Bucket): void {
    this.#buckets.delete(key); // re-insert: the Map's order is then least recently used first
    this.#buckets.set(key, bucket);
    // Past the cap, forget the least recently used clients: memory stays bounded under address spraying.
    for (const k of this.#buckets.keys()) {
      if (this.#buckets.size <= this.#maxKeys) break;
      this.#buckets.delete(k);
    }
  }
}
