import type { AlertStateName, Rule } from '@lookout/contracts';
import { AlertStateNameSchema, RuleSchema } from '@lookout/contracts';
import type Database from 'better-sqlite3';
import type { AlertRecord } from './types.ts';
import { alertKey } from './types.ts';

interface StateRow {
  rule_id: string;
  target: string;
  model: string;
  state: string;
  since_ms: number;
  value: number | null;
  pending_since_ms: number | null;
  incident_since_ms: number | null;
  notified_at_ms: number | null;
  rule: string;
}

type StateParams = [
  string,
  string,
  string,
  AlertStateName,
  number,
  number | null,
  number | null,
  number | null,
  number | null,
  string,
];

/**
 * The `alert_states` table: the evaluator's records, so a restart resumes where the last process
 * stood. `sync` writes only the records whose state changed (not every value update: values are
 * recomputed at the first evaluation anyway).
 */
export class AlertStateTable {
  private readonly selectAll: Database.Statement<[], StateRow>;
  private readonly upsert: Database.Statement<StateParams>;
  private readonly deleteRow: Database.Statement<[string, string, string]>;
  private readonly deleteAll: Database.Statement<[]>;
  /** Set after a failed write: the next `sync` rewrites the whole table. */
  private rewrite = false;
  /** What each stored row holds, by alert key, to skip writes that would change nothing. */
  private readonly stored = new Map<string, string>();

  constructor(db: Database.Database) {
    this.selectAll = db.prepare('SELECT * FROM alert_states');
    this.upsert = db.prepare(
      `INSERT INTO alert_states (rule_id, target, model, state, since_ms, value, pending_since_ms,
         incident_since_ms, notified_at_ms, rule)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (rule_id, target, model) DO UPDATE SET state = excluded.state,
         since_ms = excluded.since_ms, value = excluded.value, pending_since_ms = excluded.pending_since_ms,
         incident_since_ms = excluded.incident_since_ms, notified_at_ms = excluded.notified_at_ms,
         rule = excluded.rule`,
    );
    this.deleteRow = db.prepare('DELETE FROM alert_states WHERE rule_id = ? AND target = ? AND model = ?');
    this.deleteAll = db.prepare('DELETE FROM alert_states');
  }

  /** The saved records; rows that no longer parse are skipped and named in `onCorrupt`. */
  load(onCorrupt: (message: string) => void = () => {}): AlertRecord[] {
    const records: AlertRecord[] = [];
    for (const row of this.selectAll.all()) {
      const state = AlertStateNameSchema.safeParse(row.state);
      let rule: Rule | undefined;
      try {
        rule = RuleSchema.parse(JSON.parse(row.rule));
      } catch {
        rule = undefined;
      }
      if (!state.success || !rule) {
        onCorrupt(`alert state of rule ${row.rule_id} on ${row.target}/${row.model} is unreadable; dropped`);
        continue;
      }
      const record: AlertRecord = {
        ruleId: row.rule_id,
        scope: { target: row.target, model: row.model },
        rule,
        state: state.data,
        sinceMs: row.since_ms,
        value: row.value,
        pendingSinceMs: row.pending_since_ms,
        incidentSinceMs: row.incident_since_ms,
        notifiedAtMs: row.notified_at_ms,
      };
      this.stored.set(alertKey(record.ruleId, record.scope), fingerprint(record));
      records.push(record);
    }
    return records;
  }

  /** Makes the table hold exactly `records`: changed ones written, gone ones deleted. */
  sync(records: readonly AlertRecord[]): void {
    if (this.rewrite) {
      this.deleteAll.run();
      this.stored.clear();
      this.rewrite = false;
    }
    const present = new Set<string>();
    for (const r of records) {
      const key = alertKey(r.ruleId, r.scope);
      present.add(key);
      const print = fingerprint(r);
      if (this.stored.get(key) === print) continue;
      this.upsert.run(
        r.ruleId,
        r.scope.target,
        r.scope.model,
        r.state,
        r.sinceMs,
        r.value,
        r.pendingSinceMs,
        r.incidentSinceMs,
        r.notifiedAtMs,
        JSON.stringify(r.rule),
      );
      this.stored.set(key, print);
    }
    for (const key of [...this.stored.keys()]) {
      if (present.has(key)) continue;
      const [ruleId = '', target = '', model = ''] = key.split('\u0000');
      this.deleteRow.run(ruleId, target, model);
      this.stored.delete(key);
    }
  }

  /** After a transaction around `sync` failed: what was written is unknown, so rewrite it all next time. */
  invalidate(): void {
    this.rewrite = true;
  }
}

function fingerprint(r: AlertRecord): string {
  return JSON.stringify([r.state, r.sinceMs, r.pendingSinceMs, r.incidentSinceMs, r.notifiedAtMs, r.rule]);
}
