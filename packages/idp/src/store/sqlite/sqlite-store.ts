import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createSqlStore } from '../sql/sql-store.ts';
import type { Store } from '../store.ts';
import { openSqliteDatabase } from './database.ts';
import { createSqliteSqlDatabase } from './sqlite-sql-database.ts';

export type SqliteStoreOptions = { dataDir: string } | { file: ':memory:' };

export const SQLITE_FILE_NAME = 'stepup.sqlite';

/**
 * Opens the single-node store: `dataDir/stepup.sqlite` (the directory is created 0700), or in memory,
 * with its schema brought up to date.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  let file: string;
  if ('dataDir' in options) {
    // It holds password hashes and signing keys: readable by the service user only.
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    file = join(options.dataDir, SQLITE_FILE_NAME);
  } else {
    file = options.file;
  }
  const db = await openSqliteDatabase(file);
  return createSqlStore(createSqliteSqlDatabase(db));
}
