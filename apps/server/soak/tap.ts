/**
 * A read-only tap on the call events the relay gives the metrics engine, matched to the soak's own
 * calls by a `soak` query parameter on the request path. It serves two ends:
 * - timing: a client that means to abort "before headers" waits until Lookout has the call (queued or
 *   dispatched), so the abort is a client abort and not a race with the request's arrival;
 * - evidence: each call's server-side outcome beside what its client saw, so a count that does not
 *   reconcile comes with the calls that differ.
 * The reconciliation itself reads the engine's counters, never this tap.
 */
import type { CallEvent, Outcome } from '@lookout/client-core';
import type { MetricsEngine } from '../src/metrics/index.ts';

const TAG = /[?&]soak=(\d+)/;

/** What the server said about one call. */
export interface ServerVerdict {
  outcome: Outcome;
  code: string | undefined;
  message: string | undefined;
  target: string | undefined;
  afterFirstByte: boolean | undefined;
}

interface TappedCall {
  /** Set by the first event the engine got for the call. */
  seen: boolean;
  verdict: ServerVerdict | undefined;
  /** Resolves the client's wait for the first event. */
  onSeen: (() => void) | undefined;
}

/** Counts of events that break "one call, one terminal event", over the whole run. */
export interface TapAnomalies {
  /** A second terminal event for a call still being matched. */
  duplicateTerminals: number;
  /** Events for a soak call that had already been matched and forgotten (a late or second terminal). */
  eventsAfterMatch: number;
  /** Events carrying a soak tag the soak never sent. */
  unknownTags: number;
}

export class CallTap {
  readonly #calls = new Map<number, TappedCall>();
  readonly #restore: () => void;
  #highestTag = -1;
  readonly anomalies: TapAnomalies = { duplicateTerminals: 0, eventsAfterMatch: 0, unknownTags: 0 };

  /** Installs the tap in front of `engine.onEvent` (the relay calls the engine through its sink). */
  constructor(engine: MetricsEngine) {
    const original = engine.onEvent;
    const tapped = (event: CallEvent): void => {
      if (event.type !== 'chunk' && event.call.source === 'app') this.#observe(event);
      original.call(engine, event);
    };
    engine.onEvent = tapped;
    this.#restore = () => {
      if (engine.onEvent === tapped) engine.onEvent = original;
    };
  }

  /** The path to send for call `tag`: `path` with the tag appended to its query. */
  static tagged(path: string, tag: number): string {
    return `${path}${path.includes('?') ? '&' : '?'}soak=${tag}`;
  }

  /** Registers call `tag` before its request goes out. */
  expect(tag: number): void {
    this.#calls.set(tag, { seen: false, verdict: undefined, onSeen: undefined });
    if (tag > this.#highestTag) this.#highestTag = tag;
  }

  /** Resolves once Lookout emitted any event for `tag` (true), or after `timeoutMs` (false). */
  whenSeen(tag: number, timeoutMs: number): Promise<boolean> {
    const call = this.#calls.get(tag);
    if (!call) return Promise.resolve(false);
    if (call.seen) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        call.onSeen = undefined;
        resolve(false);
      }, timeoutMs);
      call.onSeen = () => {
        clearTimeout(timer);
        call.onSeen = undefined;
        resolve(true);
      };
    });
  }

  /** The server's terminal verdict for `tag`, if it came. */
  verdict(tag: number): ServerVerdict | undefined {
    return this.#calls.get(tag)?.verdict;
  }

  /** Forgets `tag` (its client is done and the verdict was read); later events for it count as anomalies. */
  forget(tag: number): void {
    this.#calls.delete(tag);
  }

  /** Calls registered and not forgotten (each a call whose server verdict never came). */
  get pending(): number {
    return this.#calls.size;
  }

  /** Puts the engine's own `onEvent` back. */
  uninstall(): void {
    this.#restore();
  }

  #observe(event: Exclude<CallEvent, { type: 'chunk' }>): void {
    const match = TAG.exec(event.call.path);
    if (!match) return;
    const tag = Number(match[1]);
    const call = this.#calls.get(tag);
    if (!call) {
      if (tag <= this.#highestTag) this.anomalies.eventsAfterMatch++;
      else this.anomalies.unknownTags++;
      return;
    }
    if (!call.seen) {
      call.seen = true;
      call.onSeen?.();
    }
    if (event.type !== 'done' && event.type !== 'failed') return;
    if (call.verdict) {
      this.anomalies.duplicateTerminals++;
      return;
    }
    call.verdict =
      event.type === 'done'
        ? { outcome: 'ok', code: undefined, message: undefined, target: event.target, afterFirstByte: true }
        : {
            outcome: event.outcome,
            code: event.code,
            message: event.message,
            target: event.target,
            afterFirstByte: event.afterFirstByte,
          };
  }
}
