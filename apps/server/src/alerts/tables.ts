import type Database from 'better-sqlite3';
import { SEEDED_RULES } from './seed.ts';

/**
 * Migration 2: the alert tables, and the seeded rules (inserted here so that they are written once per
 * database: a seeded rule the team removed does not come back on the next start).
 *
 * - `rules`: one row per rule, the rule as validated JSON.
 * - `alert_states`: where each (rule, target, model) stands, so a restart neither forgets a firing
 *   alert nor pages it again; `rule` keeps the rule as last evaluated (to resolve a rule that vanished).
 * - `alert_events`: every transition; `seq` is the event id and the paging cursor.
 * - `webhooks`: webhooks added in the dashboard (those of `lookout.yaml` live in the config).
 * - `silences`: mutes until a time.
 * - `webhook_deliveries`: each notification to each webhook with its outcome; `queued` and
 *   `retrying` rows are resumed after a restart.
 */
export function createAlertTables(db: Database.Database): void {
  db.exec(`
    CREATE TABLE rules (
      id TEXT PRIMARY KEY,
      body TEXT NOT NULL,
      created_at_ms INTEGER NOT NULL,
      updated_at_ms INTEGER NOT NULL
    );
    CREATE TABLE alert_states (
      rule_id TEXT NOT NULL,
      target TEXT NOT NULL,
      model TEXT NOT NULL,
      state TEXT NOT NULL,
      since_ms INTEGER NOT NULL,
      value REAL,
      pending_since_ms INTEGER,
      incident_since_ms INTEGER,
      notified_at_ms INTEGER,
      rule TEXT NOT NULL,
      PRIMARY KEY (rule_id, target, model)
    ) WITHOUT ROWID;
    CREATE TABLE alert_events (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      rule_id TEXT NOT NULL,
      rule_name TEXT NOT NULL,
      metric TEXT NOT NULL,
      severity TEXT NOT NULL,
      target TEXT NOT NULL,
      model TEXT NOT NULL,
      from_state TEXT NOT NULL,
      to_state TEXT NOT NULL,
      value REAL,
      threshold REAL NOT NULL,
      at_ms INTEGER NOT NULL,
      duration_ms INTEGER
    );
    CREATE INDEX alert_events_by_rule ON alert_events (rule_id, seq);
    CREATE INDEX alert_events_by_target ON alert_events (target, seq);
    CREATE TABLE webhooks (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      url TEXT NOT NULL,
      kind TEXT NOT NULL,
      headers TEXT NOT NULL,
      created_at_ms INTEGER NOT NULL,
      updated_at_ms INTEGER NOT NULL
    );
    CREATE TABLE silences (
      id TEXT PRIMARY KEY,
      rule_id TEXT NOT NULL,
      target TEXT NOT NULL,
      model TEXT NOT NULL,
      until_ms INTEGER NOT NULL,
      reason TEXT NOT NULL,
      created_at_ms INTEGER NOT NULL
    );
    CREATE INDEX silences_by_rule ON silences (rule_id);
    CREATE TABLE webhook_deliveries (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      webhook_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      status TEXT NOT NULL,
      attempts INTEGER NOT NULL,
      last_http_status INTEGER,
      last_error_code TEXT,
      last_error TEXT,
      event_id TEXT,
      rule_id TEXT,
      target TEXT,
      model TEXT,
      payload TEXT NOT NULL,
      created_at_ms INTEGER NOT NULL,
      updated_at_ms INTEGER NOT NULL,
      next_attempt_at_ms INTEGER
    );
    CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, seq);
    CREATE INDEX webhook_deliveries_open ON webhook_deliveries (status) WHERE status IN ('queued', 'retrying');
  `);
  const insert = db.prepare<[string, string, number, number]>(
    'INSERT INTO rules (id, body, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?)',
  );
  const nowMs = Date.now();
  SEEDED_RULES.forEach((rule, i) => {
    insert.run(rule.id, JSON.stringify(rule), nowMs + i, nowMs + i);
  });
}
