import type { AlertScope, AlertStateName, Rule, Snapshot, WindowName } from '@lookout/contracts';
import type { MetricReading } from './metric-values.ts';
import { INSTANT_METRICS, readRule } from './metric-values.ts';
import type { AlertRecord, AlertTransition } from './types.ts';
import { alertKey } from './types.ts';

const WINDOW_MS: Readonly<Record<WindowName, number>> = { '1m': 60_000, '5m': 300_000, '15m': 900_000 };

export interface AlertEvaluatorOptions {
  /**
   * When this process began counting (epoch ms). Metrics windows live in memory, so a window that
   * began before it is incomplete: it can raise an alert, but it cannot resolve an incident restored
   * from a previous process (an empty window right after a restart is not a recovery).
   */
  readonly startedAtMs: number;
  /** States saved by a previous process. */
  readonly records?: Iterable<AlertRecord>;
}

/**
 * The alert state machine, one per process: pure and deterministic, time comes in as an argument.
 *
 * Per rule and scope: `ok -> pending` when the condition holds, `pending -> firing` once it has held
 * `forSec`, `firing -> ok` once the value is past `recoverThreshold` (or no longer past `threshold`
 * when none is set), and `no_data` from any state when fewer than `minSamples` calls back the value.
 * A rule that changes what it measures (metric, op or window), is disabled or removed, or a scope that
 * is no longer covered, ends its alerts (a firing one resolves, with value null).
 */
export class AlertEvaluator {
  private rules: readonly Rule[] = [];
  private readonly records = new Map<string, AlertRecord>();
  private readonly startedAtMs: number;

  constructor(options: AlertEvaluatorOptions) {
    this.startedAtMs = options.startedAtMs;
    for (const record of options.records ?? [])
      this.records.set(alertKey(record.ruleId, record.scope), record);
  }

  /** The rules to evaluate from now on, in the order their alerts are listed. */
  setRules(rules: readonly Rule[]): void {
    this.rules = rules;
  }

  /** Every current alert, in rule order, then target and model. */
  list(): AlertRecord[] {
    const order = new Map(this.rules.map((r, i) => [r.id, i]));
    return [...this.records.values()].sort(
      (a, b) =>
        (order.get(a.ruleId) ?? Number.MAX_SAFE_INTEGER) - (order.get(b.ruleId) ?? Number.MAX_SAFE_INTEGER) ||
        a.scope.target.localeCompare(b.scope.target) ||
        a.scope.model.localeCompare(b.scope.model),
    );
  }

  /** Runs every enabled rule on `snapshot` at `nowMs` (epoch ms); returns the changes, in order. */
  evaluate(snapshot: Snapshot, nowMs: number): AlertTransition[] {
    const transitions: AlertTransition[] = [];
    const seen = new Set<string>();
    for (const rule of this.rules) {
      if (!rule.enabled) continue;
      const complete = INSTANT_METRICS.has(rule.metric) || nowMs - this.startedAtMs >= WINDOW_MS[rule.window];
      for (const { scope, reading } of readRule(rule, snapshot)) {
        const key = alertKey(rule.id, scope);
        if (seen.has(key)) continue;
        seen.add(key);
        let record = this.records.get(key);
        if (record && measuresOtherThing(record.rule, rule)) {
          this.end(record, nowMs, transitions);
          record = undefined;
        }
        if (!record) {
          record = newRecord(rule, scope, nowMs);
          this.records.set(key, record);
        }
        // An incident this process saw begin can resolve on what this process counted; one restored
        // from before the start waits for a window this process has wholly seen.
        const canResolve =
          complete || (record.incidentSinceMs !== null && record.incidentSinceMs >= this.startedAtMs);
        const change = step(record, rule, reading, nowMs, canResolve);
        if (change) transitions.push(change);
      }
    }
    for (const [key, record] of this.records) {
      if (!seen.has(key)) this.end(record, nowMs, transitions);
    }
    return transitions;
  }

  /** Drops an alert no rule covers any more; a firing one resolves. */
  private end(record: AlertRecord, nowMs: number, transitions: AlertTransition[]): void {
    this.records.delete(alertKey(record.ruleId, record.scope));
    if (record.incidentSinceMs === null) return;
    const incidentSinceMs = record.incidentSinceMs;
    const from = record.state;
    record.value = null;
    Object.assign(record, { state: 'ok', sinceMs: nowMs, incidentSinceMs: null, pendingSinceMs: null });
    transitions.push(transition(record, from, nowMs, recoveryThreshold(record.rule), incidentSinceMs));
  }
}

function newRecord(rule: Rule, scope: AlertScope, nowMs: number): AlertRecord {
  return {
    ruleId: rule.id,
    scope,
    rule,
    state: 'ok',
    sinceMs: nowMs,
    value: null,
    pendingSinceMs: null,
    incidentSinceMs: null,
    notifiedAtMs: null,
  };
}

/** One evaluation of one alert; returns the change, if any. */
function step(
  record: AlertRecord,
  rule: Rule,
  reading: MetricReading,
  nowMs: number,
  windowComplete: boolean,
): AlertTransition | undefined {
  record.rule = rule;
  record.value = reading.value;
  const from = record.state;
  const move = (to: AlertStateName, threshold = rule.threshold, incidentSinceMs?: number) => {
    if (from === to) return undefined;
    record.state = to;
    record.sinceMs = nowMs;
    return transition(record, from, nowMs, threshold, incidentSinceMs);
  };

  if (reading.value === null || reading.samples < rule.minSamples) {
    record.pendingSinceMs = null;
    return move('no_data');
  }
  const value = reading.value;
  if (record.incidentSinceMs !== null) {
    if (!windowComplete || !recovered(rule, value)) return move('firing');
    const incidentSinceMs = record.incidentSinceMs;
    record.incidentSinceMs = null;
    return move('ok', recoveryThreshold(rule), incidentSinceMs);
  }
  if (!breaches(rule, value)) {
    record.pendingSinceMs = null;
    return move('ok');
  }
  record.pendingSinceMs ??= nowMs;
  if (nowMs - record.pendingSinceMs < rule.forSec * 1000) return move('pending');
  record.pendingSinceMs = null;
  record.incidentSinceMs = nowMs;
  return move('firing');
}

function transition(
  record: AlertRecord,
  from: AlertStateName,
  atMs: number,
  threshold: number,
  resolvedIncidentSinceMs: number | undefined,
): AlertTransition {
  return {
    record,
    rule: record.rule,
    from,
    to: record.state,
    value: record.value,
    threshold,
    atMs,
    ...(resolvedIncidentSinceMs === undefined ? {} : { resolvedIncidentSinceMs }),
  };
}

/** The condition: the value is past the threshold. */
export function breaches(rule: Rule, value: number): boolean {
  return rule.op === '>' ? value > rule.threshold : value < rule.threshold;
}

/** A firing alert recovers once the value is back to `recoverThreshold` (inclusive), or past `threshold`. */
export function recovered(rule: Rule, value: number): boolean {
  const limit = recoveryThreshold(rule);
  return rule.op === '>' ? value <= limit : value >= limit;
}

function recoveryThreshold(rule: Rule): number {
  return rule.recoverThreshold ?? rule.threshold;
}

/** An edit that changes what the alert measures starts its alerts afresh. */
function measuresOtherThing(before: Rule, after: Rule): boolean {
  return before.metric !== after.metric || before.op !== after.op || before.window !== after.window;
}
