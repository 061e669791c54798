import type Database from 'better-sqlite3';
import { StoreConflictError, StoreError } from '../errors.ts';

/**
 * Runs synchronous better-sqlite3 work behind the repositories' async contract, turning the failures
 * callers handle into `StoreError`s. Other errors (a broken foreign key, bad input) pass through.
 */
export async function runSqlite<T>(db: Database.Database, work: () => T): Promise<T> {
  if (!db.open) throw new StoreError('unavailable', 'the SQLite database is closed');
  try {
    return work();
  } catch (error) {
    throw translateSqliteError(error);
  }
}

function translateSqliteError(error: unknown): unknown {
  const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : '';
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new StoreConflictError('a record with the same unique value already exists', { cause: error });
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StoreError('unavailable', 'the SQLite database is locked by another writer', { cause: error });
  }
  return error;
}
