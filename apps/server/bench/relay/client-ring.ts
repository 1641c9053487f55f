/**
 * A fixed set of keep-alive connections used in turn. An undici `Pool` reuses its first idle connection,
 * so at a modest rate it would never open the 200 connections a row asks for; one `Client` per
 * connection, taken round-robin, spreads the load over exactly that many sockets, as 200 callers would.
 */
import { Client, type Dispatcher } from 'undici';
import type { CallSpec } from './jobs.ts';

/** Nothing in a bench waits this long; a stuck answer becomes an error instead of a hang. */
const STUCK_ANSWER_MS = 60_000;

export class ClientRing {
  readonly #clients: Client[];
  #next = 0;

  constructor(origin: string, connections: number) {
    if (!Number.isInteger(connections) || connections < 1) {
      throw new RangeError(`connections must be an integer >= 1, got ${connections}`);
    }
    this.#clients = Array.from(
      { length: connections },
      () =>
        new Client(origin, {
          pipelining: 1,
          keepAliveTimeout: 120_000,
          headersTimeout: STUCK_ANSWER_MS,
          bodyTimeout: STUCK_ANSWER_MS,
        }),
    );
  }

  get size(): number {
    return this.#clients.length;
  }

  /** Sends `call` on the next connection in turn (it waits in that connection's queue if busy). */
  send(call: CallSpec, signal?: AbortSignal): Promise<Dispatcher.ResponseData> {
    const connection = this.#next;
    this.#next = (this.#next + 1) % this.#clients.length;
    return this.sendOn(connection, call, signal);
  }

  /** Sends `call` on connection number `connection` (0-based). */
  sendOn(connection: number, call: CallSpec, signal?: AbortSignal): Promise<Dispatcher.ResponseData> {
    const client = this.#clients[connection % this.#clients.length] as Client;
    return client.request({
      method: call.method,
      path: call.path,
      headers: call.headers,
      ...(call.body === undefined ? {} : { body: call.body }),
      ...(signal === undefined ? {} : { signal }),
    });
  }

  /** Destroys every connection, aborting whatever is still in flight. */
  async close(): Promise<void> {
    await Promise.all(this.#clients.map((c) => c.destroy().catch(() => undefined)));
  }
}

/** Counts newline bytes: one per NDJSON line, that is one per Ollama stream chunk. */
export function countLines(chunk: Buffer): number {
  let lines = 0;
  let at = chunk.indexOf(10);
  while (at !== -1) {
    lines++;
    at = chunk.indexOf(10, at + 1);
  }
  return lines;
}

/** A short description of a failure for the report. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
