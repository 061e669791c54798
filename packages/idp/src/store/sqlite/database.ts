import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { migrateStore } from '../sql/migrations/migrate-store.ts';

/** Opens (creating if needed) a SQLite database and brings its schema up to date. */
export async function openSqliteDatabase(file: string): Promise<Database.Database> {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // A value replaced or deleted leaves no copy in the freed space of its page (a key set sealed in
    // place, a bearer id rewritten under its hash); FAST does it without extra writes to the file.
    db.pragma('secure_delete = FAST');
    // Not destroyed afterwards: that would close the database the repositories use.
    await migrateStore(new Kysely<unknown>({ dialect: new SqliteDialect({ database: db }) }), 'sqlite');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
