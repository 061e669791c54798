/**
 * Client metadata that keeps the digest of the secret a rotation replaced while it is still
 * accepted, so an application's servers can move to the new secret one by one. One slot: the next
 * rotation replaces it, so at most two secrets ever work. The replaced secret is only ever compared,
 * never used as a key, so its SHA-256 is all that is kept (`client-secrets/stored-client-secret.ts`).
 */
export const PREVIOUS_SECRET_METADATA = 'stepup_previous_client_secret';

/** The digest (base64url SHA-256) of the replaced secret and the time (epoch seconds) it stops being accepted. */
export interface PreviousClientSecret {
  sha256: string;
  expires_at: number;
}

/** True for a well-formed `PREVIOUS_SECRET_METADATA` value. */
export function isPreviousClientSecret(value: unknown): value is PreviousClientSecret {
  if (typeof value !== 'object' || value === null) return false;
  const { sha256, expires_at: expiresAt } = value as Record<string, unknown>;
  return typeof sha256 === 'string' && /^[A-Za-z0-9_-]{43}$/.test(sha256) && Number.isSafeInteger(expiresAt);
}

/** A previous secret as registrations made before secrets were hashed kept it: in plain. */
export function isLegacyPreviousClientSecret(
  value: unknown,
): value is { client_secret: string; expires_at: number } {
  if (typeof value !== 'object' || value === null) return false;
  const { client_secret: secret, expires_at: expiresAt } = value as Record<string, unknown>;
  return typeof secret === 'string' && secret !== '' && Number.isSafeInteger(expiresAt);
}
