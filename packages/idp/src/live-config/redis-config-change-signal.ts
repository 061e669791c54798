import type { Logger } from 'pino';
import { openRedisPubSubConnections } from '../store/redis/redis-pub-sub-connections.ts';
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
  const channel = options.channelPrefix + CHANNEL;
  const connections = await openRedisPubSubConnections({
    url: options.url,
    commandTimeoutMs: options.commandTimeoutMs,
    name: 'stepup-config',
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const { publisher, subscriber } = connections;
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
      await connections.close();
    },
  };
}
