/** Test helper: counts of live timers and sockets, to prove a call leaves nothing behind. */

export interface ResourceCounts {
  timers: number;
  sockets: number;
}

/** Ref'd timers and TCP sockets alive in this process right now. */
export function liveResources(): ResourceCounts {
  const info = process.getActiveResourcesInfo();
  return {
    timers: info.filter((r) => r === 'Timeout').length,
    sockets: info.filter((r) => r === 'TCPSocketWrap').length,
  };
}

/**
 * The lowest counts seen over a short window: the test runner's own short-lived timers come and go,
 * while a leaked timer or socket stays, so it shows in every sample.
 */
export async function settledResources(windowMs = 100): Promise<ResourceCounts> {
  let low = liveResources();
  const until = performance.now() + windowMs;
  while (performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    const now = liveResources();
    low = { timers: Math.min(low.timers, now.timers), sockets: Math.min(low.sockets, now.sockets) };
  }
  return low;
}
