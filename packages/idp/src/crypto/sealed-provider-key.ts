/**
 * The provider's own keys the keys table keeps sealed under the keyring: whoever holds them signs ID
 * tokens apps accept, forges cookies, pushes to every enrolled device, or mints DPoP nonces. The other entries of the
 * table (key rotation times, settings overrides) are not secret and stay readable.
 */
export const SEALED_PROVIDER_KEY_NAMES: readonly string[] = [
  'signing-jwks',
  'cookie-keys',
  'web-push-vapid-keys',
  'dpop-nonce-secret',
];

export function isSealedProviderKeyName(name: string): boolean {
  return SEALED_PROVIDER_KEY_NAMES.includes(name);
}

/** The seal context of a provider key set: a record copied under another name does not open. */
export function providerKeySealContext(name: string): string {
  return `provider_key:${name}`;
}

/**
 * Releases before sealing stored each key set in clear (JSON text, or base64url for the DPoP nonce
 * secret), and so may an older node while nodes are upgraded one by one. A sealed record starts with
 * its format version (`v2.…`); neither JSON nor base64url (which has no dot) ever does.
 */
export function isClearProviderKey(value: string): boolean {
  return !/^v\d+\./.test(value);
}
