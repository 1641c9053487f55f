import type { AlertEvent, Snapshot, TestPromptMessage } from '@lookout/contracts';
import { applyDelta, ServerMessageSchema } from '@lookout/contracts';

/** The text a client sends to ask for a fresh snapshot (after it saw a gap in `seq`). */
export const RESYNC_REQUEST = '{"type":"resync"}';

export interface LiveFeedOptions {
  /** Sends text on the current connection; false when there is none. */
  readonly send: (text: string) => boolean;
  /** A new picture of the fleet: after a snapshot message or an applied delta. */
  readonly onSnapshot: (snapshot: Snapshot, seq: number) => void;
  readonly onAlert?: (event: AlertEvent) => void;
  readonly onTestPrompt?: (message: TestPromptMessage) => void;
  /** A message that was not JSON or not a known message; `code` says which. */
  readonly onProtocolError?: (error: {
    readonly code: LiveProtocolErrorCode;
    readonly message: string;
  }) => void;
  readonly now?: () => number;
  /** A resync request unanswered for this long is sent again on the next delta. */
  readonly resyncRetryMs?: number;
}

export type LiveProtocolErrorCode = 'invalid_json' | 'invalid_message' | 'server_error';

/** What the feed counted, for the connection indicator and tests. */
export interface LiveFeedCounters {
  snapshots: number;
  deltasApplied: number;
  deltasIgnored: number;
  gaps: number;
  resyncRequests: number;
}

/**
 * The `/ws` protocol on the client: a snapshot, then deltas numbered by `seq`. A delta that is not the
 * next one (a message was lost, or the client fell behind) is not applied: the feed asks for a fresh
 * snapshot and ignores deltas until it arrives. Messages are validated with the shared schemas.
 */
export class LiveFeed {
  private snapshot: Snapshot | null = null;
  private seq: number | null = null;
  private resyncRequestedAtMs: number | null = null;
  private readonly now: () => number;
  private readonly resyncRetryMs: number;
  readonly counters: LiveFeedCounters = {
    snapshots: 0,
    deltasApplied: 0,
    deltasIgnored: 0,
    gaps: 0,
    resyncRequests: 0,
  };

  constructor(private readonly options: LiveFeedOptions) {
    this.now = options.now ?? Date.now;
    this.resyncRetryMs = options.resyncRetryMs ?? 3_000;
  }

  /** The last snapshot and its `seq`, if one arrived on this connection. */
  get current(): { readonly snapshot: Snapshot; readonly seq: number } | null {
    return this.snapshot && this.seq !== null ? { snapshot: this.snapshot, seq: this.seq } : null;
  }

  /** A new connection: its first message is a snapshot, numbered afresh. */
  reset(): void {
    this.seq = null;
    this.resyncRequestedAtMs = null;
  }

  /** One text frame from the server. */
  handleText(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.options.onProtocolError?.({ code: 'invalid_json', message: `not JSON: ${text.slice(0, 80)}` });
      return;
    }
    const parsed = ServerMessageSchema.safeParse(json);
    if (!parsed.success) {
      const type = (json as { type?: unknown } | null)?.type;
      this.options.onProtocolError?.({
        code: 'invalid_message',
        message: `message of type ${JSON.stringify(type)} does not match the contract: ${parsed.error.issues[0]?.message ?? ''}`,
      });
      // A delta we cannot read leaves a hole: ask for the whole picture.
      if (type === 'delta' || type === 'snapshot') this.requestResync();
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'snapshot':
        this.snapshot = message.data;
        this.seq = message.seq;
        this.resyncRequestedAtMs = null;
        this.counters.snapshots++;
        this.options.onSnapshot(message.data, message.seq);
        return;
      case 'delta': {
        if (this.seq === null || this.snapshot === null || this.resyncRequestedAtMs !== null) {
          this.counters.deltasIgnored++;
          this.requestResync();
          return;
        }
        if (message.seq <= this.seq) {
          this.counters.deltasIgnored++;
          return;
        }
        if (message.seq !== this.seq + 1) {
          this.counters.gaps++;
          this.counters.deltasIgnored++;
          this.requestResync();
          return;
        }
        this.snapshot = applyDelta(this.snapshot, message);
        this.seq = message.seq;
        this.counters.deltasApplied++;
        this.options.onSnapshot(this.snapshot, message.seq);
        return;
      }
      case 'alert':
        this.options.onAlert?.(message.event);
        return;
      case 'test_prompt':
        this.options.onTestPrompt?.(message);
        return;
      case 'error':
        this.options.onProtocolError?.({
          code: 'server_error',
          message: `${message.code}: ${message.message}`,
        });
        return;
    }
  }

  /** Asks once; asks again only when the last request went unanswered for `resyncRetryMs`. */
  private requestResync(): void {
    const nowMs = this.now();
    if (this.resyncRequestedAtMs !== null && nowMs - this.resyncRequestedAtMs < this.resyncRetryMs) return;
    if (this.options.send(RESYNC_REQUEST)) {
      this.resyncRequestedAtMs = nowMs;
      this.counters.resyncRequests++;
    }
  }
}
