import { RequestCancelled } from './clock.ts';

interface SlotWaiter {
  grant: () => void;
}

/**
 * The per-model slot semaphore of a loaded runner (weight OLLAMA_NUM_PARALLEL): waiters queue without bound
 * and without timeout, in order, until a slot frees or their request is cancelled.
 */
export class SlotSemaphore {
  private used = 0;
  private readonly waiters: SlotWaiter[] = [];

  constructor(
    private capacity: number,
    private readonly onAcquired: (inUse: number) => void,
  ) {}

  get inUse(): number {
    return this.used;
  }

  /** Slots in all, held or free. */
  get slots(): number {
    return this.capacity;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Resolves with the function that gives the slot back (idempotent). */
  async acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) throw new RequestCancelled();
    if (this.used < this.capacity && this.waiters.length === 0) return this.take();
    let onAbort: (() => void) | undefined;
    let waiter: SlotWaiter | undefined;
    try {
      return await new Promise<() => void>((resolve, reject) => {
        waiter = { grant: () => resolve(this.take()) };
        this.waiters.push(waiter);
        onAbort = () => {
          const index = waiter ? this.waiters.indexOf(waiter) : -1;
          if (index >= 0) this.waiters.splice(index, 1);
          reject(new RequestCancelled());
        };
        signal.addEventListener('abort', onAbort, { once: true });
      });
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  /** Changes the number of slots; holders keep theirs, waiters are let in as room appears. */
  setCapacity(capacity: number): void {
    this.capacity = capacity;
    this.drain();
  }

  private take(): () => void {
    this.used++;
    this.onAcquired(this.used);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used--;
      this.drain();
    };
  }

  private drain(): void {
    while (this.used < this.capacity && this.waiters.length > 0) {
      this.waiters.shift()?.grant();
    }
  }
}
