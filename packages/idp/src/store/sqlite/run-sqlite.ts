import type Database from 'better-sqlite3';
import { StoreError } from '../errors.ts';
import { translateSqliteError } from './translate-sqlite-error.ts';

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
