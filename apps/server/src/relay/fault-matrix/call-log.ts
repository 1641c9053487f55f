import type { CallEvent, FailedEvent, Outcome } from '@lookout/client-core';
import type { MetricsEngine } from '../../metrics/index.ts';

/** The events of one application call, chunks summed instead of kept. */
export interface CallRecord {
  events: CallEvent[];
  chunkBytes: number;
}

/**
 * Records, beside the metrics engine, every event of application calls (keyed by call id, which the
 * relay sends back as `X-Lookout-Request-Id`), so a test can say what happened to one call: its
 * attempts, targets, and how many terminal events it had. The engine still receives every event.
 */
export class CallLog {
  readonly #calls = new Map<string, CallRecord>();

  constructor(metrics: MetricsEngine) {
    const deliver = metrics.onEvent.bind(metrics);
    metrics.onEvent = (event: CallEvent): void => {
      if (event.call.source === 'app') this.#note(event);
      deliver(event);
    };
  }

  #note(event: CallEvent): void {
    let record = this.#calls.get(event.call.callId);
    if (record === undefined) {
      record = { events: [], chunkBytes: 0 };
      this.#calls.set(event.call.callId, record);
    }
    if (event.type === 'chunk') record.chunkBytes += event.bytes;
    else record.events.push(event);
  }

  get(callId: string): CallRecord | undefined {
    return this.#calls.get(callId);
  }

  /** Ids of the application calls seen so far, in the order they started. */
  ids(): string[] {
    return [...this.#calls.keys()];
  }

  /** Application calls seen so far. */
  get size(): number {
    return this.#calls.size;
  }

  /** The terminal events (done/failed) of a call: exactly one once it has ended. */
  terminals(callId: string): CallEvent[] {
    return (this.#calls.get(callId)?.events ?? []).filter((e) => e.type === 'done' || e.type === 'failed');
  }

  /** The outcome of a call's first terminal event, if it has one. */
  outcome(callId: string): Outcome | undefined {
    const terminal = this.terminals(callId)[0];
    if (terminal === undefined) return undefined;
    return terminal.type === 'done' ? 'ok' : (terminal as FailedEvent).outcome;
  }

  /** Targets the call was dispatched to, in order (one per attempt). */
  dispatchedTo(callId: string): string[] {
    return (this.#calls.get(callId)?.events ?? []).flatMap((e) =>
      e.type === 'dispatched' ? [e.target] : [],
    );
  }
}
