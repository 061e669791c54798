import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateClientSecret } from '../client-secrets/client-secret-strength.ts';
import {
  hashClientSecret,
  protectClientSecret,
  STORED_SECRET_METADATA,
} from '../client-secrets/stored-client-secret.ts';
import { SecretKeyring } from '../crypto/secret-keyring.ts';
import { SECRET_DIGEST_METADATA, toProviderClientMetadata } from './client-secret-view.ts';

const box = SecretKeyring.parse(Buffer.alloc(32, 3).toString('base64url'));
const SECRET = generateClientSecret();

test('a hashed secret reaches oidc-provider as its digest, with a client_secret no backup holds', () => {
  const stored = protectClientSecret({ client_id: 'web', client_secret: SECRET }, box);
  const shown = toProviderClientMetadata(stored, box);
  assert.equal(shown[SECRET_DIGEST_METADATA], hashClientSecret(SECRET));
  assert.equal(shown[STORED_SECRET_METADATA], undefined);
  assert.equal(typeof shown.client_secret, 'string');
  assert.notEqual(shown.client_secret, SECRET);
  assert.equal(JSON.stringify(stored).includes(String(shown.client_secret)), false);
});

test('a sealed secret reaches oidc-provider opened; a digest written into the store is dropped', () => {
  const stored = protectClientSecret(
    { client_id: 'hs', client_secret: SECRET, id_token_signed_response_alg: 'HS256' },
    box,
  );
  const shown = toProviderClientMetadata({ ...stored, [SECRET_DIGEST_METADATA]: hashClientSecret('x') }, box);
  assert.equal(shown.client_secret, SECRET);
  assert.equal(shown[SECRET_DIGEST_METADATA], undefined);
});

test('a hashed secret on a client that asks for HS256 fails closed', () => {
  const stored = protectClientSecret({ client_id: 'web', client_secret: SECRET }, box);
  assert.throws(
    () => toProviderClientMetadata({ ...stored, id_token_signed_response_alg: 'HS256' }, box),
    /new secret/,
  );
});
