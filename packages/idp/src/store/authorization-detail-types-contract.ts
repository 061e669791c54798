import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import type { AuthorizationDetailTypeRecord } from './authorization-detail-types.ts';
import type { Store } from './store.ts';

const payoutAccount: AuthorizationDetailTypeRecord = {
  type: 'salary_payout_account',
  description: 'Change salary payout account',
  schema: {
    type: 'object',
    required: ['type', 'iban', 'holder'],
    properties: {
      type: { const: 'salary_payout_account' },
      iban: { type: 'string' },
      holder: { type: 'string' },
    },
    additionalProperties: false,
  },
  displayFields: [
    { field: 'iban', label: 'to' },
    { field: 'holder', label: 'holder' },
  ],
};

const payment: AuthorizationDetailTypeRecord = {
  type: 'payment_initiation',
  description: 'Pay',
  schema: { type: 'object', required: ['amount'] },
  displayFields: [{ field: 'amount', label: 'amount' }],
};

/** The store contract for the operator's `authorization_details` types (RFC 9396). */
export function describeAuthorizationDetailTypesContract(
  name: string,
  openStore: (t: TestContext) => Promise<Store>,
): void {
  describe(`${name}: authorizationDetailTypes`, () => {
    test('types are stored with their schema and display fields, listed by name, replaced and removed', async (t) => {
      const store = await openStore(t);
      await store.authorizationDetailTypes.upsert(payoutAccount);
      await store.authorizationDetailTypes.upsert(payment);
      assert.deepEqual(await store.authorizationDetailTypes.find('salary_payout_account'), payoutAccount);
      assert.equal(await store.authorizationDetailTypes.find('salary'), undefined);
      assert.deepEqual(await store.authorizationDetailTypes.list(), [payment, payoutAccount]);
      const relabelled = { ...payoutAccount, displayFields: [{ field: 'iban', label: 'IBAN' }] };
      await store.authorizationDetailTypes.upsert(relabelled);
      assert.deepEqual(await store.authorizationDetailTypes.find('salary_payout_account'), relabelled);
      assert.equal(await store.authorizationDetailTypes.remove('payment_initiation'), true);
      assert.equal(await store.authorizationDetailTypes.remove('payment_initiation'), false);
      assert.deepEqual(await store.authorizationDetailTypes.list(), [relabelled]);
    });

    test('a type without a name, a schema object or display fields is refused and nothing is stored', async (t) => {
      const store = await openStore(t);
      await assert.rejects(store.authorizationDetailTypes.upsert({ ...payment, type: '' }), TypeError);
      await assert.rejects(
        store.authorizationDetailTypes.upsert({
          ...payment,
          schema: [] as unknown as Record<string, unknown>,
        }),
        TypeError,
      );
      await assert.rejects(
        store.authorizationDetailTypes.upsert({ ...payment, displayFields: [] }),
        TypeError,
      );
      assert.deepEqual(await store.authorizationDetailTypes.list(), []);
    });
  });
}
