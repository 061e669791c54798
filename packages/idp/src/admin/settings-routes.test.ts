import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startTestProvider } from '../testing/test-provider.ts';
import { openManagementFixture } from './testing/management-fixture.ts';

describe('management API /settings', () => {
  test('changes are stored, listed as pending, and apply at the next start', async () => {
    const f = await openManagementFixture();
    const token = await f.machine(['read:settings', 'update:settings'], 'settings-robot');
    const before = await f.call(token, 'GET', '/settings');
    assert.equal(before.status, 200);
    assert.deepEqual(before.body.push, {
      challenge_ttl_seconds: 60,
      enrollment_ttl_seconds: 600,
      sends: { limit: 5, window_seconds: 900 },
      denials: { limit: 3, window_seconds: 3600 },
    });
    assert.deepEqual(before.body.restart_required, []);

    const noScope = await f.call(await f.machine(['read:settings']), 'PATCH', '/settings', {
      push: { challenge_ttl_seconds: 90 },
    });
    assert.deepEqual([noScope.status, noScope.body.error?.details.scope], [403, 'update:settings']);
    const outOfRange = await f.call(token, 'PATCH', '/settings', { push: { challenge_ttl_seconds: 5 } });
    assert.deepEqual(
      [outOfRange.status, outOfRange.body.error?.code, outOfRange.body.error?.details.field],
      [400, 'invalid_body', 'push.challenge_ttl_seconds'],
    );
    const unknown = await f.call(token, 'PATCH', '/settings', { push: { colour: 'red' } });
    assert.deepEqual([unknown.status, unknown.body.error?.code], [400, 'invalid_body']);
    assert.deepEqual((await f.call(token, 'GET', '/settings')).body, before.body, 'refusals change nothing');

    const changed = await f.call(token, 'PATCH', '/settings', {
      push: { challenge_ttl_seconds: 90, sends: { limit: 3 } },
      factors: { email: { enabled: false } },
    });
    assert.equal(changed.status, 200);
    assert.deepEqual(changed.body.push, {
      challenge_ttl_seconds: 90,
      enrollment_ttl_seconds: 600,
      sends: { limit: 3, window_seconds: 900 },
      denials: { limit: 3, window_seconds: 3600 },
    });
    assert.deepEqual(changed.body.restart_required, [
      'push.challengeTtlSeconds',
      'push.sends.limit',
      'email.enabled',
    ]);
    assert.equal((await f.audit('admin.settings.updated')).length, 1);

    const { dataDir } = f.idp;
    await f.idp.close({ removeData: false });
    const restarted = await startTestProvider({ dataDir });
    try {
      assert.equal(restarted.stepup.config.push.challengeTtlSeconds, 90);
      assert.equal(restarted.stepup.config.push.sends.limit, 3);
      assert.equal(restarted.stepup.config.email.enabled, false);
    } finally {
      await restarted.close();
    }
  });
});
