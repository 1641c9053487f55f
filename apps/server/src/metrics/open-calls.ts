import type { CallInfo } from './call-events.ts';

/** What the engine remembers about a call between its first and its terminal event. */
export interface OpenCall {
  readonly startedAtMs: number;
  /** First `dispatched` event; NaN until then. */
  dispatchedAtMs: number;
  /** First `first_token` event; NaN until then. */
  firstTokenAtMs: number;
}

/**
 * Per-call state, held only while a call is open: created by its first event, deleted by its terminal
 * one. Two guards keep it bounded even if an emitter breaks the contract: ids closed recently are
 * remembered (a fixed-size ring) so a second terminal event is ignored rather than counted twice, and
 * `sweep` drops calls open longer than any call can last.
 */
export class OpenCalls {
  private readonly open = new Map<string, OpenCall>();
  private readonly closedRing: (string | undefined)[];
  private readonly closedSet = new Set<string>();
  private closedNext = 0;

  constructor(recentClosedCapacity = 4096) {
    this.closedRing = new Array(recentClosedCapacity).fill(undefined);
  }

  /** The state of an open call, created on its first event; undefined for a call already closed. */
  touch(call: CallInfo): OpenCall | undefined {
    const existing = this.open.get(call.callId);
    if (existing) return existing;
    if (this.closedSet.has(call.callId)) return undefined;
    const created: OpenCall = {
      startedAtMs: call.startedAtMs,
      dispatchedAtMs: Number.NaN,
      firstTokenAtMs: Number.NaN,
    };
    this.open.set(call.callId, created);
    return created;
  }

  /**
   * Ends a call: returns its state (undefined when its terminal event is the first one seen), or
   * `'duplicate'` when the call was closed already.
   */
  close(callId: string): OpenCall | undefined | 'duplicate' {
    if (this.closedSet.has(callId)) return 'duplicate';
    const state = this.open.get(callId);
    if (state) this.open.delete(callId);
    const evicted = this.closedRing[this.closedNext];
    if (evicted !== undefined) this.closedSet.delete(evicted);
    callId.charCodeAt(0); // flattens a rope in place: a randomUUID() id is ~20 pieces (~480 B), ~100 B flat
    this.closedRing[this.closedNext] = callId;
    this.closedSet.add(callId);
    this.closedNext = (this.closedNext + 1) % this.closedRing.length;
    return state;
  }

  /** Drops calls started more than `maxAgeMs` before `nowMs`; returns how many. */
  sweep(nowMs: number, maxAgeMs: number): number {
    let dropped = 0;
    for (const [callId, state] of this.open) {
      if (nowMs - state.startedAtMs > maxAgeMs) {
        this.open.delete(callId);
        dropped++;
      }
    }
    return dropped;
  }

  get size(): number {
    return this.open.size;
  }
}
