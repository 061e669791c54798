import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { openRedisConnection } from '../store/redis/redis-connection.ts';
import { runRedis } from '../store/redis/run-redis.ts';
import type { ConfigChangeSignal } from './config-change-signal.ts';

export interface RedisConfigChangeSignalOptions {
  url: string;
  /** Starts the channel name, so installations sharing a Redis do not hear each other. */
  channelPrefix: string;
  commandTimeoutMs: number;
  logger?: Pick<Logger, 'warn' | 'info'>;
}

const CHANNEL = 'config-changed';

/** The several-node `ConfigChangeSignal`: one Redis pub/sub channel every node subscribes to. */
export async function createRedisConfigChangeSignal(
  options: RedisConfigChangeSignalOptions,
): Promise<ConfigChangeSignal> {
  const connection = (name: string) =>
    openRedisConnection({
      url: options.url,
      commandTimeoutMs: options.commandTimeoutMs,
      name,
      ...(options.logger ? { logger: options.logger } : {}),
    });
  const channel = options.channelPrefix + CHANNEL;
  const publisher = await connection('stepup-config-publisher');
  let subscriber: Redis;
  try {
    // A connection that subscribes can do nothing else, so publishing has its own.
    subscriber = await connection('stepup-config-subscriber');
  } catch (error) {
    publisher.disconnect();
    throw error;
  }
  const listeners = new Set<() => void>();
  // ioredis subscribes again by itself after a reconnection; a notice sent meanwhile is lost, and the
  // periodic check finds the change.
  subscriber.on('message', (from: string) => {
    if (from !== channel) return;
    for (const listener of [...listeners]) listener();
  });
  let subscribed: Promise<unknown> | undefined;

  return {
    async announce() {
      await runRedis(() => publisher.publish(channel, '1'));
    },
    async listen(listener) {
      listeners.add(listener);
      subscribed ??= runRedis(() => subscriber.subscribe(channel));
      await subscribed;
    },
    async close() {
      listeners.clear();
      await Promise.all([publisher, subscriber].map((redis) => redis.quit().catch(() => redis.disconnect())));
    },
  };
}
