import type { Logger } from 'pino';
import type { PushChallengeStatus } from '../../store/push-challenges.ts';
import { openRedisPubSubConnections } from '../../store/redis/redis-pub-sub-connections.ts';
import { runRedis } from '../../store/redis/run-redis.ts';
import type { PushNotice, PushNotifier, PushTopic } from './push-notifier.ts';

export interface RedisPushNotifierOptions {
  url: string;
  /** Starts every channel name, so installations sharing a Redis do not hear each other. */
  channelPrefix: string;
  commandTimeoutMs: number;
  logger?: Pick<Logger, 'warn' | 'info'>;
}

type Listener = (notice: PushNotice) => void;

interface Subscription {
  listeners: Set<Listener>;
  /** Settles when Redis confirmed the SUBSCRIBE. */
  subscribed: Promise<unknown>;
}

/**
 * The several-node `PushNotifier`: Redis pub/sub, one channel per topic. A device's answer handled
 * by one node wakes the login page waiting on another, and every node's device streams hear of new
 * requests. Each node subscribes to a channel only while one of its requests listens on it. Notices
 * carry ids only, so one lost while Redis is down costs a wait, never a wrong answer; and when the
 * connection drops every listener hears `notices.interrupted`, so its stream ends and its client
 * reads the store again instead of waiting for a notice that will not come.
 */
export async function createRedisPushNotifier(options: RedisPushNotifierOptions): Promise<PushNotifier> {
  const connections = await openRedisPubSubConnections({
    url: options.url,
    commandTimeoutMs: options.commandTimeoutMs,
    name: 'stepup-push',
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const { publisher, subscriber } = connections;
  const subscriptions = new Map<string, Subscription>();

  subscriber.on('message', (channel: string, message: string) => {
    const subscription = subscriptions.get(channel);
    if (subscription === undefined) return;
    const notice = parsePushNotice(message);
    if (notice === undefined) {
      options.logger?.warn({ channel }, 'ignored a malformed push notice from Redis');
      return;
    }
    for (const listener of [...subscription.listeners]) listener(notice);
  });

  // Redis keeps no message for a subscriber that is away: tell every listener, which reads the
  // store again. ioredis subscribes to the channels again once it is back.
  subscriber.on('close', () => {
    for (const subscription of subscriptions.values()) {
      for (const listener of [...subscription.listeners]) listener({ type: 'notices.interrupted' });
    }
  });

  return {
    async publish(topic: PushTopic, notice: PushNotice) {
      await runRedis(() => publisher.publish(options.channelPrefix + topic, JSON.stringify(notice)));
    },

    async subscribe(topic: PushTopic, listener: Listener) {
      const channel = options.channelPrefix + topic;
      let subscription = subscriptions.get(channel);
      if (subscription === undefined) {
        const created: Subscription = {
          listeners: new Set(),
          subscribed: runRedis(() => subscriber.subscribe(channel)),
        };
        created.subscribed.catch(() => {
          if (subscriptions.get(channel) === created) subscriptions.delete(channel);
        });
        subscriptions.set(channel, created);
        subscription = created;
      }
      const current = subscription;
      current.listeners.add(listener);
      try {
        await current.subscribed;
      } catch (error) {
        current.listeners.delete(listener);
        throw error;
      }
      return () => {
        current.listeners.delete(listener);
        if (current.listeners.size > 0 || subscriptions.get(channel) !== current) return;
        subscriptions.delete(channel);
        // Commands on one connection run in order: a SUBSCRIBE sent after this one still wins.
        subscriber.unsubscribe(channel).catch(() => {
          // Redis is down: the channel went with the connection, and is not resubscribed.
        });
      };
    },

    async close() {
      subscriptions.clear();
      await connections.close();
    },
  };
}

const RESOLVED_STATUSES: ReadonlySet<string> = new Set(['approved', 'denied', 'expired', 'withdrawn']);

/** Reads a notice off the wire, or undefined when it is not one this build sends. */
function parsePushNotice(message: string): PushNotice | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const notice = value as Record<string, unknown>;
  const { type, challengeId, deviceId, status } = notice;
  if (type === 'challenge.sent' && typeof challengeId === 'string') return { type, challengeId };
  if (type === 'challenge.resolved' && typeof challengeId === 'string' && typeof status === 'string') {
    if (!RESOLVED_STATUSES.has(status)) return undefined;
    return { type, challengeId, status: status as Exclude<PushChallengeStatus, 'open'> };
  }
  if (type === 'device.enrolled' && typeof deviceId === 'string') return { type, deviceId };
  return undefined;
}
