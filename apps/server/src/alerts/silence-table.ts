import type { AlertScope, Silence, SilenceDraft } from '@lookout/contracts';
import type Database from 'better-sqlite3';

interface SilenceRow {
  id: string;
  rule_id: string;
  target: string;
  model: string;
  until_ms: number;
  reason: string;
  created_at_ms: number;
}

/** A silence as the evaluation loop matches it. */
export interface ActiveSilence {
  readonly ruleId: string;
  readonly target: string;
  readonly model: string;
  readonly untilMs: number;
}

/** The `silences` table. Expired silences are kept a while (they are history the team reads), then pruned. */
export class SilenceTable {
  private readonly selectAll: Database.Statement<[], SilenceRow>;
  private readonly selectOne: Database.Statement<[string], SilenceRow>;
  private readonly selectActive: Database.Statement<[number], SilenceRow>;
  private readonly insertRow: Database.Statement<[string, string, string, string, number, string, number]>;
  private readonly updateRow: Database.Statement<[string, string, string, number, string, string]>;
  private readonly deleteRow: Database.Statement<[string]>;
  private readonly deleteForRule: Database.Statement<[string]>;
  private readonly pruneRows: Database.Statement<[number]>;

  constructor(db: Database.Database) {
    this.selectAll = db.prepare('SELECT * FROM silences ORDER BY until_ms DESC, id');
    this.selectOne = db.prepare('SELECT * FROM silences WHERE id = ?');
    this.selectActive = db.prepare('SELECT * FROM silences WHERE until_ms > ?');
    this.insertRow = db.prepare(
      `INSERT INTO silences (id, rule_id, target, model, until_ms, reason, created_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.updateRow = db.prepare(
      'UPDATE silences SET rule_id = ?, target = ?, model = ?, until_ms = ?, reason = ? WHERE id = ?',
    );
    this.deleteRow = db.prepare('DELETE FROM silences WHERE id = ?');
    this.deleteForRule = db.prepare('DELETE FROM silences WHERE rule_id = ?');
    this.pruneRows = db.prepare('DELETE FROM silences WHERE until_ms < ?');
  }

  list(nowMs: number): Silence[] {
    return this.selectAll.all().map((row) => toSilence(row, nowMs));
  }

  get(id: string, nowMs: number): Silence | undefined {
    const row = this.selectOne.get(id);
    return row && toSilence(row, nowMs);
  }

  active(nowMs: number): ActiveSilence[] {
    return this.selectActive.all(nowMs).map((row) => ({
      ruleId: row.rule_id,
      target: row.target,
      model: row.model,
      untilMs: row.until_ms,
    }));
  }

  insert(id: string, draft: SilenceDraft, nowMs: number): void {
    const { ruleId, scope, reason } = draft;
    this.insertRow.run(id, ruleId, scope.target, scope.model, Date.parse(draft.until), reason, nowMs);
  }

  update(id: string, draft: SilenceDraft): boolean {
    const { ruleId, scope, reason } = draft;
    return (
      this.updateRow.run(ruleId, scope.target, scope.model, Date.parse(draft.until), reason, id).changes > 0
    );
  }

  delete(id: string): boolean {
    return this.deleteRow.run(id).changes > 0;
  }

  deleteRule(ruleId: string): void {
    this.deleteForRule.run(ruleId);
  }

  /** Drops silences that ended before `beforeMs`. */
  prune(beforeMs: number): number {
    return this.pruneRows.run(beforeMs).changes;
  }
}

/** When the latest of `silences` muting this alert ends; undefined when none does. */
export function silencedUntil(
  silences: readonly ActiveSilence[],
  ruleId: string,
  scope: AlertScope,
  nowMs: number,
): number | undefined {
  let until: number | undefined;
  for (const s of silences) {
    if (s.ruleId !== ruleId || s.untilMs <= nowMs) continue;
    if (s.target !== '*' && s.target !== scope.target) continue;
    if (s.model !== '*' && s.model !== scope.model) continue;
    until = Math.max(until ?? 0, s.untilMs);
  }
  return until;
}

function toSilence(row: SilenceRow, nowMs: number): Silence {
  return {
    id: row.id,
    ruleId: row.rule_id,
    scope: { target: row.target, model: row.model },
    until: new Date(row.until_ms).toISOString(),
    reason: row.reason,
    createdAt: new Date(row.created_at_ms).toISOString(),
    active: row.until_ms > nowMs,
  };
}
