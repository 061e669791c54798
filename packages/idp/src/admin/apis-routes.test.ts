import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { managementApiIdentifier } from './management-api-identity.ts';
import { type ManagementFixture, openManagementFixture } from './testing/management-fixture.ts';

const PAYROLL = 'https://payroll.example/api';
const path = (identifier: string) => `/apis/${encodeURIComponent(identifier)}`;

describe('management API /apis', () => {
  let f: ManagementFixture;
  let token: string;
  before(async () => {
    f = await openManagementFixture();
    token = await f.machine(['read:apis', 'create:apis', 'update:apis', 'delete:apis'], 'api-robot');
  });
  after(() => f.close());

  test('register, read, change and delete an API', async () => {
    const created = await f.call(token, 'POST', '/apis', { identifier: PAYROLL, scopes: ['payroll:read'] });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body, {
      identifier: PAYROLL,
      scopes: ['payroll:read'],
      access_token_ttl: 300,
      signing_alg: 'RS256',
      system: false,
    });
    const changed = await f.call(token, 'PATCH', path(PAYROLL), {
      scopes: ['payroll:read', 'payroll:write'],
      signing_alg: 'ES256',
    });
    assert.deepEqual(
      [changed.body.scopes, changed.body.signing_alg],
      [['payroll:read', 'payroll:write'], 'ES256'],
    );
    const listed = await f.call(token, 'GET', '/apis');
    assert.deepEqual(
      (listed.body.items as { identifier: string; system: boolean }[]).map((api) => [
        api.identifier,
        api.system,
      ]),
      [
        [managementApiIdentifier(f.idp.issuer), true],
        [PAYROLL, false],
      ],
    );
    assert.equal((await f.call(token, 'DELETE', path(PAYROLL))).status, 204);
    assert.equal((await f.call(token, 'GET', path(PAYROLL))).status, 404);
    for (const type of ['created', 'updated', 'deleted'])
      assert.equal((await f.audit(`admin.api.${type}`)).length, 1);
  });

  test('refusals change nothing', async () => {
    const before = await f.idp.stepup.store.resourceServers.list();
    const noScope = await f.call(await f.machine(['read:apis']), 'POST', '/apis', {
      identifier: PAYROLL,
      scopes: ['a'],
    });
    assert.deepEqual([noScope.status, noScope.body.error?.details.scope], [403, 'create:apis']);
    const cases: [unknown, string][] = [
      [{ identifier: 'http://payroll.example/api', scopes: ['a'] }, 'identifier'],
      [{ identifier: PAYROLL, scopes: ['openid'] }, 'scopes.0'],
      [{ identifier: PAYROLL, scopes: [] }, 'scopes'],
      [{ identifier: PAYROLL, scopes: ['a'], signing_alg: 'HS256' }, 'signing_alg'],
    ];
    for (const [body, field] of cases) {
      const refused = await f.call(token, 'POST', '/apis', body);
      assert.deepEqual([refused.status, refused.body.error?.details.field], [400, field]);
    }
    const system = await f.call(token, 'DELETE', path(managementApiIdentifier(f.idp.issuer)));
    assert.deepEqual([system.status, system.body.error?.code], [409, 'conflict']);
    assert.equal((await f.call(token, 'PATCH', path('https://nope.example'), { scopes: ['a'] })).status, 404);
    assert.deepEqual(await f.idp.stepup.store.resourceServers.list(), before);
  });
});
