import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isStoreError, StoreError } from './errors.ts';
import type { Migration } from './migrations.ts';
import { MIGRATIONS, migrate } from './migrations.ts';
import { RollupTable } from './rollups.ts';

/** The database file inside the data directory. */
export const DATABASE_FILE = 'lookout.db';

export interface StoreOptions {
  /** How long a statement waits for another process's lock before failing (default 5000). */
  readonly busyTimeoutMs?: number;
  /** The schema steps (default `MIGRATIONS`); tests pass others. */
  readonly migrations?: readonly Migration[];
}

/** Lookout's embedded database: one SQLite file, its schema migrated on open. */
export interface Store {
  /** The database file, or `:memory:`. */
  readonly location: string;
  readonly schemaVersion: number;
  /** For tables added by later migrations; prefer a table class beside its migration. */
  readonly db: Database.Database;
  readonly rollups: RollupTable;
  /** Closes the database (idempotent); the store must not be used afterwards. */
  close(): void;
}

/**
 * Opens (creating it and its directory if needed) `<dataDir>/lookout.db`, or an in-memory database
 * for `':memory:'`, and migrates it. Throws `StoreError` (`STORE_OPEN_FAILED`, `STORE_SCHEMA_TOO_NEW`,
 * `STORE_MIGRATION_FAILED`) with a message naming the file.
 *
 * WAL lets the dashboard read while the rollup job writes; `synchronous=NORMAL` is safe with WAL (a
 * power cut can lose the last transactions, never corrupt the file) and spares an fsync per write.
 */
export function openStore(dataDir: string, options: StoreOptions = {}): Store {
  const location = dataDir === ':memory:' ? dataDir : join(dataDir, DATABASE_FILE);
  let db: Database.Database | undefined;
  try {
    if (location !== ':memory:') mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    db = new Database(location);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    db.pragma('foreign_keys = ON');
    const schemaVersion = migrate(db, location, options.migrations ?? MIGRATIONS);
    const opened = db;
    return {
      location,
      schemaVersion,
      db: opened,
      rollups: new RollupTable(opened),
      close() {
        if (!opened.open) return;
        opened.pragma('optimize');
        opened.close();
      },
    };
  } catch (error) {
    db?.close();
    if (isStoreError(error)) throw error;
    throw new StoreError(
      'STORE_OPEN_FAILED',
      `cannot open the database at ${location}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
