import { performance } from 'node:perf_hooks';

/** Thrown out of waits when the request they belong to is cancelled (client gone, or the simulator closing). */
export class RequestCancelled extends Error {
  readonly code = 'SIM_REQUEST_CANCELLED';
  constructor() {
    super('request cancelled');
  }
}

/** Monotonic milliseconds with sub-millisecond precision. */
export function monotonicMs(): number {
  return performance.now();
}

/** Wall-clock epoch milliseconds on the same time base as `monotonicMs` (cancellation records use it). */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Go's time.Time.MarshalJSON of a UTC instant: RFC 3339 with nanoseconds, trailing zeros trimmed. */
export function rfc3339Nano(atEpochMs: number): string {
  const wholeMs = Math.floor(atEpochMs);
  const subMsNs = Math.min(999_999, Math.round((atEpochMs - wholeMs) * 1e6));
  const iso = new Date(wholeMs).toISOString();
  const ns = `${iso.slice(20, 23)}${String(subMsNs).padStart(6, '0')}`.replace(/0+$/, '');
  return `${iso.slice(0, 19)}${ns === '' ? '' : `.${ns}`}Z`;
}

/** Milliseconds to integer nanoseconds. */
export function msToNs(ms: number): number {
  return Math.max(0, Math.round(ms * 1e6));
}

/** Resolves after `ms`, or throws RequestCancelled as soon as `signal` aborts; the timer never outlives the call. */
export async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) throw new RequestCancelled();
  if (ms <= 0) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (signal.aborted) throw new RequestCancelled();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(resolve, ms);
      onAbort = () => reject(new RequestCancelled());
      signal.addEventListener('abort', onAbort, { once: true });
    });
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

/** Waits until `signal` aborts; used by faults that hold a request forever. */
export async function waitForAbort(signal: AbortSignal): Promise<never> {
  let onAbort: (() => void) | undefined;
  try {
    await new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      onAbort = resolve;
      signal.addEventListener('abort', onAbort, { once: true });
    });
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
  throw new RequestCancelled();
}
