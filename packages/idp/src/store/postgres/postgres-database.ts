import type pg from 'pg';
import { StoreError } from '../errors.ts';
import { translatePostgresError } from './translate-postgres-error.ts';

/** What a repository needs to run SQL: the pool itself, or one client inside a transaction. */
export interface PostgresQueryable {
  query<Row extends object = Record<string, unknown>>(
    text: string,
    values?: readonly unknown[],
  ): Promise<{ rows: Row[]; rowCount: number }>;
}

/**
 * Hand-written SQL on the store's pool, for the repositories not yet on Kysely. Every failure a
 * caller is expected to handle comes out as a `StoreError` (see `translatePostgresError`); a closed
 * database rejects with code `unavailable`.
 */
export class PostgresDatabase implements PostgresQueryable {
  readonly #pool: pg.Pool;
  #closed = false;

  /** `pool` stays open when this closes: the store's `SqlDatabase` owns and ends it. */
  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async query<Row extends object = Record<string, unknown>>(
    text: string,
    values: readonly unknown[] = [],
  ): Promise<{ rows: Row[]; rowCount: number }> {
    this.#checkOpen();
    try {
      const result = await this.#pool.query<Row>(text, values as unknown[]);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    } catch (error) {
      throw translatePostgresError(error);
    }
  }

  /**
   * Runs `work` in one transaction on one connection: committed when it resolves, rolled back when it
   * throws (the error passes through, translated).
   */
  async transaction<T>(work: (client: PostgresQueryable) => Promise<T>): Promise<T> {
    this.#checkOpen();
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw translatePostgresError(error);
    }
    const queryable: PostgresQueryable = {
      async query<Row extends object>(text: string, values: readonly unknown[] = []) {
        const result = await client.query<Row>(text, values as unknown[]);
        return { rows: result.rows, rowCount: result.rowCount ?? 0 };
      },
    };
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(queryable);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection is gone; the server rolls back by itself. Do not return it to the pool.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw translatePostgresError(error);
    } finally {
      client.release(broken);
    }
  }

  close(): void {
    this.#closed = true;
  }

  #checkOpen(): void {
    if (this.#closed) throw new StoreError('unavailable', 'the PostgreSQL store is closed');
  }
}
