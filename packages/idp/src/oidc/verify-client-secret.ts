import Provider, { errors } from 'oidc-provider';
import {
  isPreviousClientSecret,
  PREVIOUS_SECRET_METADATA,
} from '../client-secrets/previous-client-secret.ts';
import { secretMatchesDigest } from '../client-secrets/stored-client-secret.ts';
import type { ClientSecretThrottle } from '../throttle/client-secret-throttle.ts';
import { SECRET_DIGEST_METADATA } from './client-secret-view.ts';

/**
 * Makes `client_secret_basic` and `client_secret_post` of `provider` check secrets as they are
 * stored. oidc-provider's client authentication (lib/shared/client_auth.js) awaits
 * `compareClientSecret` of its public `Client` class for both methods, on every endpoint that
 * authenticates clients (token, revocation, introspection, PAR); its own version compares
 * `client_secret` in constant time, and its maintainer points to replacing it for custom checks
 * (panva/node-oidc-provider#631). Here:
 * 1. a hashed secret is compared by digest, a sealed one (opened into `client_secret`) by
 *    oidc-provider's own comparison, and the previous secret of a rotation, until it expires by
 *    `clock`, by digest;
 * 2. the client id's throttle decides whether the outcome may be told (client-secret-throttle.ts);
 *    beyond its limit the answer is 429 with `Retry-After` and `invalid_client` (RFC 6749 5.2: the
 *    client was not authenticated; the status and header say it was not tried, and when to come back).
 * `client_secret_jwt` assertions and HS256 ID tokens are keyed by the current secret, not compared.
 */
export function verifyClientSecrets(
  provider: Provider,
  options: { throttle: ClientSecretThrottle; clock: () => number },
): void {
  const { throttle, clock } = options;
  const { prototype } = provider.Client;
  const compareInPlain = prototype.compareClientSecret;
  prototype.compareClientSecret = async function compareClientSecret(presented: string): Promise<boolean> {
    const now = clock();
    const metadata = this as unknown as Record<string, unknown>;
    const digest = metadata[SECRET_DIGEST_METADATA];
    const current =
      typeof digest === 'string'
        ? secretMatchesDigest(presented, digest)
        : await compareInPlain.call(this, presented);
    const previous = metadata[PREVIOUS_SECRET_METADATA];
    const matches =
      current ||
      (isPreviousClientSecret(previous) &&
        previous.expires_at > now &&
        secretMatchesDigest(presented, previous.sha256));
    const refusal = await throttle.answer(this.clientId, matches, now);
    if (refusal) throw tooManyTries(refusal.retryAfter);
    return matches;
  };
}

function tooManyTries(retryAfter: number | undefined): errors.InvalidClientAuth {
  const error = new errors.InvalidClientAuth('too many wrong client secrets for this client id');
  error.status = 429;
  error.statusCode = 429;
  error.error_description = 'too many failed client authentications; retry later';
  // oidc-provider's error handler keeps headers set before it writes the error body.
  if (retryAfter !== undefined) Provider.ctx?.set('Retry-After', String(retryAfter));
  return error;
}
