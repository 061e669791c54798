import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authorizationDetailsDigest } from './authorization-details-digest.ts';
import { canonicalJson } from './canonical-json.ts';

test('RFC 8785 3.2.2/3.2.3: members sorted by code unit, no whitespace, ECMAScript numbers', () => {
  assert.equal(
    // RFC 8785 3.2.2.3's number vector, parsed from its text as a received request would be.
    canonicalJson(
      JSON.parse(
        '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"b":"x","a":[true,null,"\\u20ac"]}',
      ),
    ),
    '{"a":[true,null,"€"],"b":"x","numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27]}',
  );
  assert.equal(canonicalJson({ '\u00e9': 1, z: 2, A: 3 }), '{"A":3,"z":2,"é":1}');
});

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

test('values JSON cannot carry are refused', () => {
  assert.throws(() => canonicalJson({ n: Number.NaN }), TypeError);
  assert.throws(() => canonicalJson({ f: () => 1 }), TypeError);
});
