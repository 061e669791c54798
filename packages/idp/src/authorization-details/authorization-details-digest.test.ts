import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authorizationDetailsDigest } from './authorization-details-digest.ts';

test('the digest of details does not depend on member order, and does on every value', () => {
  const asked = [{ type: 'salary_payout_account', iban: 'DE89370400440532013000', holder: 'Alice Example' }];
  const reordered = [
    { holder: 'Alice Example', iban: 'DE89370400440532013000', type: 'salary_payout_account' },
  ];
  const tampered = [
    { type: 'salary_payout_account', iban: 'DE89370400440532013001', holder: 'Alice Example' },
  ];
  assert.equal(authorizationDetailsDigest(asked), authorizationDetailsDigest(reordered));
  assert.notEqual(authorizationDetailsDigest(asked), authorizationDetailsDigest(tampered));
  assert.match(authorizationDetailsDigest(asked), /^[A-Za-z0-9_-]{43}$/);
});
