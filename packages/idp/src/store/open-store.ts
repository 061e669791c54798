import type { Logger } from 'pino';
import type { StepupConfig } from '../config/config-schema.ts';
import { openPostgresStore } from './postgres/postgres-store.ts';
import { withRedisState } from './redis/redis-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

/** The settings that choose and size the store. */
export type StoreConfig = Pick<StepupConfig, 'dataDir' | 'databaseUrl' | 'database' | 'redisUrl' | 'redis'>;

export interface OpenStoreOptions {
  /** Told about connections the database dropped while idle; the pool replaces them by itself. */
  logger?: Pick<Logger, 'warn' | 'info'>;
  /** Epoch seconds; the provider's clock, which sets the Redis TTL of interaction states. */
  clock?: () => number;
}

/**
 * Opens the store the configuration names, with its schema brought up to date: PostgreSQL at
 * `databaseUrl` when it is set (several nodes), else SQLite in `dataDir` (one node, the default);
 * with `redisUrl`, the short-lived state moves to Redis (see `withRedisState`).
 */
export async function openStore(config: StoreConfig, options: OpenStoreOptions = {}): Promise<Store> {
  const durable = await openDurableStore(config, options);
  if (config.redisUrl === undefined) return durable;
  return withRedisState(durable, {
    url: config.redisUrl,
    keyPrefix: config.redis.keyPrefix,
    commandTimeoutMs: config.redis.commandTimeoutMs,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}

async function openDurableStore(config: StoreConfig, options: OpenStoreOptions): Promise<Store> {
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
