import type Database from 'better-sqlite3';
import { createAlertTables } from '../alerts/tables.ts';
import { createPinnedLimitsTable } from '../targets/pin-table.ts';
import { createTestRunsTable } from '../test-prompts/runs-table.ts';
import { StoreError } from './errors.ts';
import { createRollupsTable } from './rollups.ts';

/** One step of the schema; `up` runs inside a transaction with the row recording it. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: (db: Database.Database) => void;
}

/**
 * The schema, oldest first. Append only: a released migration never changes, a new table or column
 * is a new entry with the next version (its SQL beside the code that uses the table).
 */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'rollups', up: createRollupsTable },
  { version: 2, name: 'alerts', up: createAlertTables },
  { version: 3, name: 'test_prompt_runs', up: createTestRunsTable },
  { version: 4, name: 'pinned_limits', up: createPinnedLimitsTable },
];

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

/**
 * Brings the schema up to the last of `migrations`, each in its own immediate transaction (so two
 * processes opening the same file apply each step once). Refuses a database whose schema is newer
 * than this code knows: it could not read it correctly, and writing would damage it.
 * Returns the schema version now in force.
 */
export function migrate(db: Database.Database, location: string, migrations = MIGRATIONS): number {
  checkOrder(migrations);
  const latest = migrations.at(-1)?.version ?? 0;
  db.exec(MIGRATIONS_TABLE);
  const currentVersion = db.prepare<[], { v: number | null }>(
    'SELECT max(version) AS v FROM schema_migrations',
  );
  const record = db.prepare<[number, string, string]>(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  const read = () => currentVersion.get()?.v ?? 0;
  const found = read();
  if (found > latest) {
    throw new StoreError(
      'STORE_SCHEMA_TOO_NEW',
      `the database at ${location} has schema version ${found}, newer than this Lookout knows (${latest}): ` +
        'a newer Lookout wrote it; run that version, or point LOOKOUT_DATA_DIR at another directory',
    );
  }
  for (const migration of migrations) {
    if (migration.version <= found) continue;
    const apply = db.transaction(() => {
      if (read() >= migration.version) return; // another process applied it meanwhile
      migration.up(db);
      record.run(migration.version, migration.name, new Date().toISOString());
    });
    try {
      apply.immediate();
    } catch (error) {
      throw new StoreError(
        'STORE_MIGRATION_FAILED',
        `migration ${migration.version} (${migration.name}) failed on ${location}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  return read();
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new RangeError(
        `migration "${m.name}" has version ${m.version}, expected ${i + 1}: versions run 1, 2, 3...`,
      );
    }
  });
}
