/**
 * How numbers read on screen. Every formatter takes the snapshot's raw number (or null when there is
 * none) and returns text; the raw number stays on the element as `data-value` so what is shown can be
 * checked against the snapshot exactly.
 */

/** Shown where a measure has no value (no samples in the window). */
export const NO_VALUE = '–';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function fixed(value: number, digits: number): string {
  return value.toFixed(digits);
}

/** Milliseconds: `0.42 ms`, `8.4 ms`, `412 ms`, `4.12 s`, `41.2 s`, `12 m 05 s`, `2 h 03 m`. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NO_VALUE;
  const abs = Math.abs(ms);
  if (ms === 0) return '0 ms';
  if (abs < 1) return `${fixed(ms, 2)} ms`;
  if (abs < 10) return `${fixed(ms, 1)} ms`;
  if (abs < 999.5) return `${fixed(ms, 0)} ms`;
  if (abs < 9_995) return `${fixed(ms / 1000, 2)} s`;
  if (abs < 99_950) return `${fixed(ms / 1000, 1)} s`;
  return formatDurationMs(ms);
}

/** A duration for people: `45 s`, `12 m 05 s`, `2 h 03 m`, `3 d 4 h`. Under a second: `0 s`. */
export function formatDurationMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NO_VALUE;
  const totalSec = Math.round(Math.abs(ms) / 1000);
  const sign = ms < 0 ? '-' : '';
  const d = Math.floor(totalSec / 86_400);
  const h = Math.floor((totalSec % 86_400) / 3600);
  const m = Math.floor((totalSec % 3600) / 60);
  const s = totalSec % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `${sign}${d} d ${h} h`;
  if (h > 0) return `${sign}${h} h ${pad(m)} m`;
  if (m > 0) return `${sign}${m} m ${pad(s)} s`;
  return `${sign}${s} s`;
}

/** A count with thousands separators: `12,345`. */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return NO_VALUE;
  return integer.format(n);
}

/** A fraction 0..1 as a percentage: `0%`, `0.42%`, `12.5%`, `100%`. */
export function formatPercent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return NO_VALUE;
  const pct = fraction * 100;
  if (pct === 0) return '0%';
  if (pct === 100) return '100%';
  if (Math.abs(pct) < 1) return `${fixed(pct, 2)}%`;
  return `${fixed(pct, 1)}%`;
}

/** Tokens per second: `42.1 tok/s`, `0.85 tok/s`, `1,204 tok/s`. */
export function formatTokensPerSec(rate: number | null | undefined): string {
  const text = formatRate(rate);
  return text === NO_VALUE ? text : `${text} tok/s`;
}

/** A rate without its unit: `0.85`, `42.1`, `1,204`. */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return NO_VALUE;
  if (rate < 1) return fixed(rate, 2);
  if (rate < 1000) return fixed(rate, 1);
  return integer.format(rate);
}

/** Bytes in decimal units, as Ollama prints sizes: `512 B`, `1.2 kB`, `4.7 GB`. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return NO_VALUE;
  const units = ['B', 'kB', 'MB', 'GB', 'TB'] as const;
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${fixed(value, digits)} ${units[unit]}`;
}

/** Wall-clock time of day in 24 h, local time: `14:03:22`. */
export function formatClock(at: number | string | Date): string {
  const date = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(date.getTime())) return NO_VALUE;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** Local date and time: `2025-11-22 14:03`. */
export function formatDateTime(at: number | string | Date): string {
  const date = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(date.getTime())) return NO_VALUE;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** How long ago, roughly: `just now`, `42 s ago`, `5 m ago`, `3 h ago`, `2 d ago`. */
export function formatAgo(atMs: number, nowMs: number): string {
  const sec = Math.max(0, Math.round((nowMs - atMs) / 1000));
  if (sec < 2) return 'just now';
  if (sec < 60) return `${sec} s ago`;
  if (sec < 3600) return `${Math.floor(sec / 60)} m ago`;
  if (sec < 86_400) return `${Math.floor(sec / 3600)} h ago`;
  return `${Math.floor(sec / 86_400)} d ago`;
}
