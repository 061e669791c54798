import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';
import { LegacySecretBox } from './legacy-secret-box.ts';
import { type ResealOutcome, resealSealedSecrets } from './reseal-sealed-secrets.ts';
import type { SecretKeyring } from './secret-keyring.ts';

/** Where releases before the keyring kept their encryption key: in the database it protected. */
export const LEGACY_SECRET_BOX_KEY = 'secret-box-key';

/**
 * Upgrades a store made by a release before the keyring: re-seals under the keyring every secret
 * sealed under the database's own `secret-box-key`, then deletes that key, so a dump of the database
 * no longer holds what opens its secrets. Idempotent: the key goes only after a finished pass, and a
 * pass cut short is finished by the next start. Resolves undefined when there was nothing to upgrade.
 *
 * Short-lived state sealed under the old key (a TOTP enrollment in progress) does not open afterwards:
 * that enrollment starts over.
 */
export async function upgradeLegacySecretBox(
  store: Pick<Store, 'keys' | 'sealedSecrets'>,
  keyring: SecretKeyring,
  logger?: Pick<Logger, 'info' | 'warn'>,
): Promise<ResealOutcome | undefined> {
  const legacyKey = await store.keys.get(LEGACY_SECRET_BOX_KEY);
  if (legacyKey === undefined) return undefined;
  const outcome = await resealSealedSecrets({
    sealedSecrets: store.sealedSecrets,
    keyring,
    legacy: new LegacySecretBox(Buffer.from(legacyKey, 'base64url')),
  });
  if (outcome.unreadable.length > 0) {
    // They did not open under the database's key either: deleting it loses nothing they held.
    logger?.warn(
      { unreadable: outcome.unreadable },
      'sealed secrets that no key opens were left as they are',
    );
  }
  await store.keys.delete(LEGACY_SECRET_BOX_KEY);
  logger?.info(
    { resealed: outcome.resealed, keyId: keyring.currentKeyId },
    'moved the sealed secrets from the database key to the keyring and deleted the database key',
  );
  return outcome;
}
