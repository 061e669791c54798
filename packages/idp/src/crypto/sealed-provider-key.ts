/**
 * The provider's own keys the keys table keeps sealed under the keyring: whoever holds them signs ID
 * tokens apps accept, forges cookies, or pushes to every enrolled device. The other entries of the
 * table (key rotation times, settings overrides) are not secret and stay readable.
 */
export const SEALED_PROVIDER_KEY_NAMES: readonly string[] = [
  'signing-jwks',
  'cookie-keys',
  'web-push-vapid-keys',
];

export function isSealedProviderKeyName(name: string): boolean {
  return SEALED_PROVIDER_KEY_NAMES.includes(name);
}

/** The seal context of a provider key set: a record copied under another name does not open. */
export function providerKeySealContext(name: string): string {
  return `provider_key:${name}`;
}

/**
 * Releases before sealing stored each key set as JSON text, and so may an older node while nodes are
 * upgraded one by one; a sealed record (`v2.…`) never starts like JSON.
 */
export function isClearProviderKey(value: string): boolean {
  return value.startsWith('{') || value.startsWith('[');
}
