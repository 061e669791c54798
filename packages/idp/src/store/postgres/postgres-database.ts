import pg from 'pg';
import { StoreError } from '../errors.ts';
import { translatePostgresError } from './translate-postgres-error.ts';

/** What a repository needs to run SQL: the pool itself, or one client inside a transaction. */
export interface PostgresQueryable {
  query<Row extends object = Record<string, unknown>>(
    text: string,
    values?: readonly unknown[],
  ): Promise<{ rows: Row[]; rowCount: number }>;
}

export interface PostgresPoolOptions {
  /** `postgres://user:password@host:port/database`, with libpq's query options (`sslmode`, …). */
  connectionString: string;
  /** Connections this node keeps at most. */
  poolMax: number;
  /** Longest wait for a connection (new or pooled) before the call fails as unavailable. */
  connectionTimeoutMs: number;
  /** Server-side limit of one statement (`statement_timeout`). */
  statementTimeoutMs: number;
  /** Told about idle connections the server dropped (a restart); the pool opens new ones when needed. */
  onIdleConnectionError?: (error: Error) => void;
}

const INT8_OID = 20;

/**
 * Epoch values and counts are BIGINT; pg hands BIGINT over as a string, so read them as numbers and
 * refuse one that a JavaScript number cannot hold exactly.
 */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value))
    throw new RangeError(`BIGINT ${text} is beyond a safe JavaScript integer`);
  return value;
}

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return parseInt8;
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text');
  },
};

/**
 * A pool of PostgreSQL connections behind the repositories. Every failure a caller is expected to
 * handle comes out as a `StoreError` (see `translatePostgresError`); a closed database rejects with
 * code `unavailable`.
 */
export class PostgresDatabase implements PostgresQueryable {
  readonly #pool: pg.Pool;
  #closed = false;

  constructor(options: PostgresPoolOptions) {
    this.#pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolMax,
      connectionTimeoutMillis: options.connectionTimeoutMs,
      statement_timeout: options.statementTimeoutMs,
      // Also a client-side limit: a server that stops answering without closing the socket would
      // otherwise hold the request until TCP gives up.
      query_timeout: options.statementTimeoutMs + options.connectionTimeoutMs,
      keepAlive: true,
      types,
    });
    // An idle client whose server went away emits 'error' on the pool; without a listener Node.js
    // would end the process. pg-pool has already dropped that client, and new ones connect on demand.
    this.#pool.on('error', (error) => options.onIdleConnectionError?.(error));
    // pg-pool listens for a client's 'error' only while the client is idle. A connection lost while
    // a client is checked out (a transaction, when the server restarts) would emit 'error' unheard,
    // which ends the process. The statement under way, or the next one, rejects with the same
    // failure (a StoreError for the caller), and pg-pool does not take back a client that is no
    // longer queryable; this listener only keeps the process alive.
    this.#pool.on('connect', (client) => {
      client.on('error', () => {});
    });
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
    let broken: Error | undefined;
    const queryable: PostgresQueryable = {
      async query<Row extends object>(text: string, values: readonly unknown[] = []) {
        const result = await client.query<Row>(text, values as unknown[]);
        return { rows: result.rows, rowCount: result.rowCount ?? 0 };
      },
    };
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

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  #checkOpen(): void {
    if (this.#closed) throw new StoreError('unavailable', 'the PostgreSQL store is closed');
  }
}
