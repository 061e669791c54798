import type Database from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Distinct statements kept prepared; `IN (?, ?, …)` lists of every length would otherwise pile up. */
const CACHED_STATEMENTS = 256;

/**
 * The connection as Kysely's SQLite driver sees it, preparing each distinct SQL text once: Kysely
 * asks for a statement on every call, and parsing the SQL again would cost about as much as running
 * a lookup by key. Statements are never iterated (the store does not stream), so one can serve every
 * call with its text.
 */
export function cachingStatements(database: Database.Database): SqliteDatabase {
  const statements = new Map<string, Database.Statement>();
  return {
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        if (statements.size >= CACHED_STATEMENTS) {
          const oldest = statements.keys().next().value;
          if (oldest !== undefined) statements.delete(oldest);
        }
        statements.set(sql, statement);
      }
      return statement;
    },
    close() {
      database.close();
    },
  };
}
