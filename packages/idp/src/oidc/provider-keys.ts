import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { SecretBox } from '../crypto/secret-box.ts';
import type { KeysRepository } from '../store/keys.ts';

/** The key material of one provider installation; shared by every node through the store. */
export interface ProviderKeys {
  /** Private signing keys, RS256 first (the default), then ES256 and EdDSA for clients that ask. */
  signingJwks: { keys: JWK[] };
  cookieKeys: string[];
  secretBox: SecretBox;
}

export const SIGNING_ALGORITHMS = [
  { alg: 'RS256', options: { modulusLength: 2048, extractable: true } },
  { alg: 'ES256', options: { extractable: true } },
  { alg: 'EdDSA', options: { crv: 'Ed25519', extractable: true } },
] as const;

/**
 * Loads the provider's keys, generating them on first start. Generation is insert-if-absent in the
 * store, so two nodes starting at once end up with the same keys.
 */
export async function loadProviderKeys(keys: KeysRepository): Promise<ProviderKeys & { created: boolean }> {
  let created = false;
  const signing = await keys.getOrCreate('signing-jwks', async () => {
    created = true;
    return JSON.stringify({ keys: await Promise.all(SIGNING_ALGORITHMS.map(generateSigningKey)) });
  });
  const cookie = await keys.getOrCreate('cookie-keys', () =>
    JSON.stringify([randomBytes(32).toString('base64url')]),
  );
  const secretBoxKey = await keys.getOrCreate('secret-box-key', () => SecretBox.generateKey());
  return {
    signingJwks: JSON.parse(signing) as { keys: JWK[] },
    cookieKeys: JSON.parse(cookie) as string[],
    secretBox: new SecretBox(Buffer.from(secretBoxKey, 'base64url')),
    created,
  };
}

/** A new private signing key for one of the provider's algorithms, with a fresh `kid`. */
export async function generateSigningKey({
  alg,
  options,
}: (typeof SIGNING_ALGORITHMS)[number]): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, options);
  const jwk = await exportJWK(privateKey);
  return { ...jwk, alg, use: 'sig', kid: `${alg.toLowerCase()}-${randomBytes(6).toString('base64url')}` };
}
