/** Why the store could not do what was asked; `code` is stable, `cause` keeps the SQLite error. */
export type StoreErrorCode =
  | 'STORE_OPEN_FAILED'
  | 'STORE_SCHEMA_TOO_NEW'
  | 'STORE_MIGRATION_FAILED'
  | 'STORE_CORRUPT_ROW';

export class StoreError extends Error {
  override readonly name = 'StoreError';

  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Type guard that also holds across copies of this module. */
export function isStoreError(error: unknown): error is StoreError {
  return (
    error instanceof Error && error.name === 'StoreError' && typeof (error as StoreError).code === 'string'
  );
}
