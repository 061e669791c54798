import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { skipOrFailUnreachable } from './skip-or-fail-unreachable.ts';

/** The server the Redis tests use unless `STEPUP_TEST_REDIS_URL` names another. */
export const DEFAULT_TEST_REDIS_URL = 'redis://127.0.0.1:6379';

/** A key space of its own for one test file on the test server. */
export interface RedisTestConnection {
  url: string;
  /** A fresh key prefix under this file's own, for one store or notifier. */
  newKeyPrefix(): string;
  /** Deletes every key under this file's prefix. */
  cleanup(): Promise<void>;
}

/** Either the connection, or why the tests that need it are skipped. */
export type RedisTestConnectionOrSkip = { redis: RedisTestConnection; skip?: undefined } | { skip: string };

/**
 * Checks that Redis answers at `STEPUP_TEST_REDIS_URL` (default: the local server) and hands out
 * unique key prefixes. When it cannot be reached: in CI (`CI` set) it throws, so the test file fails
 * instead of passing without having run; elsewhere it resolves `{ skip }` with the reason, for
 * `describe(name, { skip }, …)`.
 */
export async function connectRedisForTests(
  env: NodeJS.ProcessEnv = process.env,
): Promise<RedisTestConnectionOrSkip> {
  const url = env.STEPUP_TEST_REDIS_URL || DEFAULT_TEST_REDIS_URL;
  const probe = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    connectTimeout: 3000,
    retryStrategy: () => null,
  });
  probe.on('error', () => {
    // The failed connect below rejects with the same error.
  });
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    return {
      skip: skipOrFailUnreachable({ name: 'Redis', url, urlVariable: 'STEPUP_TEST_REDIS_URL' }, error, env),
    };
  } finally {
    probe.disconnect();
  }
  const filePrefix = `stepup-test-${randomBytes(6).toString('hex')}:`;
  let handedOut = 0;
  return {
    redis: {
      url,
      newKeyPrefix() {
        handedOut++;
        return `${filePrefix}${handedOut}:`;
      },
      async cleanup() {
        // A connection of its own: Redis may have restarted since the probe (the fault tests do that).
        const admin = new Redis(url, { connectTimeout: 3000, maxRetriesPerRequest: 3 });
        try {
          let cursor = '0';
          do {
            const [next, keys] = await admin.scan(cursor, 'MATCH', `${filePrefix}*`, 'COUNT', 1000);
            if (keys.length > 0) await admin.unlink(...keys);
            cursor = next;
          } while (cursor !== '0');
        } finally {
          admin.disconnect();
        }
      },
    },
  };
}
