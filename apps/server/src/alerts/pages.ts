import type { DeliveryKind } from '@lookout/contracts';
import type { AlertRecord, AlertTransition } from './types.ts';

/** A notification to send about one alert (to each of its rule's webhooks). */
export interface Page {
  readonly kind: Exclude<DeliveryKind, 'test'>;
  readonly record: AlertRecord;
  /** The transition behind a firing or resolved page (a repeat has none). */
  readonly transition?: AlertTransition;
  /** When the incident began firing. */
  readonly incidentSinceMs: number;
}

export interface PagePlan {
  readonly nowMs: number;
  /** Re-send a still-firing alert after this long without a page. */
  readonly repeatIntervalMs: number;
  /** When the silence muting this alert ends; undefined when none does. */
  readonly silencedUntil: (record: AlertRecord) => number | undefined;
}

/**
 * Decides the pages of one evaluation and marks them sent on the records (`notifiedAtMs`), so a
 * restart that reloads the records does not page again.
 *
 * - A firing alert is paged once, at the first evaluation it fires unsilenced (so an alert that fired
 *   during a silence is paged when the silence ends), then every `repeatIntervalMs` while it fires.
 * - A resolution is sent only for an incident that was paged, and always then (even silenced), so no
 *   receiver is left with a page that never closes.
 */
export function planPages(
  transitions: readonly AlertTransition[],
  records: Iterable<AlertRecord>,
  plan: PagePlan,
): Page[] {
  const pages: Page[] = [];
  const firingTransition = new Map<AlertRecord, AlertTransition>();
  for (const t of transitions) {
    if (t.resolvedIncidentSinceMs !== undefined) {
      if (t.record.notifiedAtMs !== null) {
        pages.push({
          kind: 'resolved',
          record: t.record,
          transition: t,
          incidentSinceMs: t.resolvedIncidentSinceMs,
        });
      }
      t.record.notifiedAtMs = null;
    }
    if (t.to === 'firing') firingTransition.set(t.record, t);
  }
  for (const record of records) {
    if (record.state !== 'firing' || record.incidentSinceMs === null) continue;
    if (plan.silencedUntil(record) !== undefined) continue;
    const last = record.notifiedAtMs;
    if (last !== null && plan.nowMs - last < plan.repeatIntervalMs) continue;
    const transition = firingTransition.get(record);
    pages.push({
      kind: last === null ? 'firing' : 'repeat',
      record,
      ...(transition && last === null ? { transition } : {}),
      incidentSinceMs: record.incidentSinceMs,
    });
    record.notifiedAtMs = plan.nowMs;
  }
  return pages;
}
