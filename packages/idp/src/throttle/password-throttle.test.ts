import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configSchema } from '../config/config-schema.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import { PasswordThrottle } from './password-throttle.ts';

const settings = configSchema.parse({
  throttling: {
    accountFreeFailures: 3,
    accountMaxDelaySeconds: 60,
    accountLockFailures: 10,
    ip: { limit: 20, windowSeconds: 600 },
  },
}).throttling;

function throttle() {
  const store = openSqliteStore({ file: ':memory:' });
  return new PasswordThrottle(store.attempts, settings);
}

describe('password throttling', () => {
  test('free failures, then a doubling wait capped at the maximum, then allowed again', async () => {
    const t = throttle();
    const who = { account: 'u1', ip: '192.0.2.1' };
    let now = 1_000;
    for (let failure = 1; failure <= 2; failure += 1) {
      await t.recordFailure({ ...who, now });
      assert.deepEqual(await t.check({ ...who, knownBrowser: false, now }), { allowed: true });
    }
    await t.recordFailure({ ...who, now }); // third consecutive failure: wait 5 s
    assert.deepEqual(await t.check({ ...who, knownBrowser: false, now }), {
      allowed: false,
      scope: 'account',
      retryAfter: 5,
    });
    now += 5;
    assert.deepEqual(await t.check({ ...who, knownBrowser: false, now }), { allowed: true });
    const waits: number[] = [];
    for (let failure = 4; failure <= 9; failure += 1) {
      await t.recordFailure({ ...who, now });
      const decision = await t.check({ ...who, knownBrowser: false, now });
      assert.equal(decision.allowed, false);
      if (!decision.allowed) waits.push(decision.retryAfter);
      now += 60;
    }
    assert.deepEqual(waits, [10, 20, 40, 60, 60, 60]);
  });

  test('after the lock threshold only known browsers may try; a success resets everything', async () => {
    const t = throttle();
    const who = { account: 'u2', ip: '192.0.2.2' };
    let now = 5_000;
    for (let failure = 1; failure <= 10; failure += 1) {
      await t.recordFailure({ ...who, now });
      now += 120;
    }
    const locked = await t.check({ ...who, knownBrowser: false, now: now + 10_000 });
    assert.equal(locked.allowed, false);
    assert.deepEqual(await t.check({ ...who, knownBrowser: true, now }), { allowed: true });
    await t.recordSuccess('u2');
    assert.deepEqual(await t.check({ ...who, knownBrowser: false, now }), { allowed: true });
  });

  test('one client IP is limited across accounts, known browser or not', async () => {
    const t = throttle();
    for (let i = 0; i < 20; i += 1)
      await t.recordFailure({ account: `spray-${i}`, ip: '198.51.100.7', now: 100 });
    const decision = await t.check({ account: 'someone', ip: '198.51.100.7', knownBrowser: true, now: 100 });
    assert.deepEqual(decision, { allowed: false, scope: 'ip', retryAfter: 600 });
    assert.deepEqual(
      await t.check({ account: 'someone', ip: '198.51.100.8', knownBrowser: false, now: 100 }),
      {
        allowed: true,
      },
    );
    assert.deepEqual(
      await t.check({ account: 'someone', ip: '198.51.100.7', knownBrowser: false, now: 700 }),
      {
        allowed: true,
      },
    );
  });
});
