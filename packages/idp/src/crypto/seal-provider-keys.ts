import type { Logger } from 'pino';
import type { KeysRepository } from '../store/keys.ts';
import type { Store } from '../store/store.ts';
import { ProviderKeysUnreadableError } from './provider-keys-unreadable-error.ts';
import { resealSealedSecrets } from './reseal-sealed-secrets.ts';
import { SEALED_PROVIDER_KEY_NAMES } from './sealed-provider-key.ts';
import type { SecretKeyring } from './secret-keyring.ts';
import { withSealedProviderKeys } from './with-sealed-provider-keys.ts';

/**
 * At start, before anything reads the provider's keys: checks that every sealed key set opens, then
 * seals the key sets a release before sealing stored in clear and re-seals those under an older key
 * of the ring.
 * Idempotent, and safe when several nodes start at once: a record is replaced only if it still holds
 * what was read, so every node ends up reading the one sealed value that won.
 *
 * Resolves the store's keys with the provider's own sealed (`withSealedProviderKeys`). Throws
 * `ProviderKeysUnreadableError` when a key set does not open under the keyring: a provider that
 * started anyway would make new keys and void every session and token.
 */
export async function sealProviderKeys(
  store: Pick<Store, 'keys' | 'sealedSecrets'>,
  keyring: SecretKeyring,
  logger?: Pick<Logger, 'info'>,
): Promise<KeysRepository> {
  // Checked before anything is written: a wrong key must not seal a clear key set under itself.
  const keys = withSealedProviderKeys(store.keys, keyring);
  const unreadable: string[] = [];
  for (const name of SEALED_PROVIDER_KEY_NAMES) {
    try {
      await keys.get(name);
    } catch (error) {
      unreadable.push(`${name}: ${(error as Error).message}`);
    }
  }
  if (unreadable.length > 0) throw new ProviderKeysUnreadableError(unreadable, keyring.keyIds);
  const outcome = await resealSealedSecrets({
    sealedSecrets: store.sealedSecrets,
    keyring,
    kinds: ['provider-keys'],
  });
  if (outcome.resealed > 0) {
    logger?.info(
      { sealed: outcome.resealed, keyId: keyring.currentKeyId },
      'sealed the provider keys under the current secret key',
    );
  }
  return keys;
}
