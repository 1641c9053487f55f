import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatBytes,
  formatClock,
  formatCount,
  formatDurationMs,
  formatMs,
  formatPercent,
  formatTokensPerSec,
  NO_VALUE,
} from './format.ts';

describe('formatMs', () => {
  it('picks the unit and precision by magnitude', () => {
    expect(formatMs(0.42)).toBe('0.42 ms');
    expect(formatMs(8.44)).toBe('8.4 ms');
    expect(formatMs(412.4)).toBe('412 ms');
    expect(formatMs(999.4)).toBe('999 ms');
    expect(formatMs(999.6)).toBe('1.00 s');
    expect(formatMs(4123)).toBe('4.12 s');
    expect(formatMs(41_240)).toBe('41.2 s');
    expect(formatMs(60_000)).toBe('60.0 s');
    expect(formatMs(725_000)).toBe('12 m 05 s');
    expect(formatMs(7_380_000)).toBe('2 h 03 m');
  });

  it('shows a dash for no value', () => {
    expect(formatMs(null)).toBe(NO_VALUE);
    expect(formatMs(undefined)).toBe(NO_VALUE);
    expect(formatMs(Number.NaN)).toBe(NO_VALUE);
  });
});

describe('formatDurationMs', () => {
  it('reads as minutes and seconds, hours and minutes, days and hours', () => {
    expect(formatDurationMs(400)).toBe('0 s');
    expect(formatDurationMs(45_000)).toBe('45 s');
    expect(formatDurationMs(65_000)).toBe('1 m 05 s');
    expect(formatDurationMs(3_600_000 + 60_000 * 3)).toBe('1 h 03 m');
    expect(formatDurationMs(86_400_000 * 3 + 3_600_000 * 4)).toBe('3 d 4 h');
  });
});

describe('counts, rates, sizes', () => {
  it('formats counts with separators', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(12_345)).toBe('12,345');
    expect(formatCount(null)).toBe(NO_VALUE);
  });

  it('formats fractions as percentages without noise', () => {
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.0042)).toBe('0.42%');
    expect(formatPercent(0.125)).toBe('12.5%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(null)).toBe(NO_VALUE);
  });

  it('formats tokens per second', () => {
    expect(formatTokensPerSec(0.854)).toBe('0.85 tok/s');
    expect(formatTokensPerSec(42.14)).toBe('42.1 tok/s');
    expect(formatTokensPerSec(1204.2)).toBe('1,204 tok/s');
  });

  it('formats bytes in decimal units like Ollama', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1_234)).toBe('1.2 kB');
    expect(formatBytes(4_700_000_000)).toBe('4.7 GB');
    expect(formatBytes(123_400_000)).toBe('123 MB');
  });
});

describe('times', () => {
  it('formats a clock time with two digits per field', () => {
    const at = new Date(2025, 10, 22, 4, 3, 9);
    expect(formatClock(at)).toBe('04:03:09');
    expect(formatClock('not a time')).toBe(NO_VALUE);
  });

  it('says how long ago', () => {
    expect(formatAgo(10_000, 10_500)).toBe('just now');
    expect(formatAgo(0, 42_000)).toBe('42 s ago');
    expect(formatAgo(0, 5 * 60_000)).toBe('5 m ago');
    expect(formatAgo(0, 3 * 3_600_000)).toBe('3 h ago');
  });
});
