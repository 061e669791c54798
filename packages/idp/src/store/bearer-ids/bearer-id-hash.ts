import { createHmac } from 'node:crypto';

/**
 * Marks a stored id as a keyed hash. oidc-provider's ids are base64url (no `:`), so a stored id
 * without it is one a release before hashing wrote in clear, and the start-up step rewrites it.
 */
export const HASHED_BEARER_ID_PREFIX = 'hmac:';

/**
 * Keys of the bearer-id hash, current first: writes use the first, lookups try each in turn, so
 * rows written under a retired key stay readable until they expire.
 */
export type BearerIdKeys = readonly Buffer[];

/**
 * The id a bearer secret (token value, session cookie, interaction id) is stored under:
 * HMAC-SHA256 under `key`. A copy of the database then holds nothing a thief can present, and
 * without the key nobody can compute the stored id of a guessed value either.
 */
export function hashBearerId(key: Buffer, id: string): string {
  return HASHED_BEARER_ID_PREFIX + createHmac('sha256', key).update(id, 'utf8').digest('base64url');
}

export function isHashedBearerId(storedId: string): boolean {
  return storedId.startsWith(HASHED_BEARER_ID_PREFIX);
}

/** Refuses an empty key list or a short key before anything is stored under it. */
export function assertBearerIdKeys(keys: BearerIdKeys): void {
  if (keys.length === 0) throw new TypeError('bearer id hashing needs at least one key');
  for (const key of keys) {
    if (!Buffer.isBuffer(key) || key.length < 32) {
      throw new TypeError('each bearer id key must be a Buffer of at least 32 bytes');
    }
  }
}
