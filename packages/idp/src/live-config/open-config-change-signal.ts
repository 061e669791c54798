import type { Logger } from 'pino';
import type { StepupConfig } from '../config/config-schema.ts';
import { type ConfigChangeSignal, createSilentConfigChangeSignal } from './config-change-signal.ts';
import { createPostgresConfigChangeSignal } from './postgres-config-change-signal.ts';
import { createRedisConfigChangeSignal } from './redis-config-change-signal.ts';

/**
 * How this node hears of other nodes' changes: Redis pub/sub when Redis is configured, else
 * PostgreSQL's LISTEN/NOTIFY when the store is PostgreSQL; with SQLite there is one node, nobody to tell.
 */
export async function openConfigChangeSignal(
  config: Pick<StepupConfig, 'redisUrl' | 'redis' | 'databaseUrl' | 'database'>,
  logger: Pick<Logger, 'warn' | 'info'>,
): Promise<ConfigChangeSignal> {
  if (config.redisUrl) {
    return createRedisConfigChangeSignal({
      url: config.redisUrl,
      channelPrefix: config.redis.keyPrefix,
      commandTimeoutMs: config.redis.commandTimeoutMs,
      logger,
    });
  }
  if (config.databaseUrl) {
    return createPostgresConfigChangeSignal({
      connectionString: config.databaseUrl,
      connectionTimeoutMs: config.database.connectionTimeoutMs,
      logger,
    });
  }
  return createSilentConfigChangeSignal();
}
