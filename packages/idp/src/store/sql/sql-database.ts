import { type CompiledQuery, type Dialect, Kysely, type QueryResult } from 'kysely';
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
  /**
   * Runs a compiled query outside any transaction (`prepared-query.ts`): on SQLite at once on the
   * connection when nothing else holds or awaits it, else through Kysely like any query.
   */
  runPrepared<Row>(query: CompiledQuery): Promise<QueryResult<Row>>;
  /** Closes the connection or pool; afterwards every call rejects with code `unavailable`. */
  close(): Promise<void>;
}

/** What an engine brings to a `SqlDatabase`. */
export interface SqlEngine {
  /** Kysely's dialect over the connection or pool the engine opened. */
  readonly kyselyDialect: Dialect;
  readonly dialect: SqlDialect;
  readonly translateError: TranslateError;
  /**
   * Runs a query synchronously on the connection, for an engine whose calls block (better-sqlite3):
   * its cost is then the statement's alone, without Kysely's checkout, turn-taking and mapping, which
   * cost several times a look-up by key. Called only while no connection is lent out, so it never
   * lands inside another caller's transaction.
   */
  runAtOnce?<Row>(query: CompiledQuery): QueryResult<Row>;
  /** Closes the connection or pool; called once. */
  close(): void | Promise<void>;
}

export function createSqlDatabase(engine: SqlEngine): SqlDatabase {
  let closed = false;
  const { kyselyDialect, runAtOnce } = engine;
  let driver: StoreDriver | undefined;
  const kysely = new Kysely<StoreTables>({
    dialect: {
      createAdapter: () => kyselyDialect.createAdapter(),
      createDriver: () => {
        driver = new StoreDriver(kyselyDialect.createDriver(), engine.translateError, () => closed);
        return driver;
      },
      createIntrospector: (db) => kyselyDialect.createIntrospector(db),
      createQueryCompiler: () => kyselyDialect.createQueryCompiler(),
    },
  });
  return {
    kysely,
    dialect: engine.dialect,
    async runPrepared<Row>(query: CompiledQuery) {
      // Before Kysely's first query the driver does not exist yet: that one goes through Kysely.
      if (runAtOnce === undefined || closed || driver === undefined || !driver.idle) {
        return kysely.executeQuery<Row>(query);
      }
      try {
        return runAtOnce<Row>(query);
      } catch (error) {
        throw engine.translateError(error);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await engine.close();
    },
  };
}
