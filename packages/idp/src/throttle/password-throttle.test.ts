import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configSchema } from '../config/config-schema.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import { type PasswordAttempt, PasswordThrottle } from './password-throttle.ts';
import type { ThrottleRefusal } from './throttle-refusal.ts';

const settings = configSchema.parse({
  throttling: {
    accountFreeFailures: 3,
    accountMaxDelaySeconds: 60,
    accountLockFailures: 10,
    accountIp: { limit: 100, windowSeconds: 600 },
    ip: { limit: 20, windowSeconds: 600 },
  },
}).throttling;

async function throttle(): Promise<PasswordThrottle> {
  return new PasswordThrottle(await openSqliteStore({ file: ':memory:' }), settings);
}

/** The refusal, or 'allowed' after failing the try. */
async function failTry(attempt: PasswordAttempt | ThrottleRefusal): Promise<'allowed' | ThrottleRefusal> {
  if (!attempt.allowed) return attempt;
  await attempt.failed();
  return 'allowed';
}

describe('password throttling', () => {
  test('free failures, then a doubling wait capped at the maximum, then allowed again', async () => {
    const t = await throttle();
    const who = { account: 'u1', ip: '192.0.2.1', knownBrowser: false };
    let now = 1_000;
    for (let failure = 1; failure <= 3; failure += 1)
      assert.equal(await failTry(await t.attempt({ ...who, now })), 'allowed');
    assert.deepEqual(await t.attempt({ ...who, now }), {
      allowed: false,
      code: 'account_delayed',
      retryAfter: 5,
    });
    now += 5;
    const waits: number[] = [];
    for (let failure = 4; failure <= 9; failure += 1) {
      assert.equal(await failTry(await t.attempt({ ...who, now })), 'allowed');
      const refusal = await t.attempt({ ...who, now });
      assert.equal(refusal.allowed, false);
      if (!refusal.allowed) waits.push(refusal.retryAfter ?? 0);
      now += 60;
    }
    assert.deepEqual(waits, [10, 20, 40, 60, 60, 60]);
  });

  test('after the lock threshold only known browsers may try; a success or the operator resets it', async () => {
    const store = await openSqliteStore({ file: ':memory:' });
    const t = new PasswordThrottle(store, settings);
    const who = { account: 'u2', ip: '192.0.2.2' };
    let now = 5_000;
    for (let failure = 1; failure <= 10; failure += 1) {
      assert.equal(await failTry(await t.attempt({ ...who, knownBrowser: false, now })), 'allowed');
      now += 120;
    }
    assert.deepEqual(await t.attempt({ ...who, knownBrowser: false, now: now + 10_000 }), {
      allowed: false,
      code: 'account_locked',
    });
    assert.deepEqual(await t.status('u2', now), { failures: 10, locked: true });
    const known = await t.attempt({ ...who, knownBrowser: true, now });
    assert.equal(known.allowed, true);
    if (known.allowed) await known.succeeded();
    assert.equal((await t.attempt({ ...who, knownBrowser: false, now })).allowed, true);

    for (let failure = 1; failure <= 10; failure += 1) {
      await failTry(await t.attempt({ ...who, knownBrowser: false, now }));
      now += 120;
    }
    assert.equal((await t.attempt({ ...who, knownBrowser: false, now })).allowed, false);
    await store.failureCounters.resetAll(t.lockKeys('u2'));
    assert.deepEqual(await t.status('u2', now), { failures: 0, locked: false });
    assert.equal((await t.attempt({ ...who, knownBrowser: false, now })).allowed, true);
  });

  test('one client IP is limited across accounts, but never a browser the account signed in from before', async () => {
    const t = await throttle();
    for (let i = 0; i < 20; i += 1) {
      await failTry(
        await t.attempt({ account: `spray-${i}`, ip: '198.51.100.7', knownBrowser: false, now: 100 }),
      );
    }
    assert.deepEqual(
      await t.attempt({ account: 'someone', ip: '198.51.100.7', knownBrowser: false, now: 100 }),
      {
        allowed: false,
        code: 'ip_throttled',
        retryAfter: 600,
      },
    );
    assert.equal(
      (await t.attempt({ account: 'someone', ip: '198.51.100.7', knownBrowser: true, now: 100 })).allowed,
      true,
    );
    assert.equal(
      (await t.attempt({ account: 'someone', ip: '198.51.100.8', knownBrowser: false, now: 100 })).allowed,
      true,
    );
    assert.equal(
      (await t.attempt({ account: 'someone', ip: '198.51.100.7', knownBrowser: false, now: 700 })).allowed,
      true,
    );
  });

  test('a success takes its try back from the IP window, so people behind one address are not counted', async () => {
    const t = await throttle();
    for (let i = 0; i < 25; i += 1) {
      const attempt = await t.attempt({
        account: `colleague-${i}`,
        ip: '203.0.113.1',
        knownBrowser: false,
        now: 100,
      });
      assert.equal(attempt.allowed, true);
      if (attempt.allowed) await attempt.succeeded();
    }
  });

  test('failures for one account from one address stop there, and a known browser has its own count', async () => {
    const t = new PasswordThrottle(
      await openSqliteStore({ file: ':memory:' }),
      configSchema.parse({
        throttling: { accountFreeFailures: 50, accountIp: { limit: 3, windowSeconds: 600 } },
      }).throttling,
    );
    const who = { account: 'u3', ip: '192.0.2.3', now: 100 };
    for (let i = 0; i < 3; i += 1)
      assert.equal(await failTry(await t.attempt({ ...who, knownBrowser: false })), 'allowed');
    assert.deepEqual(await t.attempt({ ...who, knownBrowser: false }), {
      allowed: false,
      code: 'account_ip_throttled',
      retryAfter: 600,
    });
    assert.equal((await t.attempt({ ...who, ip: '192.0.2.4', knownBrowser: false })).allowed, true);
    assert.equal((await t.attempt({ ...who, knownBrowser: true })).allowed, true);
  });
});
