/**
 * Dashboard clients on `/ws` for the whole soak: readers that take every message (one of them checks
 * each against the wire schema and rebuilds the snapshot from the deltas, as the web app does) and one
 * slow reader that stops reading for seconds at a time.
 */
import { applyDelta, type ServerMessage, ServerMessageSchema, type Snapshot } from '@lookout/contracts';
import WebSocket from 'ws';
import type { SeededRandom } from './rng.ts';

export interface DashboardReport {
  name: string;
  slow: boolean;
  messages: number;
  snapshots: number;
  deltas: number;
  /** A delta whose `seq` did not follow the previous message's, with no snapshot in between. */
  seqBreaks: number;
  /** Messages that failed the schema (checked by the validating client only). */
  invalid: number;
  /** Longest time between two messages. */
  maxGapMs: number;
  /** Pauses of the slow reader, and the longest. */
  pauses: number;
  longestPauseMs: number;
  /** Set when the socket closed before the soak closed it. */
  unexpectedClose: { code: number; reason: string } | undefined;
  socketErrors: number;
}

const PAUSE_EVERY_MS = 10_000;

export class DashboardClient {
  readonly report: DashboardReport;
  /** The snapshot rebuilt from the messages (validating client only). */
  state: Snapshot | undefined;
  #ws: WebSocket | undefined;
  #lastSeq: number | undefined;
  #lastAtMs: number | undefined;
  #closing = false;
  #pauseTimer: NodeJS.Timeout | undefined;
  #resumeTimer: NodeJS.Timeout | undefined;

  constructor(
    name: string,
    private readonly options: { slow: boolean; validate: boolean; random: SeededRandom },
  ) {
    this.report = {
      name,
      slow: options.slow,
      messages: 0,
      snapshots: 0,
      deltas: 0,
      seqBreaks: 0,
      invalid: 0,
      maxGapMs: 0,
      pauses: 0,
      longestPauseMs: 0,
      unexpectedClose: undefined,
      socketErrors: 0,
    };
  }

  /** Opens the socket with the admin token; resolves once open. */
  connect(dashboardUrl: string, token: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${dashboardUrl.replace(/^http/, 'ws')}/ws`, {
        headers: { authorization: `Bearer ${token}` },
      });
      this.#ws = ws;
      ws.on('message', (data) => this.#onMessage(String(data)));
      ws.once('open', () => {
        if (this.options.slow) this.#schedulePause();
        resolve();
      });
      ws.once('unexpected-response', (_req, res) => reject(new Error(`/ws answered ${res.statusCode}`)));
      ws.on('error', (error) => {
        this.report.socketErrors++;
        reject(error);
      });
      ws.on('close', (code, reason) => {
        this.#stopPausing();
        if (!this.#closing) this.report.unexpectedClose = { code, reason: String(reason) };
      });
    });
  }

  /** Closes the socket (an expected close). */
  close(): Promise<void> {
    this.#closing = true;
    this.#stopPausing();
    const ws = this.#ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 2_000);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.resume();
      ws.close(1000, 'soak done');
    });
  }

  #onMessage(text: string): void {
    const r = this.report;
    const now = performance.now();
    if (this.#lastAtMs !== undefined) r.maxGapMs = Math.max(r.maxGapMs, now - this.#lastAtMs);
    this.#lastAtMs = now;
    r.messages++;
    let message: ServerMessage;
    try {
      message = this.options.validate ? ServerMessageSchema.parse(JSON.parse(text)) : JSON.parse(text);
    } catch {
      r.invalid++;
      return;
    }
    if (message.type === 'snapshot') {
      r.snapshots++;
      this.#lastSeq = message.seq;
      if (this.options.validate) this.state = message.data;
    } else if (message.type === 'delta') {
      r.deltas++;
      if (this.#lastSeq === undefined || message.seq !== this.#lastSeq + 1) r.seqBreaks++;
      this.#lastSeq = message.seq;
      if (this.options.validate && this.state) this.state = applyDelta(this.state, message);
    }
  }

  #schedulePause(): void {
    this.#pauseTimer = setTimeout(() => {
      const ws = this.#ws;
      if (!ws || this.#closing) return;
      const pauseMs = this.options.random.int(2_000, 6_000);
      ws.pause();
      this.report.pauses++;
      this.report.longestPauseMs = Math.max(this.report.longestPauseMs, pauseMs);
      this.#resumeTimer = setTimeout(() => {
        ws.resume();
        this.#schedulePause();
      }, pauseMs);
    }, PAUSE_EVERY_MS);
  }

  #stopPausing(): void {
    clearTimeout(this.#pauseTimer);
    clearTimeout(this.#resumeTimer);
  }
}

/** Connects `readers` reading clients (the first validating) and one slow one. */
export async function connectDashboards(
  dashboardUrl: string,
  token: string,
  readers: number,
  random: SeededRandom,
): Promise<DashboardClient[]> {
  const clients = [
    ...Array.from(
      { length: readers },
      (_, i) => new DashboardClient(`reader${i}`, { slow: false, validate: i === 0, random }),
    ),
    new DashboardClient('slow', { slow: true, validate: false, random }),
  ];
  try {
    await Promise.all(clients.map((c) => c.connect(dashboardUrl, token)));
  } catch (error) {
    await Promise.all(clients.map((c) => c.close()));
    throw error;
  }
  return clients;
}
