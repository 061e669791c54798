import assert from 'node:assert/strict';
import { after, describe, type TestContext, test } from 'node:test';
import { configSchema, type StepupConfigInput } from '../config/config-schema.ts';
import { openPostgresStore } from '../store/postgres/postgres-store.ts';
import { withRedisState } from '../store/redis/redis-store.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { createPostgresTestDatabase } from '../testing/postgres-test-database.ts';
import { connectRedisForTests } from '../testing/redis-test-connection.ts';
import { ClientSecretThrottle } from './client-secret-throttle.ts';
import { CodeThrottle } from './code-throttle.ts';
import { PasswordThrottle } from './password-throttle.ts';
import type { ThrottleRefusal } from './throttle-refusal.ts';

const NOW = 1_700_000_000;
const BURST = 150;

/** How many tries of a burst were let through, and how many each refusal code turned away. */
function tally(outcomes: readonly ({ allowed: true } | ThrottleRefusal)[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) {
    const key = outcome.allowed ? 'allowed' : outcome.code;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

const config = (throttling: StepupConfigInput['throttling']) => configSchema.parse({ throttling });

/**
 * Bursts of parallel tries against each store a deployment can run on: every throttle counts a try
 * before checking it, so exactly the limit is let through and the rest are refused with its code.
 */
function describeThrottlesUnderConcurrency(name: string, open: () => Promise<Store>): void {
  describe(`${name}: throttles under a burst of ${BURST} parallel tries`, () => {
    async function storeFor(t: TestContext): Promise<Store> {
      const store = await open();
      t.after(() => store.close());
      return store;
    }

    test('passwords for one account: exactly the free failures, then one wait', async (t) => {
      const throttle = new PasswordThrottle(
        await storeFor(t),
        config({
          accountFreeFailures: 5,
          accountIp: { limit: 1000, windowSeconds: 900 },
          ip: { limit: 1000, windowSeconds: 900 },
        }).throttling,
      );
      // At most as many tries as the lock allows are in flight, so every refusal is the wait's: with
      // more, the tries beyond the lock's count are turned away as locked (consecutive-failures.ts).
      const tries = 100;
      const outcomes = await Promise.all(
        Array.from({ length: tries }, () =>
          throttle.attempt({ account: 'u1', ip: '192.0.2.1', knownBrowser: false, now: NOW }),
        ),
      );
      assert.deepEqual(tally(outcomes), { allowed: 5, account_delayed: tries - 5 });
    });

    test('passwords for many accounts from one IP: exactly the IP limit', async (t) => {
      const throttle = new PasswordThrottle(
        await storeFor(t),
        config({ ip: { limit: 50, windowSeconds: 900 } }).throttling,
      );
      const outcomes = await Promise.all(
        Array.from({ length: BURST }, (_, i) =>
          throttle.attempt({ account: `u${i}`, ip: '198.51.100.7', knownBrowser: false, now: NOW }),
        ),
      );
      assert.deepEqual(tally(outcomes), { allowed: 50, ip_throttled: BURST - 50 });
    });

    test('passwords for one account from one IP in a known browser: exactly the account-and-IP limit', async (t) => {
      const throttle = new PasswordThrottle(
        await storeFor(t),
        config({ accountIp: { limit: 10, windowSeconds: 900 } }).throttling,
      );
      const outcomes = await Promise.all(
        Array.from({ length: BURST }, () =>
          throttle.attempt({ account: 'u1', ip: '192.0.2.1', knownBrowser: true, now: NOW }),
        ),
      );
      assert.deepEqual(tally(outcomes), { allowed: 10, account_ip_throttled: BURST - 10 });
    });

    test('codes in one login: exactly the per-account window', async (t) => {
      const throttle = new CodeThrottle(
        await storeFor(t),
        config({ codeTriesPerLogin: 20, secondFactor: { limit: 10, freeFailures: 50 } }),
      );
      const outcomes = await Promise.all(
        Array.from({ length: BURST }, () =>
          throttle.attempt({ accountId: 'u1', interactionUid: 'login-1', now: NOW }),
        ),
      );
      assert.deepEqual(tally(outcomes), { allowed: 10, codes_throttled: BURST - 10 });
    });

    test('codes in one login: exactly the tries of the login', async (t) => {
      const throttle = new CodeThrottle(
        await storeFor(t),
        config({ codeTriesPerLogin: 5, secondFactor: { limit: 1000 } }),
      );
      const outcomes = await Promise.all(
        Array.from({ length: BURST }, () =>
          throttle.attempt({ accountId: 'u1', interactionUid: 'login-1', now: NOW }),
        ),
      );
      assert.deepEqual(tally(outcomes), { allowed: 5, login_tries_exhausted: BURST - 5 });
    });

    test('codes across many logins: exactly the consecutive failures up to the lock (at most 100)', async (t) => {
      const throttle = new CodeThrottle(
        await storeFor(t),
        config({ secondFactor: { limit: 1000, freeFailures: 100, lockFailures: 100 } }),
      );
      const outcomes = await Promise.all(
        Array.from({ length: BURST }, (_, i) =>
          throttle.attempt({ accountId: 'u1', interactionUid: `login-${i}`, now: NOW }),
        ),
      );
      assert.deepEqual(tally(outcomes), { allowed: 100, codes_locked: BURST - 100 });
      assert.deepEqual(await throttle.status('u1', NOW), { failures: 100, locked: true });
    });

    test('client secrets for one client id: exactly the limit of wrong ones; right ones are never counted', async (t) => {
      const throttle = new ClientSecretThrottle(
        (await storeFor(t)).attempts,
        config({ clientSecret: { limit: 20, windowSeconds: 60 } }),
      );
      const answer = (matches: boolean) =>
        throttle.answer('machine', matches, NOW).then((refusal) => refusal ?? { allowed: true as const });
      // A busy application's parallel requests with its right secret: none held back, none counted.
      const right = await Promise.all(Array.from({ length: BURST }, () => answer(true)));
      assert.deepEqual(tally(right), { allowed: BURST });
      const wrong = await Promise.all(Array.from({ length: BURST }, () => answer(false)));
      assert.deepEqual(tally(wrong), { allowed: 20, client_secret_throttled: BURST - 20 });
      // The window is spent: the right secret is refused as well, so a right guess looks like a wrong one.
      assert.deepEqual(tally([await answer(true)]), { client_secret_throttled: 1 });
    });
  });
}

describeThrottlesUnderConcurrency('sqlite', async () => openSqliteStore({ file: ':memory:' }));

const postgres = await createPostgresTestDatabase();
const redis = await connectRedisForTests();
if (postgres.skip !== undefined || redis.skip !== undefined) {
  describe('postgres and redis throttles', { skip: postgres.skip ?? redis.skip }, () => {});
} else {
  const { database } = postgres;
  const keySpace = redis.redis;
  after(async () => {
    await keySpace.cleanup();
    await database.drop();
  });
  const openOnPostgres = async () => {
    await database.truncate();
    return openPostgresStore({
      connectionString: database.url,
      poolMax: 10,
      connectionTimeoutMs: 3000,
      statementTimeoutMs: 5000,
    });
  };
  describeThrottlesUnderConcurrency('postgres', openOnPostgres);
  describeThrottlesUnderConcurrency('postgres + redis', async () =>
    withRedisState(await openOnPostgres(), {
      url: keySpace.url,
      keyPrefix: keySpace.newKeyPrefix(),
      commandTimeoutMs: 2000,
    }),
  );
}
