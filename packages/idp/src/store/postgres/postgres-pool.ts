import pg from 'pg';

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

/** The pool of PostgreSQL connections behind the store; it connects on demand. */
export function createPostgresPool(options: PostgresPoolOptions): pg.Pool {
  const pool = new pg.Pool({
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
  pool.on('error', (error) => options.onIdleConnectionError?.(error));
  // A client checked out by Kysely whose server goes away mid-query emits 'error' as well, with no
  // listener of pg-pool's on it: the query's own promise already rejects (as unavailable), and on its
  // release pg-pool drops the client, which is no longer queryable. This listener only keeps the
  // process alive.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}
