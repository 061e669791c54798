import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Logger } from 'pino';
import { sealProviderKeys } from '../crypto/seal-provider-keys.ts';
import type { SecretKeyring } from '../crypto/secret-keyring.ts';
import { upgradeLegacySecretBox } from '../crypto/upgrade-legacy-secret-box.ts';
import type { KeysRepository } from '../store/keys.ts';
import type { Store } from '../store/store.ts';

/**
 * The key material of one provider installation. Signing and cookie keys are shared by every node
 * through the store, sealed under the keyring that comes from outside it (`loadSecretKeyring`).
 */
export interface ProviderKeys {
  /** Private signing keys, RS256 first (the default), then ES256 and EdDSA for clients that ask. */
  signingJwks: { keys: JWK[] };
  cookieKeys: string[];
  /**
   * Derives the DPoP nonces the provider issues (RFC 9449 8); the same on every node, so a nonce one
   * node gave is accepted by the next.
   */
  dpopNonceSecret: Buffer;
  /** Seals and opens secrets at rest; also gives the keys that hash bearer ids (`bearerIdKeys`). */
  secretBox: SecretKeyring;
}

export const SIGNING_ALGORITHMS = [
  { alg: 'RS256', options: { modulusLength: 2048, extractable: true } },
  { alg: 'ES256', options: { extractable: true } },
  { alg: 'EdDSA', options: { crv: 'Ed25519', extractable: true } },
] as const;

/**
 * Loads the provider's keys, generating them on first start. Generation is insert-if-absent in the
 * store, so two nodes starting at once end up with the same keys. A store a release before the
 * keyring made is upgraded first: its secrets re-sealed under `keyring`, its database key deleted;
 * then key sets stored in clear are sealed (`sealProviderKeys`, which refuses a database whose keys
 * `keyring` does not open). `sealedKeys` is the store's keys repository to read and write them with.
 */
export async function loadProviderKeys(
  store: Pick<Store, 'keys' | 'sealedSecrets'>,
  keyring: SecretKeyring,
  logger?: Pick<Logger, 'info' | 'warn'>,
): Promise<ProviderKeys & { created: boolean; sealedKeys: KeysRepository }> {
  await upgradeLegacySecretBox(store, keyring, logger);
  const keys = await sealProviderKeys(store, keyring, logger);
  let created = false;
  const signing = await keys.getOrCreate('signing-jwks', async () => {
    created = true;
    return JSON.stringify({ keys: await Promise.all(SIGNING_ALGORITHMS.map(generateSigningKey)) });
  });
  const cookie = await keys.getOrCreate('cookie-keys', () =>
    JSON.stringify([randomBytes(32).toString('base64url')]),
  );
  const dpopNonceSecret = await keys.getOrCreate('dpop-nonce-secret', () =>
    randomBytes(32).toString('base64url'),
  );
  return {
    signingJwks: JSON.parse(signing) as { keys: JWK[] },
    cookieKeys: JSON.parse(cookie) as string[],
    dpopNonceSecret: Buffer.from(dpopNonceSecret, 'base64url'),
    secretBox: keyring,
    created,
    sealedKeys: keys,
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
