import type { NewAuditEvent } from '../store/audit-events.ts';
import type { KeysRepository } from '../store/keys.ts';
import {
  isClearProviderKey,
  isSealedProviderKeyName,
  providerKeySealContext,
} from './sealed-provider-key.ts';
import type { SecretKeyring } from './secret-keyring.ts';

/** Repositories this module made: wrapping one again would seal twice. */
const sealing = new WeakSet<KeysRepository>();

/**
 * The keys repository with the provider's own keys (`SEALED_PROVIDER_KEY_NAMES`) sealed under
 * `keyring` on the way in and opened on the way out; other entries pass through as they are. A key
 * set an older node wrote in clear is read as it is (the next start seals it); one that does not open
 * under the keyring throws, never reads as absent: a provider that made new keys instead would void
 * every session and token.
 */
export function withSealedProviderKeys(keys: KeysRepository, keyring: SecretKeyring): KeysRepository {
  if (sealing.has(keys)) return keys;
  const seal = (name: string, value: string): string =>
    isSealedProviderKeyName(name) ? keyring.seal(value, providerKeySealContext(name)) : value;
  const open = (name: string, stored: string): string =>
    isSealedProviderKeyName(name) && !isClearProviderKey(stored)
      ? keyring.open(stored, providerKeySealContext(name))
      : stored;
  const sealed: KeysRepository = {
    async getOrCreate(name, create) {
      return open(name, await keys.getOrCreate(name, async () => seal(name, await create())));
    },
    async get(name) {
      const stored = await keys.get(name);
      return stored === undefined ? undefined : open(name, stored);
    },
    set: (name, value) => keys.set(name, seal(name, value)),
    delete: (name) => keys.delete(name),
    setAll(entries: readonly (readonly [name: string, value: string])[], auditEvent?: NewAuditEvent) {
      return keys.setAll(
        entries.map(([name, value]) => [name, seal(name, value)] as const),
        auditEvent,
      );
    },
  };
  sealing.add(sealed);
  return sealed;
}
