import { randomBytes } from 'node:crypto';
import {
  isStoredClientSecret,
  needsPlainClientSecret,
  openClientSecret,
  type SecretSealer,
  STORED_SECRET_METADATA,
} from '../client-secrets/stored-client-secret.ts';
import type { ClientMetadata } from '../store/clients.ts';
import type { OidcAdapterFactory } from '../store/oidc-adapter.ts';

/**
 * Client metadata oidc-provider reads for a client whose secret is stored hashed: the digest the
 * presented secret is compared with (`verify-client-secret.ts`).
 */
export const SECRET_DIGEST_METADATA = 'stepup_client_secret_sha256';

/**
 * What oidc-provider gets as `client_secret` of a client whose secret is hashed. It requires one for
 * every client authenticating with a secret, and derives HMAC keys from it for features that are off
 * here (request objects); this value is known to no one and lives only in this process, so such a
 * key could not be used, and a backup of the store does not hold it. Authentication never compares
 * with it: the digest is compared instead.
 */
const UNKNOWABLE_SECRET = randomBytes(32).toString('base64url');

/**
 * The registration as oidc-provider must see it: a sealed secret opened into `client_secret`, a
 * hashed one as its digest. A hashed secret on a client whose metadata needs the secret itself (an
 * HS algorithm, set in the store behind the provider's back) fails closed rather than keying tokens
 * with a value that is not the client's secret.
 */
export function toProviderClientMetadata(stored: ClientMetadata, box: SecretSealer): ClientMetadata {
  // Only this view sets the digest oidc-provider compares with: one written into the store is dropped.
  const { [STORED_SECRET_METADATA]: secret, [SECRET_DIGEST_METADATA]: _written, ...rest } = stored;
  if (!isStoredClientSecret(secret)) return rest as ClientMetadata;
  if ('sealed' in secret) return { ...rest, client_secret: openClientSecret(stored, box) };
  if (needsPlainClientSecret(rest)) {
    throw new Error(
      `client "${stored.client_id}" has a hashed secret but needs the secret itself (an HS algorithm or client_secret_jwt); give it a new secret`,
    );
  }
  return { ...rest, client_secret: UNKNOWABLE_SECRET, [SECRET_DIGEST_METADATA]: secret.sha256 };
}

/** oidc-provider's adapter over `Adapter`, with `Client` registrations shown by `toProviderClientMetadata`. */
export function withClientSecretsShown(Adapter: OidcAdapterFactory, box: SecretSealer): OidcAdapterFactory {
  return class ClientSecretsAdapter extends Adapter {
    readonly #isClient: boolean;

    constructor(name: string) {
      super(name);
      this.#isClient = name === 'Client';
    }

    override async find(id: string) {
      const found = await super.find(id);
      return this.#isClient && found ? toProviderClientMetadata(found as ClientMetadata, box) : found;
    }
  };
}
