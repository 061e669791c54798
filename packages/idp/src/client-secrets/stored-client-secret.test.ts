import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { SecretKeyring } from '../crypto/secret-keyring.ts';
import {
  checkClientSecretStrength,
  generateClientSecret,
  WeakClientSecretError,
} from './client-secret-strength.ts';
import {
  digestOfStoredSecret,
  openClientSecret,
  protectClientSecret,
  SecretNeedsRotationError,
  STORED_SECRET_METADATA,
  secretMatchesDigest,
} from './stored-client-secret.ts';

const box = SecretKeyring.parse(Buffer.alloc(32, 7).toString('base64url'));
const SECRET = generateClientSecret();
const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

describe('stored client secrets', () => {
  test('a secret only compared is stored as its SHA-256, nothing else', () => {
    const stored = protectClientSecret({ client_id: 'web', client_secret: SECRET }, box);
    assert.deepEqual(stored, { client_id: 'web', [STORED_SECRET_METADATA]: { sha256: sha256(SECRET) } });
    assert.equal(JSON.stringify(stored).includes(SECRET), false);
    assert.equal(secretMatchesDigest(SECRET, sha256(SECRET)), true);
    assert.equal(secretMatchesDigest(`${SECRET}x`, sha256(SECRET)), false);
    assert.equal(secretMatchesDigest(sha256(SECRET), sha256(SECRET)), false, 'the digest is no secret');
  });

  for (const [field, value] of [
    ['id_token_signed_response_alg', 'HS256'],
    ['userinfo_signed_response_alg', 'HS384'],
    ['introspection_signed_response_alg', 'HS512'],
    ['token_endpoint_auth_method', 'client_secret_jwt'],
    ['id_token_encrypted_response_alg', 'dir'],
  ] as const) {
    test(`a secret that keys something (${field} ${value}) is sealed, and opens for its client only`, () => {
      const stored = protectClientSecret({ client_id: 'hs', client_secret: SECRET, [field]: value }, box);
      const record = stored[STORED_SECRET_METADATA] as { sealed: string };
      assert.deepEqual(Object.keys(record), ['sealed']);
      assert.equal(JSON.stringify(stored).includes(SECRET), false);
      assert.equal(openClientSecret(stored, box), SECRET);
      assert.throws(() => openClientSecret({ ...stored, client_id: 'other' }, box));
      assert.equal(digestOfStoredSecret(stored, box), sha256(SECRET));
    });
  }

  test('a sealed secret is hashed once nothing keys with it; a hashed one cannot turn back', () => {
    const sealed = protectClientSecret(
      { client_id: 'c', client_secret: SECRET, id_token_signed_response_alg: 'HS256' },
      box,
    );
    const moved = protectClientSecret({ ...sealed, id_token_signed_response_alg: 'RS256' }, box);
    assert.deepEqual(moved[STORED_SECRET_METADATA], { sha256: sha256(SECRET) });
    assert.throws(
      () => protectClientSecret({ ...moved, id_token_signed_response_alg: 'HS256' }, box),
      SecretNeedsRotationError,
    );
    assert.deepEqual(protectClientSecret(moved, box), moved, 'protecting twice changes nothing');
  });
});

describe('client secret strength', () => {
  for (const secret of [
    generateClientSecret(),
    '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    'n4bQgYhMfWWaL+qgxVrQFaO/TTI3QNbzUwdw4Q6Ng0M=',
  ]) {
    test(`accepts ${secret}`, () => assert.doesNotThrow(() => checkClientSecretStrength(secret)));
  }
  for (const [name, secret] of [
    ['abc', 'abc'],
    ['42 base64url characters', generateClientSecret().slice(0, 42)],
    ['63 hex characters', '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0'],
    ['a long pattern', 'ab'.repeat(40)],
    ['a phrase', 'correct horse battery staple correct horse battery staple'],
  ] as const) {
    test(`refuses ${name}, saying how to make one`, () => {
      assert.throws(
        () => checkClientSecretStrength(secret),
        (error) =>
          error instanceof WeakClientSecretError &&
          error.code === 'weak_client_secret' &&
          error.message.includes('openssl rand -hex 32'),
      );
    });
  }
});
