import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDataDir } from '../history/history-fixture.ts';
import { isStoreError, type StoreError } from './errors.ts';
import type { Migration } from './migrations.ts';
import { MIGRATIONS } from './migrations.ts';
import { DATABASE_FILE, openStore } from './open.ts';

let data: ReturnType<typeof tempDataDir>;
beforeEach(() => {
  data = tempDataDir();
});
afterEach(() => data.remove());

function appliedVersions(file: string): { version: number; name: string }[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as {
      version: number;
      name: string;
    }[];
  } finally {
    db.close();
  }
}

function openError(fn: () => unknown): StoreError {
  try {
    fn();
  } catch (error) {
    if (isStoreError(error)) return error;
    throw error;
  }
  throw new Error('expected a StoreError');
}

const extraTable: Migration = {
  version: MIGRATIONS.length + 1,
  name: 'alert_rules',
  up: (db) => db.exec('CREATE TABLE alert_rules (id TEXT PRIMARY KEY)'),
};

describe('openStore', () => {
  it('creates the data dir and a WAL database migrated to the latest version', () => {
    const dir = join(data.dir, 'nested', 'data');
    const store = openStore(dir, { busyTimeoutMs: 1234 });
    try {
      expect(store.location).toBe(join(dir, DATABASE_FILE));
      expect(existsSync(store.location)).toBe(true);
      expect(store.schemaVersion).toBe(MIGRATIONS.length);
      expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(store.db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
      expect(store.db.pragma('busy_timeout', { simple: true })).toBe(1234);
    } finally {
      store.close();
    }
    expect(appliedVersions(join(dir, DATABASE_FILE))).toEqual(
      MIGRATIONS.map((m) => ({ version: m.version, name: m.name })),
    );
  });

  it('is idempotent: reopening, or opening from two handles at once, applies each migration once', () => {
    const first = openStore(data.dir);
    const second = openStore(data.dir);
    second.close();
    first.close();
    first.close(); // closing twice is harmless
    const third = openStore(data.dir);
    expect(third.schemaVersion).toBe(MIGRATIONS.length);
    third.close();
    expect(appliedVersions(join(data.dir, DATABASE_FILE))).toHaveLength(MIGRATIONS.length);
  });

  it('applies only the new migrations to an older database, keeping its rows', () => {
    const old = openStore(data.dir);
    old.db
      .prepare(
        "INSERT INTO rollups VALUES (0, 'gpu-1', 'm', 'app', 1, 60000, 3, '{\"ok\":3}', NULL, NULL, NULL, NULL)",
      )
      .run();
    old.close();
    const newer = openStore(data.dir, { migrations: [...MIGRATIONS, extraTable] });
    try {
      expect(newer.schemaVersion).toBe(extraTable.version);
      expect(newer.db.prepare('SELECT count(*) AS n FROM rollups').get()).toEqual({ n: 1 });
      expect(newer.db.prepare('SELECT count(*) AS n FROM alert_rules').get()).toEqual({ n: 0 });
    } finally {
      newer.close();
    }
  });

  it('refuses a database written by a newer schema, naming the file and both versions', () => {
    openStore(data.dir, { migrations: [...MIGRATIONS, extraTable] }).close();
    const error = openError(() => openStore(data.dir));
    expect(error.code).toBe('STORE_SCHEMA_TOO_NEW');
    expect(error.message).toContain(join(data.dir, DATABASE_FILE));
    expect(error.message).toContain(
      `schema version ${extraTable.version}, newer than this Lookout knows (${MIGRATIONS.length})`,
    );
    // Nothing was changed: the newer code still opens it.
    openStore(data.dir, { migrations: [...MIGRATIONS, extraTable] }).close();
  });

  it('rolls a failing migration back whole and says which one failed', () => {
    const broken: Migration = {
      version: MIGRATIONS.length + 1,
      name: 'half_done',
      up: (db) => {
        db.exec('CREATE TABLE half_done (id INTEGER)');
        db.exec('CREATE TABLE half_done (id INTEGER)'); // fails: already exists
      },
    };
    const error = openError(() => openStore(data.dir, { migrations: [...MIGRATIONS, broken] }));
    expect(error.code).toBe('STORE_MIGRATION_FAILED');
    expect(error.message).toContain(`migration ${broken.version} (half_done) failed`);
    const store = openStore(data.dir);
    try {
      expect(store.schemaVersion).toBe(MIGRATIONS.length);
      const table = store.db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get();
      expect(table).toBeUndefined();
    } finally {
      store.close();
    }
  });

  it('rejects migrations that are not numbered 1, 2, 3...', () => {
    const skipped = { ...extraTable, version: MIGRATIONS.length + 2 };
    expect(() => openStore(data.dir, { migrations: [...MIGRATIONS, skipped] })).toThrow(
      /has version \d+, expected \d+/,
    );
  });

  it('reports a file that is not a database as STORE_OPEN_FAILED with its path', () => {
    writeFileSync(
      join(data.dir, DATABASE_FILE),
      'this is not sqlite, just text long enough to have a header'.repeat(20),
    );
    const error = openError(() => openStore(data.dir));
    expect(error.code).toBe('STORE_OPEN_FAILED');
    expect(error.message).toContain(join(data.dir, DATABASE_FILE));
  });

  it('opens an in-memory database for ":memory:"', () => {
    const store = openStore(':memory:');
    try {
      expect(store.location).toBe(':memory:');
      expect(store.schemaVersion).toBe(MIGRATIONS.length);
    } finally {
      store.close();
    }
  });
});
