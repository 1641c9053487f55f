/** Test helper: timing assertions that hold on a loaded machine. */
import { expect } from 'vitest';

/** Timers may fire late on a loaded 2-core machine, never early: this much late is still on time. */
export const LATE_MARGIN_MS = 250;

/** Asserts `actualMs` is `budgetMs`, at most 5 ms early (clock granularity) and under `LATE_MARGIN_MS` late. */
export function expectNear(actualMs: number, budgetMs: number): void {
  expect(actualMs).toBeGreaterThanOrEqual(budgetMs - 5);
  expect(actualMs).toBeLessThan(budgetMs + LATE_MARGIN_MS);
}
