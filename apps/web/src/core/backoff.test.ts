import { describe, expect, it } from 'vitest';
import { backoffDelayMs, DEFAULT_BACKOFF } from './backoff.ts';

describe('backoffDelayMs', () => {
  it('doubles the ceiling per attempt up to the maximum', () => {
    const top = () => 1;
    expect(backoffDelayMs(0, top)).toBe(1_000);
    expect(backoffDelayMs(1, top)).toBe(2_000);
    expect(backoffDelayMs(3, top)).toBe(8_000);
    expect(backoffDelayMs(5, top)).toBe(30_000);
    expect(backoffDelayMs(500, top)).toBe(30_000);
  });

  it('never goes below the minimum, whatever the jitter draws', () => {
    for (let attempt = 0; attempt < 8; attempt++) {
      expect(backoffDelayMs(attempt, () => 0)).toBe(DEFAULT_BACKOFF.minMs);
    }
  });

  it('spreads delays over the whole range (full jitter)', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 16_807) % 2_147_483_647;
      return seed / 2_147_483_647;
    };
    const delays = Array.from({ length: 400 }, () => backoffDelayMs(4, random));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(250);
    expect(Math.max(...delays)).toBeLessThanOrEqual(16_000);
    // Both halves of the range are used: not a fixed delay with a little noise.
    expect(delays.some((d) => d < 4_000)).toBe(true);
    expect(delays.some((d) => d > 12_000)).toBe(true);
  });
});
