import { StoreConflictError, StoreError } from '../errors.ts';

/**
 * Turns the failures callers handle into `StoreError`s: a unique violation is a conflict, a database
 * another writer holds locked past the busy timeout is `unavailable`. Other errors (a broken foreign
 * key, bad input) pass through unchanged.
 */
export function translateSqliteError(error: unknown): unknown {
  const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : '';
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new StoreConflictError('a record with the same unique value already exists', { cause: error });
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StoreError('unavailable', 'the SQLite database is locked by another writer', { cause: error });
  }
  return error;
}
