import type { Rule } from '@lookout/contracts';
import { RuleSchema } from '@lookout/contracts';
import type Database from 'better-sqlite3';

interface RuleRow {
  id: string;
  body: string;
}

/** A stored rule that no longer parses (hand-edited database): reported, never evaluated. */
export interface CorruptRule {
  readonly id: string;
  readonly message: string;
}

/** The `rules` table: rules as validated JSON, listed in creation order. */
export class RuleTable {
  private readonly selectAll: Database.Statement<[], RuleRow>;
  private readonly selectOne: Database.Statement<[string], RuleRow>;
  private readonly insertRow: Database.Statement<[string, string, number, number]>;
  private readonly updateRow: Database.Statement<[string, number, string]>;
  private readonly deleteRow: Database.Statement<[string]>;

  constructor(db: Database.Database) {
    this.selectAll = db.prepare('SELECT id, body FROM rules ORDER BY created_at_ms, id');
    this.selectOne = db.prepare('SELECT id, body FROM rules WHERE id = ?');
    this.insertRow = db.prepare(
      'INSERT INTO rules (id, body, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?)',
    );
    this.updateRow = db.prepare('UPDATE rules SET body = ?, updated_at_ms = ? WHERE id = ?');
    this.deleteRow = db.prepare('DELETE FROM rules WHERE id = ?');
  }

  /** Every rule that parses; the others go to `onCorrupt`. */
  list(onCorrupt: (corrupt: CorruptRule) => void = () => {}): Rule[] {
    const rules: Rule[] = [];
    for (const row of this.selectAll.all()) {
      const parsed = parseRule(row);
      if ('message' in parsed) onCorrupt(parsed);
      else rules.push(parsed.rule);
    }
    return rules;
  }

  get(id: string): Rule | undefined {
    const row = this.selectOne.get(id);
    if (!row) return undefined;
    const parsed = parseRule(row);
    return 'rule' in parsed ? parsed.rule : undefined;
  }

  has(id: string): boolean {
    return this.selectOne.get(id) !== undefined;
  }

  insert(rule: Rule, nowMs: number): void {
    this.insertRow.run(rule.id, JSON.stringify(rule), nowMs, nowMs);
  }

  /** Replaces a rule; false when there is none with its id. */
  update(rule: Rule, nowMs: number): boolean {
    return this.updateRow.run(JSON.stringify(rule), nowMs, rule.id).changes > 0;
  }

  delete(id: string): boolean {
    return this.deleteRow.run(id).changes > 0;
  }
}

function parseRule(row: RuleRow): { rule: Rule } | CorruptRule {
  let json: unknown;
  try {
    json = JSON.parse(row.body);
  } catch (error) {
    return { id: row.id, message: `rule ${row.id} is not JSON: ${(error as Error).message}` };
  }
  const result = RuleSchema.safeParse(json);
  if (!result.success) {
    return {
      id: row.id,
      message: `rule ${row.id} is invalid: ${result.error.issues[0]?.message ?? 'unknown'}`,
    };
  }
  return { rule: result.data };
}
