/**
 * Keep-alive connection pools, one undici `Pool` per target origin (and connect budget). The connect
 * budget is enforced per socket here with a precise timer (undici's own uses a coarse 1 s clock),
 * and a socket that misses it is destroyed at once, so nothing outlives the budget.
 */
import type { Socket } from 'node:net';
import { buildConnector, errors, Pool } from 'undici';
import { assertDurationMs } from './timeouts.ts';

/** Options of the pools. */
export interface UpstreamPoolOptions {
  /** How long an idle keep-alive socket is kept (undici's `keepAliveTimeout`). Default 30 s. */
  keepAliveTimeoutMs?: number;
  /** Largest keep-alive an upstream `Keep-Alive: timeout=` hint may set. Default 10 min. */
  keepAliveMaxTimeoutMs?: number;
}

/** Socket counts of one pool, from undici's pool stats. */
export interface PoolStats {
  origin: string;
  connectTimeoutMs: number;
  connected: number;
  free: number;
  running: number;
  pending: number;
}

interface Entry {
  origin: string;
  connectTimeoutMs: number;
  pool: Pool;
}

/**
 * Connection pools by origin. Share one across calls (relay, probes, clients) for reuse; `close()`
 * it at shutdown.
 */
export class UpstreamPool {
  readonly #entries = new Map<string, Entry>();
  readonly #keepAliveTimeoutMs: number;
  readonly #keepAliveMaxTimeoutMs: number;
  #closed = false;

  constructor(options: UpstreamPoolOptions = {}) {
    this.#keepAliveTimeoutMs = options.keepAliveTimeoutMs ?? 30_000;
    this.#keepAliveMaxTimeoutMs = options.keepAliveMaxTimeoutMs ?? 600_000;
    assertDurationMs('keepAliveTimeoutMs', this.#keepAliveTimeoutMs);
    assertDurationMs('keepAliveMaxTimeoutMs', this.#keepAliveMaxTimeoutMs);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The pool for an origin (`http://host:port`) with a given connect budget. */
  dispatcherFor(origin: string, connectTimeoutMs: number): Pool {
    if (this.#closed) throw new errors.ClientClosedError();
    const key = `${origin} ${connectTimeoutMs}`;
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = {
        origin,
        connectTimeoutMs,
        pool: new Pool(origin, {
          connect: connectorWithTimeout(connectTimeoutMs),
          keepAliveTimeout: this.#keepAliveTimeoutMs,
          keepAliveMaxTimeout: this.#keepAliveMaxTimeoutMs,
          // Timeouts of a call are enforced by the core per call; undici's stay out of the way.
          headersTimeout: 0,
          bodyTimeout: 0,
        }),
      };
      this.#entries.set(key, entry);
    }
    return entry.pool;
  }

  /** Socket counts per pool. */
  stats(): PoolStats[] {
    return [...this.#entries.values()].map(({ origin, connectTimeoutMs, pool }) => ({
      origin,
      connectTimeoutMs,
      connected: pool.stats.connected,
      free: pool.stats.free,
      running: pool.stats.running,
      pending: pool.stats.pending,
    }));
  }

  /** Waits for running requests, then closes every socket. */
  async close(): Promise<void> {
    this.#closed = true;
    const pools = [...this.#entries.values()].map((e) => e.pool);
    this.#entries.clear();
    await Promise.all(pools.map((p) => p.close()));
  }

  /** Aborts running requests and closes every socket at once. */
  async destroy(): Promise<void> {
    this.#closed = true;
    const pools = [...this.#entries.values()].map((e) => e.pool);
    this.#entries.clear();
    await Promise.all(pools.map((p) => p.destroy()));
  }
}

function connectorWithTimeout(connectTimeoutMs: number): buildConnector.connector {
  assertDurationMs('connectTimeoutMs', connectTimeoutMs);
  const connect = buildConnector({ timeout: 0 });
  return (options, callback) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      socket?.destroy();
      callback(
        new errors.ConnectTimeoutError(
          `connect to ${options.hostname}:${options.port} took longer than ${connectTimeoutMs} ms`,
        ),
        null,
      );
    }, connectTimeoutMs);
    // undici's connector returns the socket it creates (its type says void).
    const socket = connect(options, (error, connected) => {
      if (settled) {
        connected?.destroy();
        return;
      }
      settled = true;
      clearTimeout(timer);
      if (error) callback(error, null);
      else callback(null, connected!);
    }) as unknown as Socket | undefined;
  };
}
