import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configSchema } from '../config/config-schema.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import { CodeThrottle } from './code-throttle.ts';

const config = configSchema.parse({
  throttling: {
    codeTriesPerLogin: 3,
    secondFactor: { limit: 1000, freeFailures: 4, maxDelaySeconds: 60, lockFailures: 6 },
  },
});

describe('second-factor code throttling', () => {
  test('consecutive wrong codes across logins: waits, then a lock that only a second factor or the operator lifts', async () => {
    const store = await openSqliteStore({ file: ':memory:' });
    const throttle = new CodeThrottle(store, config);
    let now = 1_000;
    const outcomes: string[] = [];
    for (let login = 1; login <= 8; login += 1) {
      const attempt = await throttle.attempt({ accountId: 'u1', interactionUid: `login-${login}`, now });
      outcomes.push(attempt.allowed ? 'allowed' : attempt.code);
      now += 3_600;
    }
    assert.deepEqual(outcomes, [
      'allowed',
      'allowed',
      'allowed',
      'allowed',
      'allowed',
      'allowed',
      'codes_locked',
      'codes_locked',
    ]);
    assert.deepEqual(await throttle.status('u1', now), { failures: 6, locked: true });

    // The lock is in the durable store, apart from the throttling windows Redis may hold.
    assert.deepEqual(await store.failureCounters.peek('code:account:u1', now), {
      count: 6,
      resetAt: 1_000 + 30 * 24 * 3600,
    });

    await throttle.secondFactorSucceeded('u1');
    assert.deepEqual(await throttle.status('u1', now), { failures: 0, locked: false });
    for (let login = 1; login <= 6; login += 1) {
      await throttle.attempt({ accountId: 'u1', interactionUid: `again-${login}`, now });
      now += 3_600;
    }
    assert.equal((await throttle.attempt({ accountId: 'u1', interactionUid: 'locked', now })).allowed, false);
    await store.failureCounters.resetAll(throttle.lockKeys('u1'));
    assert.equal(
      (await throttle.attempt({ accountId: 'u1', interactionUid: 'unlocked', now })).allowed,
      true,
    );
  });

  test('the wait after the free failures, and the tries each login has', async () => {
    const throttle = new CodeThrottle(await openSqliteStore({ file: ':memory:' }), config);
    const now = 1_000;
    const tries: (number | string)[] = [];
    for (let i = 0; i < 4; i += 1) {
      const attempt = await throttle.attempt({ accountId: 'u2', interactionUid: 'login-1', now });
      tries.push(attempt.allowed ? attempt.triesLeft : attempt.code);
    }
    assert.deepEqual(tries, [2, 1, 0, 'login_tries_exhausted']);
    const fourth = await throttle.attempt({ accountId: 'u2', interactionUid: 'login-2', now });
    assert.equal(fourth.allowed, true, 'the fourth wrong code is still free');
    assert.deepEqual(await throttle.attempt({ accountId: 'u2', interactionUid: 'login-2', now }), {
      allowed: false,
      code: 'codes_delayed',
      retryAfter: 5,
    });
  });

  test('a right code takes its try back from the account window', async () => {
    const throttle = new CodeThrottle(
      await openSqliteStore({ file: ':memory:' }),
      configSchema.parse({ throttling: { secondFactor: { limit: 2 } } }),
    );
    for (let login = 0; login < 5; login += 1) {
      const attempt = await throttle.attempt({ accountId: 'u3', interactionUid: `login-${login}`, now: 100 });
      assert.equal(attempt.allowed, true);
      if (attempt.allowed) await attempt.succeeded();
    }
  });
});
