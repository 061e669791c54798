import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acrTimeClaimName } from './acr-time-claim.ts';

test('the acr_time claim is named under the issuer, with or without a trailing slash or a path', () => {
  assert.equal(acrTimeClaimName('https://idp.example.com'), 'https://idp.example.com/claims/acr_time');
  assert.equal(acrTimeClaimName('https://idp.example.com/'), 'https://idp.example.com/claims/acr_time');
  assert.equal(acrTimeClaimName('https://example.com/idp'), 'https://example.com/idp/claims/acr_time');
});

test('an empty or missing issuer is a programming error', () => {
  assert.throws(() => acrTimeClaimName(''), TypeError);
  assert.throws(() => acrTimeClaimName(undefined as unknown as string), TypeError);
});
