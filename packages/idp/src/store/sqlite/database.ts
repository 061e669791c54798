import Database from 'better-sqlite3';
import { migrations } from './migrations.ts';

/** Opens (creating if needed) a SQLite database and brings its schema up to date. */
export function openSqliteDatabase(file: string): Database.Database {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function migrate(db: Database.Database): void {
  const latest = migrations.length;
  const current = readUserVersion(db);
  if (current > latest) {
    throw new Error(`database schema version ${current} is newer than this build understands (${latest})`);
  }
  for (let version = current; version < latest; version++) {
    const step = migrations[version] ?? '';
    // IMMEDIATE takes the write lock first, so a second process starting at the same moment waits and
    // then sees the step already applied.
    db.transaction(() => {
      if (readUserVersion(db) > version) return;
      db.exec(step);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}

function readUserVersion(db: Database.Database): number {
  return Number(db.pragma('user_version', { simple: true }));
}
