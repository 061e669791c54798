import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ManagementFixture, openManagementFixture } from '../../admin/testing/management-fixture.ts';

const CODE = 'exports.onExecutePostLogin = async (event, api) => { api.multifactor.enable("any"); };';

/** Audit finding 7: `PUT /actions/{name}` answered 200 and ignored `enabled` for an existing Action. */
describe('PUT /actions/{name} honours enabled', () => {
  let f: ManagementFixture;
  let token: string;
  before(async () => {
    f = await openManagementFixture();
    token = await f.machine(['read:actions', 'update:actions'], 'deploy-robot');
  });
  after(() => f.close());

  const enabled = async () => (await f.idp.stepup.store.actions.find('mfa-rule'))?.enabled;

  test('a new Action starts as asked; the same code again switches it on or off', async () => {
    const created = await f.call(token, 'PUT', '/actions/mfa-rule', { code: CODE, enabled: false });
    assert.equal(created.status, 201);
    assert.equal(await enabled(), false);

    const on = await f.call(token, 'PUT', '/actions/mfa-rule', { code: CODE, enabled: true });
    const onAction = on.body.action as { enabled: boolean; version: number };
    assert.deepEqual([on.status, on.body.changed, onAction.enabled, onAction.version], [200, false, true, 1]);
    assert.equal(await enabled(), true);
    assert.equal((await f.audit('admin.action.enabled')).length, 1);

    const newVersion = await f.call(token, 'PUT', '/actions/mfa-rule', { code: `${CODE}\n`, enabled: false });
    const newAction = newVersion.body.action as { enabled: boolean; version: number };
    assert.deepEqual(
      [newVersion.status, newVersion.body.changed, newAction.enabled, newAction.version],
      [200, true, false, 2],
    );
    assert.equal((await f.audit('admin.action.disabled')).length, 1);
    assert.equal(await enabled(), false);

    const unchanged = await f.call(token, 'PUT', '/actions/mfa-rule', { code: `${CODE}\n` });
    assert.deepEqual([unchanged.status, unchanged.body.changed], [200, false]);
    assert.equal(await enabled(), false, 'without enabled, the state is kept');
  });
});
