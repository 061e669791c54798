import { type Dialect, Kysely } from 'kysely';
import type { SqlDialect } from './sql-dialect.ts';
import { StoreDriver, type TranslateError } from './store-driver.ts';
import type { StoreTables } from './store-tables.ts';

/**
 * What a SQL repository runs on, SQLite or PostgreSQL alike: the query builder over the store's
 * tables (its `transaction()` runs work on one connection, committed or rolled back whole), and the
 * few places where the engines differ.
 */
export interface SqlDatabase {
  readonly kysely: Kysely<StoreTables>;
  readonly dialect: SqlDialect;
  /** Closes the connection or pool; afterwards every call rejects with code `unavailable`. */
  close(): Promise<void>;
}

/** What an engine brings to a `SqlDatabase`. */
export interface SqlEngine {
  /** Kysely's dialect over the connection or pool the engine opened. */
  readonly kyselyDialect: Dialect;
  readonly dialect: SqlDialect;
  readonly translateError: TranslateError;
  /** Closes the connection or pool; called once. */
  close(): void | Promise<void>;
}

export function createSqlDatabase(engine: SqlEngine): SqlDatabase {
  let closed = false;
  const { kyselyDialect } = engine;
  const kysely = new Kysely<StoreTables>({
    dialect: {
      createAdapter: () => kyselyDialect.createAdapter(),
      createDriver: () => new StoreDriver(kyselyDialect.createDriver(), engine.translateError, () => closed),
      createIntrospector: (db) => kyselyDialect.createIntrospector(db),
      createQueryCompiler: () => kyselyDialect.createQueryCompiler(),
    },
  });
  return {
    kysely,
    dialect: engine.dialect,
    async close() {
      if (closed) return;
      closed = true;
      await engine.close();
    },
  };
}
