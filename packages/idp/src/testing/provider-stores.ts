import { after } from 'node:test';
import { createPostgresTestDatabase } from './postgres-test-database.ts';
import { connectRedisForTests } from './redis-test-connection.ts';

/** One store an installation's nodes may share, as `startTestProvider` settings. */
export interface ProviderStore {
  name: 'SQLite' | 'PostgreSQL' | 'PostgreSQL and Redis';
  /** Why this store is not tried (its service is unreachable outside CI); undefined when it is. */
  skip: string | undefined;
  /**
   * The settings of one node on this store. Every node of an entry shares its database and Redis key
   * prefix; on SQLite a second node names the first one's `dataDir`.
   */
  settings(dataDir?: string): {
    dataDir?: string;
    databaseUrl?: string;
    redisUrl?: string;
    redis?: { keyPrefix: string };
  };
  /** Empties the shared PostgreSQL database, so a suite starts from nothing; SQLite starts anew by itself. */
  clear(): Promise<void>;
}

/**
 * The stores a single-use rule or a limit must hold on: SQLite, PostgreSQL, and PostgreSQL with Redis
 * for short-lived state. The test file's PostgreSQL database and Redis keys are made here and removed
 * after the file.
 */
export async function providerStores(): Promise<ProviderStore[]> {
  const postgres = await createPostgresTestDatabase();
  const redis = await connectRedisForTests();
  after(async () => {
    await postgres.database?.drop();
    if (redis.skip === undefined) await redis.redis.cleanup();
  });
  const databaseUrl = postgres.database?.url ?? '';
  const keyPrefix = redis.skip === undefined ? redis.redis.newKeyPrefix() : '';
  const truncate = async () => {
    await postgres.database?.truncate();
  };
  return [
    {
      name: 'SQLite',
      skip: undefined,
      settings: (dataDir) => (dataDir ? { dataDir } : {}),
      clear: async () => {},
    },
    { name: 'PostgreSQL', skip: postgres.skip, settings: () => ({ databaseUrl }), clear: truncate },
    {
      name: 'PostgreSQL and Redis',
      skip: postgres.skip ?? redis.skip,
      settings: () => ({
        databaseUrl,
        ...(redis.skip === undefined ? { redisUrl: redis.redis.url, redis: { keyPrefix } } : {}),
      }),
      clear: truncate,
    },
  ];
}
