import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { type MigrationOutcome, migrateStore } from '../sql/migrations/migrate-store.ts';
import { createSqlStore } from '../sql/sql-store.ts';
import type { Store } from '../store.ts';
import { createPostgresPool, type PostgresPoolOptions } from './postgres-pool.ts';
import { createPostgresSqlDatabase } from './postgres-sql-database.ts';
import { translatePostgresError } from './translate-postgres-error.ts';

export interface PostgresStoreOptions extends Omit<PostgresPoolOptions, 'onIdleConnectionError'> {
  /** Told about idle connections the server dropped (a restart); the pool replaces them by itself. */
  logger?: { warn(details: object, message: string): void };
}

/** A `Store` on PostgreSQL, as `openPostgresStore` returns it. */
export interface PostgresStore extends Store {
  /** What the migrations at opening did. */
  readonly migration: MigrationOutcome;
}

/**
 * Opens the store for several provider nodes over one PostgreSQL database, after bringing its schema
 * up to date (nodes starting together take turns). Rejects with a `StoreUnavailableError` when the
 * server cannot be reached within `connectionTimeoutMs`.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const { logger, ...poolOptions } = options;
  const pool = createPostgresPool({
    ...poolOptions,
    onIdleConnectionError: (error) =>
      logger?.warn({ err: error }, 'PostgreSQL dropped an idle connection; new ones open when needed'),
  });
  const sql = createPostgresSqlDatabase(pool);
  let migration: MigrationOutcome;
  try {
    migration = await migrateSchema(options);
  } catch (error) {
    await sql.close();
    throw translatePostgresError(error);
  }
  return { ...createSqlStore(sql), migration };
}

/**
 * Migrates over a connection of its own, without the pool's statement timeout: a node waits for the
 * migration lock as long as another node's migration takes.
 */
async function migrateSchema(options: PostgresStoreOptions): Promise<MigrationOutcome> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: 1,
    connectionTimeoutMillis: options.connectionTimeoutMs,
  });
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  try {
    return await migrateStore(db, 'postgres');
  } finally {
    await db.destroy();
  }
}
