/**
 * The fixed schedule of an open-loop load: event `i` is due at `startAtMs + i * intervalMs`, whatever
 * happened to the earlier ones. Every due event is fired on each timer tick, so a late tick catches up
 * at once instead of shifting the schedule (that shift would hide a slow target: coordinated omission).
 */
export function runSchedule(
  count: number,
  intervalMs: number,
  startAtMs: number,
  fire: (index: number, scheduledAtMs: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (count === 0) {
      resolve();
      return;
    }
    let next = 0;
    const tick = (): void => {
      try {
        const now = performance.now();
        while (next < count && startAtMs + next * intervalMs <= now) {
          fire(next, startAtMs + next * intervalMs);
          next++;
        }
      } catch (error) {
        reject(error);
        return;
      }
      if (next >= count) {
        resolve();
        return;
      }
      // Timers fire at 1 ms granularity at best; lateness is counted in every latency, for every target alike.
      setTimeout(tick, Math.max(0, startAtMs + next * intervalMs - performance.now()));
    };
    setTimeout(tick, Math.max(0, startAtMs - performance.now()));
  });
}

/** Answers still missing this long after the last call of a schedule was sent count as errors. */
export const DRAIN_LIMIT_MS = 30_000;

/**
 * Starts `count` calls on the fixed schedule of `runSchedule`, then waits until every one has settled or
 * `DRAIN_LIMIT_MS` has passed. Each `call` counts its own answer or failure; its rejection is ignored.
 */
export async function runScheduledCalls(
  count: number,
  intervalMs: number,
  startAtMs: number,
  call: (scheduledAtMs: number) => Promise<void>,
): Promise<void> {
  let outstanding = 0;
  const settled = (): void => {
    outstanding--;
  };
  await runSchedule(count, intervalMs, startAtMs, (_index, scheduledAtMs) => {
    outstanding++;
    call(scheduledAtMs).then(settled, settled);
  });
  await waitUntil(() => outstanding === 0, DRAIN_LIMIT_MS);
}

/** Resolves once `isDone()` holds, checked every 5 ms, or after `limitMs` (then resolves false). */
export async function waitUntil(isDone: () => boolean, limitMs: number): Promise<boolean> {
  const deadline = performance.now() + limitMs;
  while (!isDone()) {
    if (performance.now() >= deadline) return false;
    await new Promise<void>((resolve) => {
      setTimeout(resolve, 5);
    });
  }
  return true;
}
