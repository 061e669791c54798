import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeFilePrivate, preparePrivateDataDir } from '../../data-dir/private-data-dir.ts';
import { createSqlStore } from '../sql/sql-store.ts';
import type { Store } from '../store.ts';
import { openSqliteDatabase } from './database.ts';
import { createSqliteSqlDatabase } from './sqlite-sql-database.ts';

export type SqliteStoreOptions = { dataDir: string } | { file: ':memory:' };

export const SQLITE_FILE_NAME = 'stepup.sqlite';

/**
 * Opens the single-node store: `dataDir/stepup.sqlite` (the directory private, the files 0600), or in
 * memory, with its schema brought up to date.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  let file: string;
  if ('dataDir' in options) {
    // It holds password hashes and signing keys: readable by the service user only, even in a folder
    // that existed before with looser rights (SQLite would create the files 0644 there).
    preparePrivateDataDir(options.dataDir);
    file = join(options.dataDir, SQLITE_FILE_NAME);
    for (const path of [file, `${file}-wal`, `${file}-shm`]) {
      if (path === file || existsSync(path)) makeFilePrivate(path);
    }
  } else {
    file = options.file;
  }
  const db = await openSqliteDatabase(file);
  return createSqlStore(createSqliteSqlDatabase(db));
}
