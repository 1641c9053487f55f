import type { ServerMessage, Snapshot } from '@lookout/contracts';
import { diffSnapshots } from '@lookout/contracts';
import type { WebSocket } from 'ws';
import type { Logger } from '../log.ts';

export interface LiveHubOptions {
  /** Builds the current snapshot (once per tick, shared by every client). */
  buildSnapshot: () => Snapshot;
  log: Logger;
  /** Delta period; DESIGN.md asks for at least one message a second. */
  tickMs?: number;
  /** A client with more than this queued in its socket skips deltas until it drains. */
  maxBufferedBytes?: number;
  /** Ping period; a client that has not answered the previous ping by the next is dropped. */
  pingIntervalMs?: number;
}

interface LiveClient {
  ws: WebSocket;
  /** Skipped a delta: its next message must be a whole snapshot. */
  behind: boolean;
  alive: boolean;
}

/**
 * The WebSocket hub: each client gets a snapshot, then a delta every tick with a `seq` one higher. A
 * client whose socket backs up skips deltas (server memory stays bounded) and gets one fresh snapshot
 * when it has drained, instead of a backlog.
 */
export class LiveHub {
  private readonly clients = new Set<LiveClient>();
  private readonly tickMs: number;
  private readonly maxBufferedBytes: number;
  private readonly pingIntervalMs: number;
  private last: Snapshot | undefined;
  private seq = 0;
  private tickTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  /** Messages sent and skipped, for tests and `/metrics`. */
  readonly counters = { deltasSent: 0, deltasSkipped: 0, snapshotsSent: 0, clientsDropped: 0 };

  constructor(private readonly options: LiveHubOptions) {
    this.tickMs = options.tickMs ?? 1_000;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
    this.pingIntervalMs = options.pingIntervalMs ?? 15_000;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  start(): void {
    if (this.tickTimer) return;
    this.tickTimer = setInterval(() => this.tick(), this.tickMs);
    this.pingTimer = setInterval(() => this.ping(), this.pingIntervalMs);
    this.tickTimer.unref();
    this.pingTimer.unref();
  }

  stop(): void {
    clearInterval(this.tickTimer);
    clearInterval(this.pingTimer);
    this.tickTimer = undefined;
    this.pingTimer = undefined;
    for (const client of this.clients) client.ws.close(1001, 'server stopping');
    this.clients.clear();
  }

  /** Takes a new, authenticated connection. */
  attach(ws: WebSocket): void {
    const client: LiveClient = { ws, behind: false, alive: true };
    this.clients.add(client);
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('message', (data) => {
      // The one thing a client may ask: a fresh snapshot (after it saw a gap in seq).
      if (String(data) === '{"type":"resync"}') this.sendSnapshot(client, this.current());
    });
    ws.on('close', () => this.clients.delete(client));
    ws.on('error', (error) => {
      this.options.log.debug({ err: error }, 'live client socket error');
      this.clients.delete(client);
    });
    this.sendSnapshot(client, this.current());
  }

  /** Sends a typed message (alert transition, test-prompt token) to every client. */
  broadcast(message: ServerMessage): void {
    const text = JSON.stringify(message);
    for (const client of this.clients) {
      if (client.ws.bufferedAmount > this.maxBufferedBytes) continue;
      this.send(client, text);
    }
  }

  /** One tick: build the snapshot once, send the same delta text to every client that keeps up. */
  tick(): void {
    if (this.clients.size === 0) {
      this.last = undefined;
      return;
    }
    const next = this.safeBuild();
    if (!next) return;
    const prev = this.last ?? next;
    this.last = next;
    this.seq++;
    let deltaText: string | undefined;
    for (const client of this.clients) {
      if (client.ws.bufferedAmount > this.maxBufferedBytes) {
        client.behind = true;
        this.counters.deltasSkipped++;
        continue;
      }
      if (client.behind) {
        // It drained: one fresh snapshot rather than the deltas it missed.
        if (client.ws.bufferedAmount === 0) this.sendSnapshot(client, next);
        else this.counters.deltasSkipped++;
        continue;
      }
      deltaText ??= JSON.stringify({ type: 'delta', seq: this.seq, ...diffSnapshots(prev, next) });
      this.send(client, deltaText);
      this.counters.deltasSent++;
    }
  }

  private current(): Snapshot {
    if (!this.last) this.last = this.safeBuild();
    return this.last!;
  }

  private safeBuild(): Snapshot | undefined {
    try {
      return this.options.buildSnapshot();
    } catch (error) {
      this.options.log.error({ err: error }, 'building the live snapshot failed');
      return undefined;
    }
  }

  private sendSnapshot(client: LiveClient, snapshot: Snapshot | undefined): void {
    if (!snapshot) return;
    client.behind = false;
    this.send(client, JSON.stringify({ type: 'snapshot', seq: this.seq, data: snapshot }));
    this.counters.snapshotsSent++;
  }

  private send(client: LiveClient, text: string): void {
    if (client.ws.readyState !== client.ws.OPEN) return;
    client.ws.send(text, (error) => {
      if (error) this.options.log.debug({ err: error }, 'live send failed');
    });
  }

  private ping(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        this.counters.clientsDropped++;
        this.clients.delete(client);
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  }
}
