import type {
  AlertEvent,
  AlertEventPage,
  AlertEventQuery,
  AlertStateName,
  RuleMetric,
  RuleSeverity,
} from '@lookout/contracts';
import type Database from 'better-sqlite3';

interface EventRow {
  seq: number;
  rule_id: string;
  rule_name: string;
  metric: string;
  severity: string;
  target: string;
  model: string;
  from_state: string;
  to_state: string;
  value: number | null;
  threshold: number;
  at_ms: number;
  duration_ms: number | null;
}

/** An event before it has an id. */
export type NewAlertEvent = Omit<AlertEvent, 'id' | 'at'> & { readonly atMs: number };

/** The `alert_events` table: every transition, newest first when read, `seq` as id and cursor. */
export class AlertEventTable {
  private readonly insertRow: Database.Statement<
    [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      number | null,
      number,
      number,
      number | null,
    ]
  >;
  private readonly pruneRows: Database.Statement<[number]>;

  constructor(private readonly db: Database.Database) {
    this.insertRow = db.prepare(
      `INSERT INTO alert_events (rule_id, rule_name, metric, severity, target, model, from_state, to_state,
         value, threshold, at_ms, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.pruneRows = db.prepare(
      'DELETE FROM alert_events WHERE seq <= (SELECT max(seq) FROM alert_events) - ?',
    );
  }

  /** Stores one event; returns it with its id. */
  insert(event: NewAlertEvent): AlertEvent {
    const info = this.insertRow.run(
      event.ruleId,
      event.ruleName,
      event.metric,
      event.severity,
      event.scope.target,
      event.scope.model,
      event.from,
      event.to,
      event.value,
      event.threshold,
      event.atMs,
      event.durationMs ?? null,
    );
    return toEvent({ id: String(info.lastInsertRowid), ...event });
  }

  /** One page, newest first, with the cursor of the next page when there is one. */
  page(query: AlertEventQuery): AlertEventPage {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const add = (clause: string, value: string | number | undefined) => {
      if (value === undefined) return;
      where.push(clause);
      params.push(value);
    };
    add('seq < ?', query.before === undefined ? undefined : Number(query.before));
    add('rule_id = ?', query.rule);
    add('target = ?', query.target);
    add('model = ?', query.model);
    add('to_state = ?', query.state);
    add('severity = ?', query.severity);
    const sql = `SELECT * FROM alert_events ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY seq DESC LIMIT ?`;
    const rows = this.db.prepare<(string | number)[], EventRow>(sql).all(...params, query.limit + 1);
    const more = rows.length > query.limit;
    const events = rows.slice(0, query.limit).map(fromRow);
    return { events, nextBefore: more ? (events.at(-1)?.id ?? null) : null };
  }

  /** Keeps the newest `keep` events. */
  prune(keep: number): number {
    return this.pruneRows.run(keep).changes;
  }
}

function toEvent(e: NewAlertEvent & { id: string }): AlertEvent {
  const event: AlertEvent = {
    id: e.id,
    ruleId: e.ruleId,
    ruleName: e.ruleName,
    metric: e.metric,
    severity: e.severity,
    scope: { target: e.scope.target, model: e.scope.model },
    from: e.from,
    to: e.to,
    value: e.value,
    threshold: e.threshold,
    at: new Date(e.atMs).toISOString(),
  };
  if (e.durationMs !== undefined) event.durationMs = e.durationMs;
  return event;
}

function fromRow(row: EventRow): AlertEvent {
  return toEvent({
    id: String(row.seq),
    ruleId: row.rule_id,
    ruleName: row.rule_name,
    metric: row.metric as RuleMetric,
    severity: row.severity as RuleSeverity,
    scope: { target: row.target, model: row.model },
    from: row.from_state as AlertStateName,
    to: row.to_state as AlertStateName,
    value: row.value,
    threshold: row.threshold,
    atMs: row.at_ms,
    ...(row.duration_ms === null ? {} : { durationMs: row.duration_ms }),
  });
}
