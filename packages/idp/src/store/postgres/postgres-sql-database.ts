import { PostgresDialect } from 'kysely';
import type pg from 'pg';
import { createSqlDatabase, type SqlDatabase } from '../sql/sql-database.ts';
import { postgresDialect } from '../sql/sql-dialect.ts';
import { translatePostgresError } from './translate-postgres-error.ts';

/** The store's SQL database over a pool of PostgreSQL connections, which it then owns. */
export function createPostgresSqlDatabase(pool: pg.Pool): SqlDatabase {
  return createSqlDatabase({
    kyselyDialect: new PostgresDialect({ pool }),
    dialect: postgresDialect,
    translateError: translatePostgresError,
    close: () => pool.end(),
  });
}
