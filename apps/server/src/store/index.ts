/**
 * The embedded store: one SQLite file (better-sqlite3) in the data directory, its schema built by
 * numbered migrations. Tables: `rollups` (per-minute metrics for the history charts).
 */

export type { StoreErrorCode } from './errors.ts';
export { isStoreError, StoreError } from './errors.ts';
export type { Migration } from './migrations.ts';
export { MIGRATIONS, migrate } from './migrations.ts';
export type { Store, StoreOptions } from './open.ts';
export { DATABASE_FILE, openStore } from './open.ts';
export type { RollupCounts, RollupFilter, RollupRow, RollupSketch } from './rollups.ts';
export { COMPACTED_RUN_ID, MINUTE_SPAN_MS, RollupTable } from './rollups.ts';
export { decodeSketch, encodeSketch } from './sketch-blob.ts';
