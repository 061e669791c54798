import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SALARY_PAYOUT_ACCOUNT } from '../authorization-details/testing/salary-payout-account-type.ts';
import { type ManagementFixture, openManagementFixture } from './testing/management-fixture.ts';

const BODY = {
  type: SALARY_PAYOUT_ACCOUNT.type,
  description: SALARY_PAYOUT_ACCOUNT.description,
  schema: SALARY_PAYOUT_ACCOUNT.schema,
  display_fields: SALARY_PAYOUT_ACCOUNT.displayFields,
};
const PATH = `/authorization-detail-types/${SALARY_PAYOUT_ACCOUNT.type}`;

describe('management API /authorization-detail-types', () => {
  let f: ManagementFixture;
  let token: string;
  before(async () => {
    f = await openManagementFixture();
    token = await f.machine(
      [
        'read:authorization_detail_types',
        'create:authorization_detail_types',
        'update:authorization_detail_types',
        'delete:authorization_detail_types',
      ],
      'rar-robot',
    );
  });
  after(() => f.close());

  test('register, read, replace and delete a type, each change audited', async () => {
    const created = await f.call(token, 'POST', '/authorization-detail-types', BODY);
    assert.equal(created.status, 201);
    assert.deepEqual(created.body, BODY);
    assert.deepEqual(
      await f.idp.stepup.store.authorizationDetailTypes.find(BODY.type),
      SALARY_PAYOUT_ACCOUNT,
    );
    assert.equal((await f.call(token, 'POST', '/authorization-detail-types', BODY)).status, 409);
    const { type: _type, ...fields } = BODY;
    const relabelled = { ...fields, display_fields: [{ field: 'iban', label: 'IBAN' }] };
    const replaced = await f.call(token, 'PUT', PATH, relabelled);
    assert.equal(replaced.status, 200);
    assert.deepEqual(replaced.body.display_fields, [{ field: 'iban', label: 'IBAN' }]);
    const listed = await f.call(token, 'GET', '/authorization-detail-types');
    assert.deepEqual(
      (listed.body.items as { type: string }[]).map((item) => item.type),
      ['salary_payout_account'],
    );
    assert.equal((await f.call(token, 'DELETE', PATH)).status, 204);
    assert.equal((await f.call(token, 'GET', PATH)).status, 404);
    for (const change of ['created', 'updated', 'deleted'])
      assert.equal((await f.audit(`admin.authorization_detail_type.${change}`)).length, 1);
  });

  test('refusals change nothing: missing scope, a schema the provider cannot enforce, a hidden field', async () => {
    const noScope = await f.call(
      await f.machine(['read:authorization_detail_types']),
      'POST',
      '/authorization-detail-types',
      BODY,
    );
    assert.deepEqual(
      [noScope.status, noScope.body.error?.details.scope],
      [403, 'create:authorization_detail_types'],
    );
    const cases: [unknown, string][] = [
      [{ ...BODY, schema: { type: 'object', propertiez: {} } }, 'schema'],
      [{ ...BODY, schema: { type: 'array' } }, 'schema'],
      [{ ...BODY, display_fields: [{ field: 'amount', label: 'amount' }] }, 'display_fields'],
      [{ ...BODY, type: 'has space' }, 'type'],
    ];
    for (const [body, field] of cases) {
      const refused = await f.call(token, 'POST', '/authorization-detail-types', body);
      assert.deepEqual(
        [refused.status, refused.body.error?.code, refused.body.error?.details.field],
        [400, 'invalid_body', field],
      );
    }
    assert.deepEqual(await f.idp.stepup.store.authorizationDetailTypes.list(), []);
  });
});
