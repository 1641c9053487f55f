import { type BackoffPolicy, backoffDelayMs, DEFAULT_BACKOFF } from './backoff.ts';
import { createStore, type ReadableStore } from './store.ts';

/** What the socket is doing now. `attempt` counts connections in a row that delivered nothing. */
export type ConnectionState =
  | { readonly status: 'connecting'; readonly attempt: number }
  | { readonly status: 'open'; readonly openedAtMs: number }
  | {
      readonly status: 'waiting';
      readonly attempt: number;
      readonly retryAtMs: number;
      /** The close code of the connection that ended (4000: it went silent). */
      readonly closeCode: number;
    }
  | { readonly status: 'stopped' };

/** Callbacks a socket reports to; text frames only (the server sends JSON text). */
export interface SocketHandlers {
  onOpen(): void;
  onMessage(text: string): void;
  onClose(code: number): void;
}

/** One WebSocket connection as the reconnecting socket drives it. */
export interface SocketConnection {
  send(text: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string, handlers: SocketHandlers) => SocketConnection;

/** A factory over the standard `WebSocket` class (the browser's, or one with the same interface). */
export function webSocketFactory(WebSocketClass: new (url: string) => WebSocket = WebSocket): SocketFactory {
  return (url, handlers) => {
    const ws = new WebSocketClass(url);
    ws.onopen = () => handlers.onOpen();
    ws.onmessage = (event) => {
      if (typeof event.data === 'string') handlers.onMessage(event.data);
    };
    // An error is always followed by a close; the close alone drives reconnection.
    ws.onerror = () => {};
    ws.onclose = (event) => handlers.onClose(event.code);
    return {
      send: (text) => ws.send(text),
      close: (code, reason) => ws.close(code, reason),
    };
  };
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const globalTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

export interface ReconnectingSocketOptions {
  readonly url: string;
  readonly createSocket: SocketFactory;
  readonly onMessage: (text: string) => void;
  /** A new connection opened (the server will send a snapshot first). */
  readonly onOpen?: () => void;
  /** A connection ended; `delivered` is false when it never brought a message (e.g. refused: signed out). */
  readonly onDown?: (info: { readonly delivered: boolean; readonly code: number }) => void;
  /** An open connection that brings nothing for this long is taken as dead (the server sends every second). */
  readonly silenceTimeoutMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly random?: () => number;
  readonly now?: () => number;
  readonly timers?: Timers;
}

/** Close code used when the socket went silent and was given up on. */
export const SILENT_CLOSE_CODE = 4000;

/**
 * A WebSocket that stays connected: reconnects with exponential backoff and full jitter, gives up on
 * a connection that goes silent, and reports its state as a store.
 */
export class ReconnectingSocket {
  private readonly store = createStore<ConnectionState>({ status: 'connecting', attempt: 0 });
  private readonly timers: Timers;
  private readonly now: () => number;
  private readonly silenceTimeoutMs: number;
  private connection: SocketConnection | undefined;
  /** Bumped for every connection, so events of an abandoned one are ignored. */
  private generation = 0;
  private failures = 0;
  private delivered = false;
  private retryTimer: unknown;
  private silenceTimer: unknown;
  private started = false;

  constructor(private readonly options: ReconnectingSocketOptions) {
    this.timers = options.timers ?? globalTimers;
    this.now = options.now ?? Date.now;
    this.silenceTimeoutMs = options.silenceTimeoutMs ?? 5_000;
  }

  get state(): ReadableStore<ConnectionState> {
    return this.store;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.connect();
  }

  /** Closes the connection for good; no reconnect follows. */
  stop(): void {
    this.started = false;
    this.generation++;
    this.clearTimers();
    const connection = this.connection;
    this.connection = undefined;
    connection?.close(1000, 'client stopped');
    this.store.set({ status: 'stopped' });
  }

  /** Sends on the open connection; false when there is none. */
  send(text: string): boolean {
    if (this.store.get().status !== 'open' || !this.connection) return false;
    this.connection.send(text);
    return true;
  }

  /** Skips the wait (the browser came back online, or the user asked). */
  reconnectNow(): void {
    if (!this.started || this.store.get().status !== 'waiting') return;
    this.timers.clearTimeout(this.retryTimer);
    this.connect();
  }

  private connect(): void {
    const generation = ++this.generation;
    this.delivered = false;
    this.store.set({ status: 'connecting', attempt: this.failures });
    const current = () => generation === this.generation;
    try {
      this.connection = this.options.createSocket(this.options.url, {
        onOpen: () => {
          if (!current()) return;
          this.store.set({ status: 'open', openedAtMs: this.now() });
          this.armSilenceTimer();
          this.options.onOpen?.();
        },
        onMessage: (text) => {
          if (!current()) return;
          this.delivered = true;
          this.failures = 0;
          this.armSilenceTimer();
          this.options.onMessage(text);
        },
        onClose: (code) => {
          if (current()) this.down(code);
        },
      });
    } catch {
      // The constructor throws on a malformed URL: treat it as a failed attempt, retried later.
      this.connection = undefined;
      this.down(1006);
    }
  }

  private down(code: number): void {
    this.generation++;
    this.clearTimers();
    const delivered = this.delivered;
    const connection = this.connection;
    this.connection = undefined;
    if (code === SILENT_CLOSE_CODE) connection?.close(SILENT_CLOSE_CODE, 'silent');
    if (!this.started) return;
    const delayMs = backoffDelayMs(
      this.failures,
      this.options.random,
      this.options.backoff ?? DEFAULT_BACKOFF,
    );
    this.store.set({
      status: 'waiting',
      attempt: this.failures,
      retryAtMs: this.now() + delayMs,
      closeCode: code,
    });
    this.failures++;
    this.retryTimer = this.timers.setTimeout(() => this.connect(), delayMs);
    this.options.onDown?.({ delivered, code });
  }

  private armSilenceTimer(): void {
    this.timers.clearTimeout(this.silenceTimer);
    const generation = this.generation;
    this.silenceTimer = this.timers.setTimeout(() => {
      if (generation === this.generation) this.down(SILENT_CLOSE_CODE);
    }, this.silenceTimeoutMs);
  }

  private clearTimers(): void {
    this.timers.clearTimeout(this.retryTimer);
    this.timers.clearTimeout(this.silenceTimer);
    this.retryTimer = undefined;
    this.silenceTimer = undefined;
  }
}
