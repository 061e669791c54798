import type { Redis } from 'ioredis';
import { openRedisConnection, type RedisConnectionOptions } from './redis-connection.ts';

/** The two connections Redis pub/sub needs: one publishes, the other only listens. */
export interface RedisPubSubConnections {
  publisher: Redis;
  /** Only for SUBSCRIBE, UNSUBSCRIBE and its `message` events: a subscribing connection can do nothing else. */
  subscriber: Redis;
  /** Closes both, dropping them at once when Redis does not answer. */
  close(): Promise<void>;
}

/**
 * Opens a publisher and a subscriber, named `<name>-publisher` and `<name>-subscriber`, each with
 * `openRedisConnection`'s fail-fast and reconnection. When the second cannot connect, the first is
 * closed again and the `StoreUnavailableError` is thrown.
 */
export async function openRedisPubSubConnections(
  options: RedisConnectionOptions,
): Promise<RedisPubSubConnections> {
  const open = (role: string) => openRedisConnection({ ...options, name: `${options.name}-${role}` });
  const publisher = await open('publisher');
  let subscriber: Redis;
  try {
    subscriber = await open('subscriber');
  } catch (error) {
    publisher.disconnect();
    throw error;
  }
  return {
    publisher,
    subscriber,
    async close() {
      await Promise.all([publisher, subscriber].map((redis) => redis.quit().catch(() => redis.disconnect())));
    },
  };
}
