import type { ServerResponse } from 'node:http';

/** What the drain needs of one forwarded call: a way to end it if it outlives the drain. */
export interface DrainableCall {
  shutDown(drainBudgetMs: number): void;
}

export interface DrainResult {
  /** Requests in progress when the drain began. */
  readonly openAtStart: number;
  /** Calls still running at the drain timeout, ended with a shutdown error. */
  readonly cutOff: number;
}

/**
 * The relay's requests in progress, so a stopping process can let them finish: `drain()` refuses new
 * requests (503, `Connection: close`), waits until the open ones end or the drain timeout passes, then
 * ends the rest with Ollama-shaped errors (before headers a 503, mid-stream the error frame).
 */
export class RelayDrain {
  #open = 0;
  #draining = false;
  readonly #calls = new Set<DrainableCall>();
  #onIdle: (() => void) | undefined;

  get draining(): boolean {
    return this.#draining;
  }

  /** Requests in progress (any kind, including merged listings and bodies still arriving). */
  get open(): number {
    return this.#open;
  }

  /** Counts `res` as open until it closes (finished, failed or the client left). */
  track(res: ServerResponse): void {
    this.#open++;
    res.once('close', () => {
      this.#open--;
      if (this.#open === 0) this.#onIdle?.();
    });
  }

  /** A forwarded call under way: `drain()` may shut it down until `remove(call)`. */
  add(call: DrainableCall): void {
    this.#calls.add(call);
  }

  remove(call: DrainableCall): void {
    this.#calls.delete(call);
  }

  /**
   * Stops new requests, waits up to `timeoutMs` for the open ones, then shuts down the calls left and
   * waits up to `settleMs` more for their error responses to go out.
   */
  async drain(timeoutMs: number, settleMs = 2000): Promise<DrainResult> {
    this.#draining = true;
    const before = this.#open;
    await this.#idleWithin(timeoutMs);
    const left = [...this.#calls];
    for (const call of left) call.shutDown(timeoutMs);
    if (this.#open > 0) await this.#idleWithin(settleMs);
    return { openAtStart: before, cutOff: left.length };
  }

  #idleWithin(ms: number): Promise<void> {
    if (this.#open === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#onIdle = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#onIdle = done;
    });
  }
}
