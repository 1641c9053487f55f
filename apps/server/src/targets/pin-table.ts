import type Database from 'better-sqlite3';

/** Migration 4: concurrency limits pinned by hand, kept across restarts. */
export function createPinnedLimitsTable(db: Database.Database): void {
  db.exec(`CREATE TABLE pinned_limits (
    target TEXT PRIMARY KEY,
    max_concurrent INTEGER NOT NULL CHECK (max_concurrent >= 1),
    pinned_at TEXT NOT NULL
  )`);
}

/** The `pinned_limits` table: at most one pinned limit per target name. */
export class PinnedLimitTable {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  all(): Map<string, number> {
    const rows = this.#db
      .prepare<[], { target: string; max_concurrent: number }>(
        'SELECT target, max_concurrent FROM pinned_limits',
      )
      .all();
    return new Map(rows.map((r) => [r.target, r.max_concurrent]));
  }

  pin(target: string, maxConcurrent: number, at: Date = new Date()): void {
    this.#db
      .prepare(
        `INSERT INTO pinned_limits (target, max_concurrent, pinned_at) VALUES (?, ?, ?)
         ON CONFLICT (target) DO UPDATE SET max_concurrent = excluded.max_concurrent, pinned_at = excluded.pinned_at`,
      )
      .run(target, maxConcurrent, at.toISOString());
  }

  unpin(target: string): void {
    this.#db.prepare('DELETE FROM pinned_limits WHERE target = ?').run(target);
  }
}
