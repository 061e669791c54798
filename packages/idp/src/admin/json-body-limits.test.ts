import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ManagementFixture, openManagementFixture } from './testing/management-fixture.ts';

/** Audit finding 8: deeply nested JSON sent to the Action test endpoint answered 500. */
describe('management API JSON bodies have a depth and a size limit', () => {
  let f: ManagementFixture;
  let token: string;
  before(async () => {
    f = await openManagementFixture();
    token = await f.machine(['read:actions', 'update:actions', 'create:users'], 'json-robot');
    const deployed = await f.call(token, 'PUT', '/actions/echo', {
      code: 'exports.onExecutePostLogin = async () => {};',
    });
    assert.equal(deployed.status, 201);
  });
  after(() => f.close());

  const send = async (path: string, body: string) => {
    const response = await fetch(`${f.idp.issuer}/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    });
    return {
      status: response.status,
      code: ((await response.json()) as { error: { code: string } }).error.code,
    };
  };

  for (const depth of [100, 5_000]) {
    test(`${depth} nested arrays or objects are 400 body_too_deep`, async () => {
      const arrays = `{"event":{"user":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
      assert.deepEqual(await send('/actions/echo/test', arrays), { status: 400, code: 'body_too_deep' });
      const objects = `{"event":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
      assert.deepEqual(await send('/actions/echo/test', objects), { status: 400, code: 'body_too_deep' });
    });
  }

  test('brackets inside strings do not count; a body at the limit is accepted', async () => {
    const nested = `{"event":{"user":{"app_metadata":${'['.repeat(28)}"[[[[{{{{"${']'.repeat(28)}}}}`;
    const response = await fetch(`${f.idp.issuer}/api/v1/actions/echo/test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: nested,
    });
    assert.equal(response.status, 200, await response.text());
  });

  test('a body over the size limit is 413 body_too_large', async () => {
    const large = JSON.stringify({ username: 'x', password: 'p'.repeat(2 * 1024 * 1024) });
    assert.deepEqual(await send('/users', large), { status: 413, code: 'body_too_large' });
  });
});
