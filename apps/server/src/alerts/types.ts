import type { AlertScope, AlertStateName, Rule } from '@lookout/contracts';

/**
 * Where one rule stands on one scope, with what the state machine needs to go on after a restart.
 * Times are wall-clock epoch milliseconds.
 *
 * An incident opens when the alert starts firing and closes when it recovers. It outlives data gaps:
 * a firing alert whose data goes away moves to `no_data` with its incident still open, and when the
 * data comes back it is either still firing (the same incident, no new page) or resolved.
 */
export interface AlertRecord {
  readonly ruleId: string;
  readonly scope: AlertScope;
  /** The rule as last evaluated (a removed rule's alerts still resolve with its name and webhooks). */
  rule: Rule;
  state: AlertStateName;
  sinceMs: number;
  value: number | null;
  /** When the condition became true, while waiting `forSec`. */
  pendingSinceMs: number | null;
  /** When the open incident began firing; null when none is open. */
  incidentSinceMs: number | null;
  /** Last firing or repeat notification of the open incident; null when none was sent. */
  notifiedAtMs: number | null;
}

/** One change of state, as the evaluator found it. */
export interface AlertTransition {
  /** The record after the change (for a vanished alert, its last version). */
  readonly record: AlertRecord;
  readonly rule: Rule;
  readonly from: AlertStateName;
  readonly to: AlertStateName;
  readonly value: number | null;
  /** The threshold crossed: `recoverThreshold ?? threshold` on a resolution, `threshold` otherwise. */
  readonly threshold: number;
  readonly atMs: number;
  /** Set when the change closes an incident: when it began firing. */
  readonly resolvedIncidentSinceMs?: number;
}

/** The key of an alert: rule and scope. */
export function alertKey(ruleId: string, scope: AlertScope): string {
  return `${ruleId}\u0000${scope.target}\u0000${scope.model}`;
}
