import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { StoreUnavailableError } from '../errors.ts';

export interface RedisConnectionOptions {
  url: string;
  /** Longest wait for a reply; then the command fails (503) instead of holding the request. */
  commandTimeoutMs: number;
  /** Told when the connection is lost and when it is back. */
  logger?: Pick<Logger, 'warn' | 'info'>;
  /** Names the connection in the log and in Redis' CLIENT LIST. */
  name: string;
}

/** Longest pause between reconnection attempts while Redis is down. */
const MAX_RECONNECT_DELAY_MS = 1000;

/**
 * Opens a connection that fails fast while Redis is down and comes back by itself: commands are not
 * queued while disconnected (they reject at once, and the caller answers 503), and ioredis keeps
 * reconnecting, at most a second apart, for as long as the process runs. Resolves once it is ready;
 * rejects with a `StoreUnavailableError` when Redis cannot be reached at start.
 */
export async function openRedisConnection(options: RedisConnectionOptions): Promise<Redis> {
  const redis = new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: options.commandTimeoutMs,
    connectionName: options.name,
    retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
  });
  let lost = false;
  redis.on('error', (error: Error) => {
    // ioredis reports every failed reconnection; one line per outage is enough.
    if (lost) return;
    lost = true;
    options.logger?.warn({ err: error, connection: options.name }, 'Redis connection lost; reconnecting');
  });
  redis.on('ready', () => {
    if (!lost) return;
    lost = false;
    options.logger?.info({ connection: options.name }, 'Redis connection is back');
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new StoreUnavailableError(`cannot connect to Redis: ${(error as Error).message}`, { cause: error });
  }
  return redis;
}
