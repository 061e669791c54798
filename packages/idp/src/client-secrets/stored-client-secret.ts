import { createHash, timingSafeEqual } from 'node:crypto';
import { isLegacyPreviousClientSecret, PREVIOUS_SECRET_METADATA } from './previous-client-secret.ts';

/**
 * How a client secret rests in the store, under this metadata name (never as `client_secret`):
 * - `{ sha256 }`: the SHA-256 digest (base64url) of a secret that is only ever compared, for clients
 *   authenticating with `client_secret_basic` / `client_secret_post` and keying nothing with it;
 * - `{ sealed }`: the secret sealed by the provider's secret box, for clients whose tokens or
 *   assertions are keyed by the secret itself (HS256 ID tokens, `client_secret_jwt`, …).
 * A plain SHA-256 is enough for the first: secrets are at least 256 random bits (see
 * `client-secret-strength.ts`), and NIST SP 800-63B 5.1.1.2 / 5.1.2.2 ask for a salted, costly
 * password hash only below 112 bits; a slow hash would cost every token request without making a
 * 256-bit preimage any harder.
 */
export const STORED_SECRET_METADATA = 'stepup_client_secret';

export type StoredClientSecret = { sha256: string } | { sealed: string };

/** What seals and opens secrets at rest: the provider's secret box (or a keyring of the same shape). */
export interface SecretSealer {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

type Metadata = { client_id: string } & Record<string, unknown>;

/**
 * Registration fields that make oidc-provider key something with the client secret (its
 * `Client.needsSecret` and symmetric key store): an HMAC signing algorithm, a symmetric encryption
 * algorithm, or `client_secret_jwt` assertions. Such a client needs its secret back, so it is sealed.
 */
const SIGNING_ALG_FIELDS = [
  'id_token_signed_response_alg',
  'request_object_signing_alg',
  'token_endpoint_auth_signing_alg',
  'userinfo_signed_response_alg',
  'introspection_signed_response_alg',
  'authorization_signed_response_alg',
] as const;
const ENCRYPTION_ALG_FIELDS = [
  'id_token_encrypted_response_alg',
  'request_object_encryption_alg',
  'userinfo_encrypted_response_alg',
  'introspection_encrypted_response_alg',
  'authorization_encrypted_response_alg',
] as const;

/** True when the client's secret keys something (HS*, symmetric encryption, `client_secret_jwt`). */
export function needsPlainClientSecret(metadata: Record<string, unknown>): boolean {
  if (metadata.token_endpoint_auth_method === 'client_secret_jwt') return true;
  const isHmac = (value: unknown) => typeof value === 'string' && value.startsWith('HS');
  const isSymmetric = (value: unknown) => typeof value === 'string' && /^(A|dir$)/.test(value);
  return (
    SIGNING_ALG_FIELDS.some((field) => isHmac(metadata[field])) ||
    ENCRYPTION_ALG_FIELDS.some((field) => isSymmetric(metadata[field]))
  );
}

/** The base64url SHA-256 digest a compared-only secret is stored as. */
export function hashClientSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}

/** Compares a presented secret with a stored digest; the time taken does not depend on where they differ. */
export function secretMatchesDigest(presented: string, digest: string): boolean {
  const expected = Buffer.from(digest, 'base64url');
  const actual = createHash('sha256').update(presented, 'utf8').digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** The secret box context of a client's sealed secret: a record moved to another client does not open. */
export function clientSecretSealContext(clientId: string): string {
  return `client_secret:${clientId}`;
}

export function isStoredClientSecret(value: unknown): value is StoredClientSecret {
  if (typeof value !== 'object' || value === null) return false;
  const keys = Object.keys(value);
  const record = value as Record<string, unknown>;
  if (keys.length !== 1) return false;
  if (keys[0] === 'sha256')
    return typeof record.sha256 === 'string' && /^[A-Za-z0-9_-]{43}$/.test(record.sha256);
  return keys[0] === 'sealed' && typeof record.sealed === 'string' && record.sealed !== '';
}

/** The stored form of `secret` for the client `metadata` describes: sealed if it keys anything, else hashed. */
export function storeClientSecret(metadata: Metadata, secret: string, box: SecretSealer): StoredClientSecret {
  return needsPlainClientSecret(metadata)
    ? { sealed: box.seal(secret, clientSecretSealContext(metadata.client_id)) }
    : { sha256: hashClientSecret(secret) };
}

/** The plain secret of a client whose secret is sealed; undefined for a hashed or absent one. */
export function openClientSecret(metadata: Metadata, box: SecretSealer): string | undefined {
  const stored = metadata[STORED_SECRET_METADATA];
  if (!isStoredClientSecret(stored) || !('sealed' in stored)) return undefined;
  return box.open(stored.sealed, clientSecretSealContext(metadata.client_id));
}

/** The digest of a client's current secret, whichever way it is stored (to keep it as the previous one). */
export function digestOfStoredSecret(metadata: Metadata, box: SecretSealer): string | undefined {
  const stored = metadata[STORED_SECRET_METADATA];
  if (!isStoredClientSecret(stored)) return undefined;
  return 'sha256' in stored
    ? stored.sha256
    : hashClientSecret(box.open(stored.sealed, clientSecretSealContext(metadata.client_id)));
}

/**
 * Rewrites a registration so its secret rests as the client needs it: a plain `client_secret` (a new
 * or a legacy one) becomes the stored form, and a stored secret whose client changed kind moves across
 * (a sealed secret is hashed once nothing keys with it). A hashed secret cannot be unhashed: a client
 * whose changes need the plain secret of a hashed one gets `SecretNeedsRotationError`.
 */
export function protectClientSecret(metadata: Metadata, box: SecretSealer): Metadata {
  const { client_secret: plain, ...rest } = withPreviousSecretHashed(metadata);
  if (typeof plain === 'string' && plain !== '') {
    return { ...rest, [STORED_SECRET_METADATA]: storeClientSecret(metadata, plain, box) };
  }
  const stored = rest[STORED_SECRET_METADATA];
  if (!isStoredClientSecret(stored)) return rest as Metadata;
  const needsPlain = needsPlainClientSecret(rest);
  if ('sealed' in stored && !needsPlain) {
    const opened = box.open(stored.sealed, clientSecretSealContext(metadata.client_id));
    return { ...rest, [STORED_SECRET_METADATA]: { sha256: hashClientSecret(opened) } } as Metadata;
  }
  if ('sha256' in stored && needsPlain) throw new SecretNeedsRotationError(metadata.client_id);
  return rest as Metadata;
}

/** A previous secret kept in plain (by releases before secrets were hashed) becomes its digest. */
function withPreviousSecretHashed(metadata: Metadata): Metadata {
  const previous = metadata[PREVIOUS_SECRET_METADATA];
  if (!isLegacyPreviousClientSecret(previous)) return metadata;
  const digest = { sha256: hashClientSecret(previous.client_secret), expires_at: previous.expires_at };
  return { ...metadata, [PREVIOUS_SECRET_METADATA]: digest };
}

/** True when a registration keeps a secret in plain, as releases before secrets were hashed did. */
export function hasPlainClientSecret(metadata: Record<string, unknown>): boolean {
  return (
    metadata.client_secret !== undefined || isLegacyPreviousClientSecret(metadata[PREVIOUS_SECRET_METADATA])
  );
}

/** A change asks for a client's plain secret (HS256, `client_secret_jwt`, …) while only its digest is kept. */
export class SecretNeedsRotationError extends Error {
  readonly clientId: string;

  constructor(clientId: string) {
    super(
      `client "${clientId}" has its secret stored hashed, and the change needs the secret itself (an HS algorithm or client_secret_jwt): give the client a new secret with the change`,
    );
    this.name = 'SecretNeedsRotationError';
    this.clientId = clientId;
  }
}
