import type { Logger } from 'pino';
import type { StepupConfig } from '../config/config-schema.ts';
import { openPostgresStore } from './postgres/postgres-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

/** The settings that choose and size the store. */
export type StoreConfig = Pick<StepupConfig, 'dataDir' | 'databaseUrl' | 'database'>;

export interface OpenStoreOptions {
  /** Told about connections the database dropped while idle; the pool replaces them by itself. */
  logger?: Pick<Logger, 'warn'>;
}

/**
 * Opens the store the configuration names, with its schema brought up to date: PostgreSQL at
 * `databaseUrl` when it is set (several nodes), else SQLite in `dataDir` (one node, the default).
 */
export async function openStore(config: StoreConfig, options: OpenStoreOptions = {}): Promise<Store> {
  if (config.databaseUrl !== undefined) {
    return openPostgresStore({
      connectionString: config.databaseUrl,
      poolMax: config.database.poolMax,
      connectionTimeoutMs: config.database.connectionTimeoutMs,
      statementTimeoutMs: config.database.statementTimeoutMs,
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }
  return openSqliteStore({ dataDir: config.dataDir });
}
