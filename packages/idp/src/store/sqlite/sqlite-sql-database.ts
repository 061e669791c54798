import type Database from 'better-sqlite3';
import { type CompiledQuery, type QueryResult, SqliteDialect } from 'kysely';
import { createSqlDatabase, type SqlDatabase } from '../sql/sql-database.ts';
import { sqliteDialect } from '../sql/sql-dialect.ts';
import { cachingStatements } from './sqlite-statement-cache.ts';
import { translateSqliteError } from './translate-sqlite-error.ts';

/**
 * The store's SQL database over one open SQLite connection, which it then owns. Kysely's SQLite
 * driver lends that connection to one caller at a time, so a transaction runs alone from `BEGIN` to
 * `COMMIT` while other calls wait their turn.
 */
export function createSqliteSqlDatabase(database: Database.Database): SqlDatabase {
  const statements = cachingStatements(database);
  return createSqlDatabase({
    kyselyDialect: new SqliteDialect({ database: statements }),
    runAtOnce<Row>({ sql, parameters }: CompiledQuery): QueryResult<Row> {
      // The same statement and the same result as Kysely's SQLite driver gives.
      const statement = statements.prepare(sql);
      if (statement.reader) return { rows: statement.all(parameters) as Row[] };
      const { changes } = statement.run(parameters);
      return { numAffectedRows: BigInt(changes), rows: [] };
    },
    dialect: sqliteDialect,
    translateError: translateSqliteError,
    close() {
      if (database.open) database.close();
    },
  });
}
