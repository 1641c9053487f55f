import { monitorEventLoopDelay } from 'node:perf_hooks';

const RESOLUTION_MS = 10;

/**
 * Measures how long this process's event loop ran late while a cell ran (the sum, over 10 ms ticks,
 * of each tick's delay past its due time). The relay, the simulators and the client share this loop,
 * so a busy machine delays all their timers by this much; time bounds add it to their margin, which
 * keeps them strict on a quiet machine without failing on a loaded one.
 */
export function startStallMeter(): { stop(): number } {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  return {
    stop() {
      histogram.disable();
      if (histogram.count === 0) return 0;
      return Math.max(0, ((histogram.mean - RESOLUTION_MS * 1e6) * histogram.count) / 1e6);
    },
  };
}
