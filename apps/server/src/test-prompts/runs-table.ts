import type { TestPromptRun } from '@lookout/contracts';
import type Database from 'better-sqlite3';

/** Test-prompt runs kept for the dashboard's "earlier runs" list (the newest `KEPT_RUNS`). */
export const KEPT_RUNS = 200;

/** Migration: one row per run, the run as JSON (read back whole, never queried by field). */
export function createTestRunsTable(db: Database.Database): void {
  db.exec(`CREATE TABLE test_prompt_runs (
    run_id TEXT PRIMARY KEY,
    started_at_ms INTEGER NOT NULL,
    body TEXT NOT NULL
  );
  CREATE INDEX test_prompt_runs_by_time ON test_prompt_runs (started_at_ms DESC);`);
}

export class TestRunTable {
  private readonly upsert: Database.Statement<[string, number, string]>;
  private readonly prune: Database.Statement<[number]>;
  private readonly recent: Database.Statement<[number], { body: string }>;
  private readonly one: Database.Statement<[string], { body: string }>;

  constructor(db: Database.Database) {
    this.upsert = db.prepare(
      'INSERT INTO test_prompt_runs (run_id, started_at_ms, body) VALUES (?, ?, ?) ' +
        'ON CONFLICT (run_id) DO UPDATE SET body = excluded.body',
    );
    this.prune = db.prepare(
      'DELETE FROM test_prompt_runs WHERE run_id NOT IN ' +
        '(SELECT run_id FROM test_prompt_runs ORDER BY started_at_ms DESC LIMIT ?)',
    );
    this.recent = db.prepare('SELECT body FROM test_prompt_runs ORDER BY started_at_ms DESC LIMIT ?');
    this.one = db.prepare('SELECT body FROM test_prompt_runs WHERE run_id = ?');
  }

  save(run: TestPromptRun): void {
    this.upsert.run(run.runId, Date.parse(run.startedAt), JSON.stringify(run));
  }

  /** Keeps the newest `KEPT_RUNS`. */
  trim(): void {
    this.prune.run(KEPT_RUNS);
  }

  list(limit: number): TestPromptRun[] {
    return this.recent.all(limit).map((r) => JSON.parse(r.body) as TestPromptRun);
  }

  get(runId: string): TestPromptRun | undefined {
    const row = this.one.get(runId);
    return row ? (JSON.parse(row.body) as TestPromptRun) : undefined;
  }
}
