import type { Outcome, Window } from '@lookout/contracts';
import { CLIENT_SIDE_OUTCOMES, TIMEOUT_OUTCOMES } from '@lookout/contracts';

/**
 * The error rate of a window as the alert rules and history charts compute it:
 * `(requests - ok - client_abort - bad_request) / requests`; null without requests.
 */
export function errorRate(window: Window): number | null {
  if (window.requests === 0) return null;
  let notErrors = window.outcomes.ok ?? 0;
  for (const outcome of CLIENT_SIDE_OUTCOMES) notErrors += window.outcomes[outcome] ?? 0;
  return (window.requests - notErrors) / window.requests;
}

/** The calls counted as errors in `errorRate`. */
export function errorCount(window: Window): number {
  let notErrors = window.outcomes.ok ?? 0;
  for (const outcome of CLIENT_SIDE_OUTCOMES) notErrors += window.outcomes[outcome] ?? 0;
  return window.requests - notErrors;
}

export type TimeoutKind = (typeof TIMEOUT_OUTCOMES)[number];

/** Short labels of the four timeouts, in the order a call meets them. */
export const TIMEOUT_LABELS: Readonly<Record<TimeoutKind, string>> = {
  timeout_connect: 'connect',
  timeout_first_byte: 'first byte',
  timeout_idle: 'idle',
  timeout_total: 'total',
};

/** Each timeout kind with its count in the window. */
export function timeoutsByKind(window: Window): { kind: TimeoutKind; label: string; count: number }[] {
  return TIMEOUT_OUTCOMES.map((kind) => ({
    kind,
    label: TIMEOUT_LABELS[kind],
    count: window.outcomes[kind] ?? 0,
  }));
}

/** Outcomes other than ok and the timeouts that happened in the window, most frequent first. */
export function otherFailures(window: Window): { outcome: Outcome; count: number }[] {
  const skip = new Set<Outcome>(['ok', ...TIMEOUT_OUTCOMES]);
  return (Object.entries(window.outcomes) as [Outcome, number][])
    .filter(([outcome, count]) => !skip.has(outcome) && count > 0)
    .map(([outcome, count]) => ({ outcome, count }))
    .sort((a, b) => b.count - a.count);
}
