import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CodeThrottle } from '../throttle/code-throttle.ts';
import { type ManagementFixture, openManagementFixture } from './testing/management-fixture.ts';

describe('management API /users/{id}/sign-in-lock', () => {
  let f: ManagementFixture;
  before(async () => {
    f = await openManagementFixture();
  });
  after(() => f.close());

  test('shows the code lock, clears it with update:users, and records who did', async () => {
    const userId = await f.person('locked-out', false);
    const { store, config } = f.idp.stepup;
    const codes = new CodeThrottle(store, config);
    for (let login = 0; login < config.throttling.secondFactor.lockFailures; login += 1) {
      await codes.attempt({
        accountId: userId,
        interactionUid: `login-${login}`,
        now: f.clock() + login * 3600,
      });
    }
    const reader = await f.machine(['read:users'], 'lock-reader');
    const operator = await f.machine(['read:users', 'update:users'], 'lock-operator');
    const locked = await f.call(reader, 'GET', `/users/${userId}/sign-in-lock`);
    assert.deepEqual(
      [locked.status, locked.body],
      [
        200,
        {
          password: { consecutive_failures: 0, locked: false },
          codes: { consecutive_failures: 100, locked: true },
        },
      ],
    );

    const refused = await f.call(reader, 'DELETE', `/users/${userId}/sign-in-lock`);
    assert.deepEqual([refused.status, refused.body.error?.code], [403, 'missing_scope']);
    assert.equal((await codes.status(userId, f.clock())).locked, true);

    assert.equal((await f.call(operator, 'DELETE', `/users/${userId}/sign-in-lock`)).status, 204);
    assert.deepEqual((await f.call(reader, 'GET', `/users/${userId}/sign-in-lock`)).body, {
      password: { consecutive_failures: 0, locked: false },
      codes: { consecutive_failures: 0, locked: false },
    });
    const [event, ...more] = await f.audit('admin.user.sign_in_lock_cleared');
    assert.equal(more.length, 0);
    assert.deepEqual(
      [event?.userId, event?.actor, event?.details],
      [userId, { type: 'client', id: 'lock-operator' }, { password_failures: 0, code_failures: 100 }],
    );
    assert.equal((await f.call(operator, 'DELETE', '/users/nobody/sign-in-lock')).status, 404);
  });
});
