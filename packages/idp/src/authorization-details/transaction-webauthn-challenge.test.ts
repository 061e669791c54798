import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authorizationDetailsDigest } from './authorization-details-digest.ts';
import {
  isTransactionWebAuthnChallenge,
  transactionWebAuthnChallenge,
} from './transaction-webauthn-challenge.ts';

const PAYOUT = [
  { type: 'salary_payout_account', iban: 'DE89 3704 0044 0532 0130 00', holder: 'Alice Example' },
];
const TAMPERED = [{ ...PAYOUT[0], iban: 'GB33 BUKB 2020 1555 5555 55' }];

test('a transaction challenge is fresh randomness then the digest, and matches only that digest', () => {
  const digest = authorizationDetailsDigest(PAYOUT);
  const random = new Uint8Array(32).fill(7);
  const challenge = transactionWebAuthnChallenge(digest, random);
  assert.equal(challenge.length, 64);
  assert.deepEqual(challenge.subarray(0, 32), random);
  const encoded = Buffer.from(challenge).toString('base64url');
  assert.equal(isTransactionWebAuthnChallenge(encoded, digest), true);
  assert.equal(isTransactionWebAuthnChallenge(encoded, authorizationDetailsDigest(TAMPERED)), false);
  // A plain sign-in challenge (32 random bytes) approves nothing.
  assert.equal(isTransactionWebAuthnChallenge(Buffer.alloc(32, 1).toString('base64url'), digest), false);
  // Two challenges for the same details differ.
  const other = Buffer.from(transactionWebAuthnChallenge(digest)).toString('base64url');
  assert.notEqual(other, Buffer.from(transactionWebAuthnChallenge(digest)).toString('base64url'));
});
